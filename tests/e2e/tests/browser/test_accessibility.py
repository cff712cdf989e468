"""Themes (remembered, default from the system), the skip link and visible keyboard focus."""

from __future__ import annotations

import re

from playwright.async_api import expect

from masteria.e2e.clients import Sandbox


async def test_dark_theme_from_the_system_and_the_toggle_is_remembered(
    screens, dashboard, meta_number, sandbox: Sandbox, new_email
) -> None:
    page = await screens.new_page(color_scheme="dark")
    ui = dashboard(page)
    await ui.sign_up(name="Lara Melo", company="Café Melo", email=new_email("theme"))
    html = page.locator("html")
    await expect(html).to_have_class(re.compile(r"\bdark\b"))

    await page.get_by_role("button", name="Usar tema claro").click()
    await expect(html).not_to_have_class(re.compile(r"\bdark\b"))
    await page.reload()
    await expect(page.get_by_role("button", name="Usar tema escuro")).to_be_visible()
    await expect(html).not_to_have_class(re.compile(r"\bdark\b"))

    await page.get_by_role("button", name="Usar tema escuro").click()
    await expect(html).to_have_class(re.compile(r"\bdark\b"))

    # The inbox in the dark, with a conversation open, for the screenshot.
    number = await meta_number()
    await ui.connect_number(number)
    await sandbox.customer_writes(number, "Boa noite! Ainda estão abertos?", sender="5511933330004", name="Marcos")
    await ui.open_inbox()
    await ui.conversation("Boa noite! Ainda estão abertos?").click()
    await expect(page.get_by_test_id("thread").get_by_text("Boa noite! Ainda estão abertos?")).to_be_visible()
    await expect(html).to_have_class(re.compile(r"\bdark\b"))


async def test_skip_link_and_keyboard_focus(screens, dashboard, new_email) -> None:
    page = await screens.new_page()
    ui = dashboard(page)
    await ui.sign_up(name="Nina Prado", company="Livraria Prado", email=new_email("keys"))
    await page.goto("/contacts")
    await expect(page.get_by_role("heading", name="Contatos")).to_be_visible()

    await page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Pular para o conteúdo")
    await expect(skip).to_be_focused()
    await expect(skip).to_be_visible()
    await page.keyboard.press("Enter")
    await expect(page.locator("main#main")).to_be_focused()

    # Focus is drawn where the keyboard is: the next control gets a visible outline.
    await page.keyboard.press("Tab")
    focused = page.locator(":focus-visible")
    await expect(focused).to_have_count(1)
    outline = await focused.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
