"""Browser journeys: the dashboard in real headless Chromium (Debian's, never downloaded) against the stack.

The dashboard must be built first (`make web`, i.e. `npm run build` in services/gateway/web); the gateway
serves `web/dist`. Each test leaves a full-page screenshot of its last page in test-artifacts/browser/.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from masteria.e2e.clients import Sandbox, SandboxNumber
from masteria.e2e.stack import RunningStack

REPO = Path(__file__).resolve().parents[4]
DIST = REPO / "services/gateway/web/dist"
ARTIFACTS = REPO / "test-artifacts/browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
PASSWORD = "correct-horse-battery"

# Auto-waiting expectations only (no sleeps); generous enough for a loaded CI machine.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def dashboard_dist() -> Path:
    """The build the gateway serves; the journeys mean nothing without it."""
    if not (DIST / "index.html").is_file():
        pytest.fail(f"{DIST} is not built: run `make web` (npm ci && npm run build in services/gateway/web)")
    return DIST


@pytest.fixture(scope="session")
async def browser(dashboard_dist: Path) -> AsyncIterator[Browser]:
    """One Chromium for the session; each test gets fresh contexts (cookies, storage) from it."""
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


class Screens:
    """Opens browser contexts for a test, records uncaught page errors, and screenshots the last page."""

    def __init__(self, browser: Browser, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.pages: list[Page] = []
        self.page_errors: list[str] = []

    async def new_page(
        self, *, locale: str = "pt-BR", width: int = 1440, height: int = 900, color_scheme: str = "light"
    ) -> Page:
        """A page in a fresh context (a different person, or the same one on another device)."""
        context = await self.browser.new_context(
            base_url=self.base_url, locale=locale, viewport={"width": width, "height": height},
            timezone_id="America/Sao_Paulo", color_scheme=color_scheme)  # type: ignore[arg-type]
        await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=self.base_url)
        page = await context.new_page()
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))
        self.contexts.append(context)
        self.pages.append(page)
        return page

    async def finish(self, screenshot: Path) -> None:
        open_pages = [p for p in self.pages if not p.is_closed()]
        if open_pages:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            await open_pages[-1].screenshot(path=str(screenshot), full_page=True)
        for context in self.contexts:
            await context.close()


@pytest.fixture
async def screens(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> AsyncIterator[Screens]:
    """Pages for this test; the last one is saved as test-artifacts/browser/<test name>.png."""
    opened = Screens(browser, stack.config.gateway_url)
    yield opened
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    await opened.finish(ARTIFACTS / f"{name}.png")
    assert not opened.page_errors, f"uncaught errors in the page: {opened.page_errors}"


def unique_email(prefix: str = "ui") -> str:
    """An address no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


@pytest.fixture
def new_email() -> Any:
    """Makes addresses no other test uses."""
    return unique_email


class Dashboard:
    """What an operator does in the dashboard (Portuguese UI, as a Brazilian browser shows it)."""

    def __init__(self, page: Page, gateway_url: str) -> None:
        self.page = page
        self.gateway_url = gateway_url

    async def sign_up(self, *, name: str, company: str, email: str, password: str = PASSWORD) -> None:
        page = self.page
        await page.goto("/signup")
        await expect(page.get_by_role("heading", name="Crie sua conta")).to_be_visible()
        await page.get_by_label("Seu nome").fill(name)
        await page.get_by_label("Nome da empresa").fill(company)
        await page.get_by_label("E-mail").fill(email)
        await page.get_by_label("Senha", exact=True).fill(password)
        await page.get_by_role("button", name="Criar conta").click()
        await expect(page).to_have_url(re.compile(r"/inbox$"))
        await expect(page.get_by_test_id("tenant-name")).to_have_text(company)

    async def log_in(self, *, email: str, password: str = PASSWORD) -> None:
        page = self.page
        await expect(page.get_by_role("heading", name="Entrar no Master IA")).to_be_visible()
        await page.get_by_label("E-mail").fill(email)
        await page.get_by_label("Senha", exact=True).fill(password)
        await page.get_by_role("button", name="Entrar", exact=True).click()

    async def log_out(self, user_name: str) -> None:
        page = self.page
        await page.get_by_role("button", name=f"Menu da conta: {user_name}").click()
        await page.get_by_role("menuitem", name="Sair").click()
        await expect(page).to_have_url(re.compile(r"/login$"))

    async def connect_number(self, number: SandboxNumber, *, label: str = "Atendimento") -> dict[str, str]:
        """Settings → Channels: type what Meta's dashboard shows; returns the webhook URL and verify token shown."""
        page = self.page
        nav = page.get_by_role("navigation", name="Navegação principal")
        await nav.get_by_role("link", name="Configurações").click()
        await expect(page).to_have_url(re.compile(r"/settings/channels$"))
        form = page.get_by_role("form", name="Conectar número do WhatsApp")
        await expect(form).to_be_visible()
        await form.get_by_label("ID do número de telefone").fill(number.phone_number_id)
        await form.get_by_label("ID da conta do WhatsApp Business").fill(number.waba_id)
        await form.get_by_label("Token de acesso").fill(number.access_token)
        await form.get_by_label("Chave secreta do app").fill(number.app_secret)
        await form.get_by_label("Apelido").fill(label)
        await form.get_by_role("button", name="Conectar número").click()
        card = page.locator(f'[data-testid="phone-number"][data-phone-number-id="{number.phone_number_id}"]')
        await expect(card).to_be_visible()
        webhook = card.get_by_label("URL do webhook", exact=True)
        token = card.get_by_label("Token de verificação", exact=True)
        await expect(webhook).to_have_value(f"{self.gateway_url}/webhooks/whatsapp-meta")
        await expect(token).to_have_value(re.compile(r"\S{8,}"))
        return {"webhook_url": await webhook.input_value(), "verify_token": await token.input_value()}

    async def open_inbox(self) -> None:
        page = self.page
        await page.get_by_role("navigation", name="Navegação principal").get_by_role("link", name="Conversas").click()
        await expect(page).to_have_url(re.compile(r"/inbox"))
        await expect(page.locator('[data-live-status="connected"]')).to_be_visible()

    def conversation(self, text: str) -> Any:
        """The inbox row whose last message reads ``text``."""
        return self.page.get_by_test_id("conversation-item").filter(has_text=text)


@pytest.fixture
def dashboard(stack: RunningStack) -> Any:
    """Makes a :class:`Dashboard` for a page."""
    return lambda page: Dashboard(page, stack.config.gateway_url)


async def connect_at_meta(sandbox: Sandbox, gateway_url: str) -> SandboxNumber:
    """The number as it exists at (the sandbox's) Meta, its webhooks pointed at the gateway."""
    return await sandbox.new_meta_number(f"{gateway_url}/webhooks/whatsapp-meta")


@pytest.fixture
def meta_number(sandbox: Sandbox, stack: RunningStack) -> Any:
    """Creates numbers at the sandbox's Meta."""
    return lambda: connect_at_meta(sandbox, stack.config.gateway_url)
