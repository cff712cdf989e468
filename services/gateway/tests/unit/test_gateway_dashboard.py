"""Serving the dashboard build: caching by file kind, content types, compression, SPA fallback, no escape."""

import asyncio
import gzip
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from masteria.gateway.main import build_service
from masteria.gateway.settings import GatewaySettings, find_web_dist
from masteria.gateway.testing import BackgroundServer

INDEX = b"<!doctype html><title>Master IA</title><div id=root></div>"
BUNDLE = b"console.log('dashboard');\n" * 200  # big enough to be worth compressing
SECRET = b"SECRET-OUTSIDE-THE-BUILD"
IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """A build like Vite's, with files just outside it that must never be served."""
    root = tmp_path / "web" / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_bytes(INDEX)
    (root / "assets" / "index-Bx7f3a.js").write_bytes(BUNDLE)
    (root / "assets" / "index-C9d2e1.css").write_bytes(b"body{margin:0}")
    (root / "manifest.webmanifest").write_text('{"name": "Master IA", "start_url": "/"}')
    (root / "sw.js").write_text("self.addEventListener('fetch', () => {});")
    (root / "icon-192.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "pyproject.toml").write_bytes(SECRET)
    (tmp_path / "etc").mkdir()
    (tmp_path.parent / "passwd").write_bytes(SECRET)  # what /..%2f..%2f..%2fpasswd would reach
    (tmp_path / "etc" / "passwd").write_bytes(SECRET)
    (root / "assets" / "leak.js").symlink_to(tmp_path / "pyproject.toml")
    (root / ".env").write_bytes(SECRET)
    return root


def _app(web_dist: Path) -> httpx.AsyncClient:
    service = build_service(GatewaySettings(web_dist=web_dist, LOG_JSON=False))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=service.http), base_url="http://testserver")


@pytest.fixture
async def client(dist: Path) -> AsyncIterator[httpx.AsyncClient]:
    async with _app(dist) as client:
        yield client


