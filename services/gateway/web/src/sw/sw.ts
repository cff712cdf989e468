/// <reference lib="webworker" />
// The app-shell service worker: index + hashed assets are precached so the app starts offline and fast;
// API, auth and webhook requests always go to the network (never cached, never answered from a cache).
import { strategyFor } from "./routes";

declare const self: ServiceWorkerGlobalScope;

// Replaced at build time by the list of files (see build/plugins.ts).
const MANIFEST = "__MASTERIA_PRECACHE__" as unknown as { version: string; urls: string[] };
const CACHE = `masteria-shell-${MANIFEST.version}`;
const PRECACHED = new Set(MANIFEST.urls);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(MANIFEST.urls.map((url) => new Request(url, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(keys.filter((k) => k.startsWith("masteria-shell-") && k !== CACHE).map((k) => caches.delete(k))),
      )
      .then(() => self.clients.claim()),
  );
});

async function navigation(request: Request): Promise<Response> {
  // Network first so a new deploy is picked up at once; the cached shell when offline.
  try {
    const response = await fetch(request);
    if (response.ok && (response.headers.get("content-type") ?? "").includes("text/html")) {
      const cache = await caches.open(CACHE);
      await cache.put("/", response.clone());
    }
    return response;
  } catch (error) {
    const cached = await caches.match("/", { cacheName: CACHE });
    if (cached) return cached;
    throw error;
  }
}

async function cacheFirst(request: Request): Promise<Response> {
  const cached = await caches.match(request, { cacheName: CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && new URL(request.url).pathname.startsWith("/assets/")) {
    const cache = await caches.open(CACHE);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const strategy = strategyFor(event.request, self.location.origin, PRECACHED);
  if (strategy === "navigation") event.respondWith(navigation(event.request));
  else if (strategy === "cache-first") event.respondWith(cacheFirst(event.request));
  // network-only and passthrough: not intercepted, the browser goes to the network as usual.
});
