/** Paths the service worker must never answer from its cache: the API, sign-in and provider webhooks. */
const NETWORK_ONLY = ["/api/", "/auth/", "/webhooks/"];
const NETWORK_ONLY_EXACT = ["/api", "/auth", "/webhooks", "/sw.js"];

export type Strategy = "network-only" | "navigation" | "cache-first" | "passthrough";

/** How the service worker treats a request (same origin GETs only; everything else goes to the network). */
export function strategyFor(
  request: { method: string; url: string; mode?: string },
  origin: string,
  precached: ReadonlySet<string>,
): Strategy {
  if (request.method !== "GET") return "network-only";
  const url = new URL(request.url);
  if (url.origin !== origin) return "passthrough";
  const path = url.pathname;
  if (NETWORK_ONLY_EXACT.includes(path) || NETWORK_ONLY.some((prefix) => path.startsWith(prefix))) {
    return "network-only";
  }
  if (request.mode === "navigate") return "navigation";
  if (path.startsWith("/assets/") || precached.has(path)) return "cache-first";
  return "passthrough";
}