async def test_index_at_the_root_is_revalidated_every_time(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert response.content == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["etag"]


async def test_hashed_asset_is_immutable_javascript(client: httpx.AsyncClient) -> None:
    response = await client.get("/assets/index-Bx7f3a.js", headers={"accept-encoding": "identity"})
    assert response.status_code == 200
    assert response.content == BUNDLE
    assert response.headers["cache-control"] == IMMUTABLE
    assert response.headers["content-type"].startswith("text/javascript")
    assert "content-encoding" not in response.headers
    css = await client.get("/assets/index-C9d2e1.css")
    assert (css.headers["cache-control"], css.headers["content-type"].split(";")[0]) == (IMMUTABLE, "text/css")


async def test_service_worker_and_manifest_are_never_cached_blindly(client: httpx.AsyncClient) -> None:
    manifest = await client.get("/manifest.webmanifest")
    assert manifest.headers["content-type"] == "application/manifest+json"
    assert manifest.headers["cache-control"] == "no-cache"
    worker = await client.get("/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["cache-control"] == "no-cache"
    icon = await client.get("/icon-192.png")
    assert (icon.status_code, icon.headers["content-type"]) == (200, "image/png")


async def test_gzip_on_the_fly_for_text(client: httpx.AsyncClient) -> None:
    response = await client.get("/assets/index-Bx7f3a.js", headers={"accept-encoding": "gzip, br;q=0"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "accept-encoding"
    assert response.content == BUNDLE  # httpx decodes
    assert int(response.headers["content-length"]) < len(BUNDLE) / 5
    refused = await client.get("/assets/index-Bx7f3a.js", headers={"accept-encoding": "gzip;q=0"})
    assert "content-encoding" not in refused.headers


async def test_precompressed_sibling_wins(client: httpx.AsyncClient, dist: Path) -> None:
    marker = b"console.log('from the precompressed file');" * 40
    (dist / "assets" / "index-Bx7f3a.js.gz").write_bytes(gzip.compress(marker))
    response = await client.get("/assets/index-Bx7f3a.js", headers={"accept-encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.content == marker
    assert response.headers["content-type"].startswith("text/javascript")


async def test_revalidation_answers_304(client: httpx.AsyncClient) -> None:
    first = await client.get("/", headers={"accept-encoding": "identity"})
    again = await client.get("/", headers={"accept-encoding": "identity", "if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    gzipped = await client.get("/assets/index-Bx7f3a.js", headers={"accept-encoding": "gzip"})
    plain = await client.get("/assets/index-Bx7f3a.js", headers={"accept-encoding": "identity"})
    assert gzipped.headers["etag"] != plain.headers["etag"]  # one tag per representation


@pytest.mark.parametrize("path", ["/inbox/123", "/campaigns/new", "/leads", "/contacts/ana.souza"])
async def test_deep_links_fall_back_to_index(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.content == INDEX
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api", "/auth/nope", "/webhooks", "/health/x", "/metrics/x"])
async def test_api_misses_stay_problem_json(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_missing_asset_is_a_404_not_the_page(client: httpx.AsyncClient) -> None:
    response = await client.get("/assets/index-gone.js")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_only_reads(client: httpx.AsyncClient) -> None:
    assert (await client.post("/auth/nope")).status_code == 404  # still the API's answer
    refused = await client.post("/inbox")
    assert (refused.status_code, refused.headers["allow"]) == (405, "GET, HEAD")
    head = await client.head("/assets/index-Bx7f3a.js", headers={"accept-encoding": "identity"})
    assert (head.status_code, head.content, head.headers["content-length"]) == (200, b"", str(len(BUNDLE)))


async def test_hidden_files_and_symlinks_out_are_refused(client: httpx.AsyncClient) -> None:
    assert (await client.get("/assets/leak.js")).status_code == 404
    dotfile = await client.get("/.env")
    assert SECRET not in dotfile.content
    assert dotfile.content == INDEX


async def _raw_get(port: int, target: str) -> bytes:
    """A request line sent as is: HTTP clients would normalise the dot segments away."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    await writer.wait_closed()
    return answer


@pytest.mark.parametrize(
    "target",
    [
        "/..%2f..%2fetc/passwd",
        "/..%2f..%2f..%2fpasswd",
        "/assets/../../pyproject.toml",
        "/assets/..%2f..%2fpyproject.toml",
        "/../../../pyproject.toml",
        "/assets/%2e%2e/%2e%2e/pyproject.toml",
        "/%2e%2e%5c%2e%2e%5cpyproject.toml",
    ],
)
async def test_path_traversal_never_leaves_the_build(dist: Path, target: str) -> None:
    service = build_service(GatewaySettings(web_dist=dist, LOG_JSON=False))
    server = BackgroundServer(service.http, lifespan="off")
    await server.start()
    try:
        answer = await _raw_get(server.port, target)
    finally:
        await server.stop()
    assert SECRET not in answer
    status = int(answer.split(b" ", 2)[1])
    assert status in (200, 400, 404)
    if status == 200:
        assert answer.endswith(INDEX)  # the SPA page, never the file outside


async def test_not_built_answers_a_helpful_page(tmp_path: Path) -> None:
    async with _app(tmp_path / "missing" / "dist") as client:
        for path in ("/", "/inbox/1"):
            response = await client.get(path)
            assert response.status_code == 503
            assert response.headers["content-type"].startswith("text/html")
            assert "make web" in response.text
            assert response.headers["cache-control"] == "no-store"
        assert (await client.get("/assets/app.js")).status_code == 404
        assert (await client.get("/api/v1/nope")).status_code == 404


async def test_a_build_made_after_start_up_is_served(tmp_path: Path) -> None:
    later = tmp_path / "dist"
    async with _app(later) as client:
        assert (await client.get("/")).status_code == 503
        later.mkdir()
        (later / "index.html").write_bytes(INDEX)
        assert (await client.get("/")).content == INDEX


def test_default_dist_is_found_above_the_package(tmp_path: Path) -> None:
    package = tmp_path / "services" / "gateway" / "src" / "masteria" / "gateway"
    package.mkdir(parents=True)
    here = package / "settings.py"
    expected = tmp_path / "services" / "gateway" / "web" / "dist"
    assert find_web_dist(here) == expected  # not built yet: still the place `make web` writes to
    expected.mkdir(parents=True)
    assert find_web_dist(here) == expected
