"""The agent answers from the dashboard: a WhatsApp reply ticks live; a closed window asks for a template."""

from __future__ import annotations

import re
import time

from playwright.async_api import expect

from masteria.e2e.clients import Sandbox


async def test_an_agent_replies_on_whatsapp_and_watches_the_ticks(
    screens, dashboard, meta_number, sandbox: Sandbox, new_email
) -> None:
    number = await meta_number()
    await sandbox.meta_behaviour(number, statuses=["sent", "delivered"], status_delay_ms=300, read_after_ms=1500)
    page = await screens.new_page()
    ui = dashboard(page)
    await ui.sign_up(name="Rita Lima", company="Padaria Lima", email=new_email("reply"))
    shown = await ui.connect_number(number, label="Balcão")
    assert (await sandbox.subscribe(number, shown["webhook_url"], shown["verify_token"]))["verified"] is True
    await ui.open_inbox()

    await sandbox.customer_writes(number, "Tem pão de queijo hoje?", sender="5511987651001", name="Marcos Dias")
    row = ui.conversation("Tem pão de queijo hoje?")
    await row.click()
    await expect(page).to_have_url(re.compile(r"/inbox/[0-9a-f-]{36}$"))
    await expect(row.get_by_test_id("unread-badge")).to_have_count(0)  # opening it marks it read

    composer = page.get_by_test_id("composer")
    await expect(composer).to_have_attribute("data-window", "open")
    await page.get_by_role("textbox", name="Mensagem").fill("Temos sim! Saiu do forno agora 🧀")
    await page.get_by_role("button", name="Enviar", exact=True).click()

    thread = page.get_by_test_id("thread")
    mine = thread.get_by_test_id("message").filter(has_text="Saiu do forno agora")
    await expect(mine).to_have_attribute("data-direction", "outbound")
    status = mine.get_by_test_id("message-status")
    # The ticks move forward live, without reloading, as Meta's status webhooks arrive.
    await expect(status).to_have_attribute("data-status", "delivered")
    await expect(status).to_have_attribute("data-status", "read")
    await expect(page.get_by_role("textbox", name="Mensagem")).to_have_value("")

    [sent] = [e for e in await sandbox.meta_ledger(number) if e["to"] == "5511987651001"]
    assert sent["body"]["text"]["body"] == "Temos sim! Saiu do forno agora 🧀"

    # Resolve it from the header: the list shows the new status.
    await page.get_by_test_id("status-control").click()
    await page.get_by_role("menuitemradio", name="Resolvida").click()
    await expect(page.get_by_test_id("status-control")).to_have_attribute("data-status", "resolved")


async def test_outside_the_window_the_composer_explains_and_sends_a_template(
    screens, dashboard, meta_number, sandbox: Sandbox, new_email
) -> None:
    number = await meta_number()
    await sandbox.meta_behaviour(number, statuses=["sent", "delivered"], status_delay_ms=200)
    page = await screens.new_page()
    ui = dashboard(page)
    await ui.sign_up(name="Caio Nunes", company="Ótica Nunes", email=new_email("template"))
    shown = await ui.connect_number(number)
    assert (await sandbox.subscribe(number, shown["webhook_url"], shown["verify_token"]))["verified"] is True
    await page.get_by_test_id("templates-sync").click()
    await expect(page.get_by_test_id("template-row").first).to_be_visible()
    await ui.open_inbox()

    two_days_ago = int(time.time()) - 48 * 3600
    response = await sandbox.http.post(f"/_sandbox/meta/numbers/{number.phone_number_id}/customers/write", json={
        "from": "5511987651002", "name": "Lúcia Prado", "text": "Meus óculos ficaram prontos?",
        "timestamp": two_days_ago})
    assert response.status_code == 200, response.text
    await ui.conversation("Meus óculos ficaram prontos?").click()

    composer = page.get_by_test_id("composer")
    await expect(composer).to_have_attribute("data-window", "closed")
    await expect(page.get_by_test_id("window-closed")).to_contain_text("24")
    await page.get_by_test_id("open-template-picker").click()
    picker = page.get_by_test_id("template-picker")
    await picker.locator('[data-template-name="boas_vindas"]').click()
    await picker.get_by_test_id("template-variable").first.fill("Lúcia")
    await expect(picker.get_by_test_id("template-preview")).to_contain_text("Lúcia")
    await picker.get_by_test_id("template-send").click()

    sent = page.get_by_test_id("thread").locator('[data-testid="message"][data-direction="outbound"]').last
    await expect(sent.get_by_test_id("message-status")).to_have_attribute("data-status", "delivered")
    [entry] = [e for e in await sandbox.meta_ledger(number) if e["to"] == "5511987651002"]
    assert entry["type"] == "template"
    assert entry["body"]["template"]["name"] == "boas_vindas"
