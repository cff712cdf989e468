"""A customer writes on WhatsApp and the open inbox shows it at once, without reloading."""

from __future__ import annotations

import re

from playwright.async_api import expect

from masteria.e2e.clients import Sandbox


async def test_a_customer_message_appears_live_in_the_inbox_and_thread(
    screens, dashboard, meta_number, sandbox: Sandbox, new_email
) -> None:
    number = await meta_number()
    page = await screens.new_page()
    ui = dashboard(page)
    await ui.sign_up(name="Elisa Rocha", company="Floricultura Rocha", email=new_email("live"))
    shown = await ui.connect_number(number, label="Vendas")
    assert (await sandbox.subscribe(number, shown["webhook_url"], shown["verify_token"]))["verified"] is True

    await ui.open_inbox()
    await expect(page.get_by_role("heading", name="Nenhuma conversa ainda")).to_be_visible()
    # Marks this very document: a reload or navigation would lose it.
    await page.evaluate("window.__sameDocument = true")

    await sandbox.customer_writes(number, "Oi! Vocês entregam hoje?", sender="5511987650001", name="Joana Prado")
    row = ui.conversation("Oi! Vocês entregam hoje?")
    await expect(row).to_be_visible()
    await expect(row).to_contain_text("Joana Prado")
    await expect(row.get_by_test_id("unread-badge")).to_have_text("1")
    await expect(row.get_by_role("img", name="WhatsApp")).to_be_visible()
    assert await page.evaluate("window.__sameDocument") is True

    await row.click()
    await expect(page).to_have_url(re.compile(r"/inbox/[0-9a-f-]{36}$"))
    thread = page.get_by_test_id("thread")
    await expect(page.get_by_test_id("thread-title")).to_have_text("Joana Prado")
    await expect(thread.get_by_text("Oi! Vocês entregam hoje?")).to_be_visible()
    contact = page.get_by_role("complementary", name="Contato")
    await expect(contact.get_by_role("link", name="+55 11 98765-0001")).to_be_visible()

    # With the thread open, the next message arrives in it (and in the list) live.
    await sandbox.customer_writes(number, "Queria um buquê de girassóis 🌻", sender="5511987650001", name="Joana Prado")
    await expect(thread.get_by_text("Queria um buquê de girassóis 🌻")).to_be_visible()
    # The thread is open in front of the agent: the new message counts as read, no badge.
    await expect(ui.conversation("Queria um buquê de girassóis 🌻").get_by_test_id("unread-badge")).to_have_count(0)
    bubbles = thread.locator("[data-message-id]")
    await expect(bubbles).to_have_count(2)
    await expect(bubbles.last).to_contain_text("girassóis")

    # A second customer: a new conversation goes to the top of the list.
    await sandbox.customer_writes(number, "Bom dia, qual o horário?", sender="5521912340002", name="Paulo Reis")
    await expect(page.get_by_test_id("conversation-item").first).to_contain_text("Bom dia, qual o horário?")
    await expect(page.get_by_test_id("conversation-item")).to_have_count(2)
    assert await page.evaluate("window.__sameDocument") is True

    # Search narrows the list, and the URL keeps it (a shareable view).
    await page.get_by_role("searchbox", name="Buscar conversas").fill("Paulo")
    await expect(page).to_have_url(re.compile(r"[?&]q=Paulo"))
    await expect(page.get_by_test_id("conversation-item")).to_have_count(1)
    await expect(page.get_by_test_id("conversation-item")).to_contain_text("Paulo Reis")
    await page.get_by_role("button", name="Limpar busca").click()
    await expect(page.get_by_test_id("conversation-item")).to_have_count(2)
    await expect(page).not_to_have_url(re.compile(r"q="))

    # Keyboard: "/" goes to the search, J and K to the next and previous conversation.
    await page.get_by_test_id("thread").click()
    await page.keyboard.press("/")
    await expect(page.get_by_role("searchbox", name="Buscar conversas")).to_be_focused()
    await page.keyboard.press("Tab")
    await page.keyboard.press("k")
    await expect(page.get_by_test_id("thread-title")).to_have_text("Paulo Reis")
    await page.keyboard.press("j")
    await expect(page.get_by_test_id("thread-title")).to_have_text("Joana Prado")


async def test_inbox_on_a_phone_shows_one_pane_at_a_time(
    screens, dashboard, meta_number, sandbox: Sandbox, new_email
) -> None:
    number = await meta_number()
    page = await screens.new_page(width=390, height=844)
    ui = dashboard(page)
    await ui.sign_up(name="Fábio Nunes", company="Açaí do Fábio", email=new_email("phone"))
    await page.goto("/settings/channels")
    form = page.get_by_role("form", name="Conectar número do WhatsApp")
    await form.get_by_label("ID do número de telefone").fill(number.phone_number_id)
    await form.get_by_label("ID da conta do WhatsApp Business").fill(number.waba_id)
    await form.get_by_label("Token de acesso").fill(number.access_token)
    await form.get_by_label("Chave secreta do app").fill(number.app_secret)
    await form.get_by_role("button", name="Conectar número").click()
    await expect(page.get_by_test_id("phone-number")).to_be_visible()
    await sandbox.customer_writes(number, "Tem açaí de 500 ml?", sender="5511955550003", name="Rita")

    await page.get_by_role("button", name="Abrir menu").click()
    await page.get_by_role("dialog").get_by_role("link", name="Conversas").click()
    row = ui.conversation("Tem açaí de 500 ml?")
    await expect(row).to_be_visible()
    await row.click()
    await expect(page.get_by_test_id("thread").get_by_text("Tem açaí de 500 ml?")).to_be_visible()
    await expect(page.get_by_test_id("conversation-list")).to_be_hidden()
    await page.get_by_role("link", name="Voltar para as conversas").click()
    await expect(page.get_by_test_id("conversation-list")).to_be_visible()
    await expect(page.get_by_test_id("thread")).to_have_count(0)
