"""The PWA: a manifest to install from, and a service worker that keeps the app shell, never API answers."""

from __future__ import annotations

from playwright.async_api import expect

CACHED_URLS = """async () => {
  await navigator.serviceWorker.ready;
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
  }
  return urls;
}"""


async def test_manifest_and_service_worker_cache_the_shell_only(screens, dashboard, new_email) -> None:
    page = await screens.new_page()
    ui = dashboard(page)
    await ui.sign_up(name="Rui Barros", company="Barros Materiais", email=new_email("pwa"))

    manifest = await page.request.get("/manifest.webmanifest")
    assert manifest.ok
    body = await manifest.json()
    assert body["name"] == "Master IA"
    assert body["lang"] == "pt-BR"
    assert {icon["sizes"] for icon in body["icons"]} == {"192x192", "512x512"}
    assert any(icon["purpose"] == "maskable" for icon in body["icons"])
    for icon in body["icons"]:
        assert (await page.request.get(icon["src"])).headers["content-type"] == "image/png"

    cached = await page.evaluate(CACHED_URLS)
    assert "/" in cached
    assert any(url.startswith("/assets/") and url.endswith(".js") for url in cached)
    # Browse some more with the worker in control: API answers still never land in its cache.
    await page.reload()
    assert await page.evaluate("navigator.serviceWorker.controller !== null")
    await page.get_by_role("navigation", name="Navegação principal").get_by_role("link", name="Configurações").click()
    await expect(page.get_by_role("heading", name="Canais", exact=True)).to_be_visible()
    cached = await page.evaluate(CACHED_URLS)
    assert not [url for url in cached if url.startswith(("/api", "/auth", "/webhooks"))], cached
