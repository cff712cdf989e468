"""Portuguese first, English second: detected from the browser, switchable, remembered."""

from __future__ import annotations

from playwright.async_api import expect


async def test_switch_between_portuguese_and_english(screens, dashboard, new_email) -> None:
    page = await screens.new_page(locale="pt-BR")
    ui = dashboard(page)
    await ui.sign_up(name="Helena Costa", company="Ótica Costa", email=new_email("lang"))
    nav = page.get_by_role("navigation", name="Navegação principal")
    await expect(nav.get_by_role("link", name="Conversas")).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "pt-BR")

    await page.get_by_role("button", name="Idioma: Português (Brasil)").click()
    await page.get_by_role("menuitemradio", name="English").click()
    nav = page.get_by_role("navigation", name="Main navigation")
    await expect(nav.get_by_role("link", name="Inbox")).to_be_visible()
    await expect(nav.get_by_role("link", name="Campaigns")).to_be_visible()
    await expect(page.get_by_role("heading", name="Connect a WhatsApp number to get started")).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "en")

    # Remembered across a reload, and everywhere (a "coming soon" area, settings).
    await page.reload()
    await nav.get_by_role("link", name="Analytics").click()
    await expect(page.get_by_role("heading", name="Analytics")).to_be_visible()
    await expect(page.get_by_text("Coming soon", exact=True)).to_be_visible()

    await page.get_by_role("button", name="Language: English").click()
    await page.get_by_role("menuitemradio", name="Português (Brasil)").click()
    nav = page.get_by_role("navigation", name="Navegação principal")
    await expect(nav.get_by_role("link", name="Análises")).to_be_visible()
    await expect(page.get_by_role("heading", name="Análises")).to_be_visible()
    await expect(page.get_by_text("Em breve", exact=True)).to_be_visible()
    await expect(page.locator("html")).to_have_attribute("lang", "pt-BR")


async def test_language_follows_the_browser(screens) -> None:
    english = await screens.new_page(locale="en-US")
    await english.goto("/login")
    await expect(english.get_by_role("heading", name="Sign in to Master IA")).to_be_visible()
    await expect(english.get_by_role("link", name="Sign in with Google")).to_be_visible()

    spanish = await screens.new_page(locale="es-AR")
    await spanish.goto("/login")
    await expect(spanish.get_by_role("heading", name="Entrar no Master IA")).to_be_visible()

    portuguese = await screens.new_page(locale="pt-BR")
    await portuguese.goto("/login")
    await expect(portuguese.get_by_role("heading", name="Entrar no Master IA")).to_be_visible()
    await expect(portuguese.get_by_role("link", name="Entrar com Facebook")).to_be_visible()
