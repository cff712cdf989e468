import { describe, expect, it } from "vitest";
import { strategyFor } from "./routes";

const origin = "https://app.masteria.test";
const precached = new Set(["/", "/manifest.webmanifest", "/icons/icon-192.png"]);
const req = (path: string, extra: { method?: string; mode?: string; origin?: string } = {}) => ({
  method: extra.method ?? "GET",
  url: `${extra.origin ?? origin}${path}`,
  mode: extra.mode,
});

describe("service worker routing", () => {
  it("never answers the API, auth or webhooks from a cache", () => {
    for (const path of ["/api/v1/conversations", "/api/v1/events", "/auth/me", "/auth/oauth/google/login?next=/inbox", "/webhooks/whatsapp-meta", "/api"]) {
      expect(strategyFor(req(path), origin, precached)).toBe("network-only");
      expect(strategyFor(req(path, { mode: "navigate" }), origin, precached)).toBe("network-only");
    }
  });

  it("leaves writes and other origins to the network", () => {
    expect(strategyFor(req("/assets/app.js", { method: "POST" }), origin, precached)).toBe("network-only");
    expect(strategyFor(req("/assets/app.js", { origin: "https://cdn.test" }), origin, precached)).toBe("passthrough");
  });

  it("serves pages with the shell fallback and assets from the cache", () => {
    expect(strategyFor(req("/inbox/123?q=maria", { mode: "navigate" }), origin, precached)).toBe("navigation");
    expect(strategyFor(req("/assets/index-abc123.js"), origin, precached)).toBe("cache-first");
    expect(strategyFor(req("/icons/icon-192.png"), origin, precached)).toBe("cache-first");
    expect(strategyFor(req("/sw.js"), origin, precached)).toBe("network-only");
    expect(strategyFor(req("/robots.txt"), origin, precached)).toBe("passthrough");
  });
});
