"""One company never sees another's conversations; a person in two companies switches between them."""

from __future__ import annotations

import re

from playwright.async_api import expect

from masteria.e2e.clients import Sandbox


async def test_a_second_company_sees_none_of_the_first_ones_conversations(
    screens, dashboard, meta_number, sandbox: Sandbox, new_email
) -> None:
    number = await meta_number()
    first = await screens.new_page()
    ui_first = dashboard(first)
    await ui_first.sign_up(name="Igor Prates", company="Loja Um", email=new_email("tenant-a"))
    await ui_first.connect_number(number)
    await ui_first.open_inbox()
    await sandbox.customer_writes(number, "Segredo da Loja Um", sender="5511900001111", name="Cliente Um")
    row = ui_first.conversation("Segredo da Loja Um")
    await expect(row).to_be_visible()
    await row.click()
    await expect(first).to_have_url(re.compile(r"/inbox/[0-9a-f-]{36}$"))
    conversation_url = first.url.split("/inbox/", 1)[1]

    second = await screens.new_page()
    ui_second = dashboard(second)
    await ui_second.sign_up(name="Júlia Mota", company="Loja Dois", email=new_email("tenant-b"))
    await expect(second.get_by_role("heading", name="Conecte um número do WhatsApp para começar")).to_be_visible()
    await expect(second.get_by_test_id("conversation-item")).to_have_count(0)

    await second.goto("/inbox?q=Segredo")
    await expect(second.get_by_text("Nenhuma conversa encontrada para “Segredo”.")).to_be_visible()
    await expect(second.get_by_test_id("conversation-item")).to_have_count(0)

    await second.goto(f"/inbox/{conversation_url}")
    await expect(second.get_by_text("Esta conversa não existe ou não é da sua empresa.")).to_be_visible()
    await expect(second.get_by_text("Segredo da Loja Um")).to_have_count(0)

    await second.goto("/settings/channels")
    await expect(second.get_by_text("Nenhum número conectado ainda.", exact=False)).to_be_visible()
    await expect(second.get_by_test_id("phone-number")).to_have_count(0)


async def test_switching_company_shows_that_company_only(
    screens, dashboard, meta_number, sandbox: Sandbox, new_email
) -> None:
    number = await meta_number()
    page = await screens.new_page()
    ui = dashboard(page)
    await ui.sign_up(name="Karen Dias", company="Matriz", email=new_email("switch"))
    await ui.connect_number(number)
    await sandbox.customer_writes(number, "Mensagem para a Matriz", sender="5511900002222", name="Cliente Matriz")
    await ui.open_inbox()
    await expect(ui.conversation("Mensagem para a Matriz")).to_be_visible()

    # A second company for the same person (as the API offers it), then the switcher appears.
    csrf = next(c["value"] for c in await page.context.cookies() if c["name"] == "masteria_csrf")
    created = await page.request.post("/api/v1/tenants", data={"name": "Filial"}, headers={"X-CSRF-Token": csrf})
    assert created.status == 201, await created.text()
    await page.reload()

    await page.get_by_role("button", name="Trocar de empresa: Matriz").click()
    await page.get_by_role("menuitemradio", name=re.compile("Filial")).click()
    await expect(page.get_by_text("Agora você está em Filial.")).to_be_visible()
    await expect(page.get_by_test_id("tenant-name")).to_have_text("Filial")
    await expect(page.get_by_role("heading", name="Conecte um número do WhatsApp para começar")).to_be_visible()
    await expect(page.locator('[data-live-status="connected"]')).to_be_visible()

    await page.get_by_role("button", name="Trocar de empresa: Filial").click()
    await page.get_by_role("menuitemradio", name=re.compile("Matriz")).click()
    await expect(page.get_by_test_id("tenant-name")).to_have_text("Matriz")
    await expect(ui.conversation("Mensagem para a Matriz")).to_be_visible()

    # The live stream follows the switch: a new message for the Matriz shows up without reload.
    await expect(page.locator('[data-live-status="connected"]')).to_be_visible()
    await sandbox.customer_writes(number, "Chegou depois da troca", sender="5511900002222", name="Cliente Matriz")
    await expect(ui.conversation("Chegou depois da troca")).to_be_visible()
