"""Settings → Channels: connect a WhatsApp Cloud API number and get what Meta's webhook setup needs."""

from __future__ import annotations

import re

from playwright.async_api import expect

from masteria.e2e.clients import Sandbox


async def test_connect_a_whatsapp_number_in_settings(
    screens, dashboard, meta_number, sandbox: Sandbox, new_email
) -> None:
    number = await meta_number()
    page = await screens.new_page()
    ui = dashboard(page)
    await ui.sign_up(name="Diego Alves", company="Mercado Alves", email=new_email("channels"))

    # The inbox's empty state leads here.
    await page.get_by_role("link", name="Conectar número do WhatsApp").click()
    await expect(page).to_have_url(re.compile(r"/settings/channels$"))

    # Mistakes are named under their field before anything is sent.
    form = page.get_by_role("form", name="Conectar número do WhatsApp")
    await form.get_by_label("ID do número de telefone").fill("abc-123")
    await form.get_by_role("button", name="Conectar número").click()
    await expect(form.get_by_text("Use só números.")).to_be_visible()
    await expect(form.get_by_text("Preencha este campo.")).to_have_count(3)

    shown = await ui.connect_number(number, label="Atendimento")
    await expect(page.get_by_text("Número conectado. Agora configure o webhook na Meta.")).to_be_visible()
    card = page.get_by_test_id("phone-number")
    await expect(card.get_by_text("Atendimento")).to_be_visible()
    await expect(card.get_by_role("button", name="Copiar URL do webhook")).to_be_visible()
    await expect(card.get_by_role("button", name="Copiar Token de verificação")).to_be_visible()

    # What the page shows is what Meta needs: the sandbox's handshake with it succeeds.
    subscription = await sandbox.subscribe(number, shown["webhook_url"], shown["verify_token"])
    assert subscription.get("verified") is True, subscription

    # The copy button puts the token on the clipboard.
    await card.get_by_role("button", name="Copiar Token de verificação").click()
    assert await page.evaluate("navigator.clipboard.readText()") == shown["verify_token"]

    # Connecting the same number again: the server refuses, and says so in a toast.
    await page.get_by_role("button", name="Conectar outro número").click()
    again = page.get_by_role("form", name="Conectar número do WhatsApp")
    await again.get_by_label("ID do número de telefone").fill(number.phone_number_id)
    await again.get_by_label("ID da conta do WhatsApp Business").fill(number.waba_id)
    await again.get_by_label("Token de acesso").fill(number.access_token)
    await again.get_by_label("Chave secreta do app").fill(number.app_secret)
    await again.get_by_role("button", name="Conectar número").click()
    await expect(page.get_by_text("Este número já está conectado.")).to_be_visible()
    await again.get_by_role("button", name="Cancelar").click()
    await expect(page.get_by_test_id("phone-number")).to_have_count(1)

    # The list survives a reload (it comes from the server).
    await page.reload()
    await expect(page.get_by_test_id("phone-number").get_by_label("Token de verificação", exact=True)).to_have_value(
        shown["verify_token"])
