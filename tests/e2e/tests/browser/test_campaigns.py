"""A campaign manager creates a campaign in the dashboard's step-by-step form, launches it, and watches it live.

Everything through the real stack: contacts in the CRM, the campaigns service's live count and preview, the
WhatsApp adapter sending templates to the sandbox's Meta, statuses back, and the progress on the page moving
with the gateway's event feed (no reload: a marker set on the window before launch is still there at 100%).
"""

from __future__ import annotations

import re
from typing import Any

from playwright.async_api import Page, expect

from masteria.e2e.clients import Sandbox

FIRST_NAMES = ["Ana", "Bruno", "Carla", "Diego", "Elisa", "Fábio", "Gina", "Hugo", "Iara", "João", "Kátia", "Lucas"]


async def add_contacts(page: Page, tag: str, count: int) -> list[dict[str, Any]]:
    """Tagged contacts created through the API with the page's own session (the CSRF cookie as header)."""
    cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
    headers = {"X-CSRF-Token": cookies.get("masteria_csrf", "")}
    made = []
    for i in range(count):
        name = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} Prado"
        body = {"phone": f"+55119876{5200 + i:04d}", "name": name, "tags": [tag]}
        response = await page.request.post("/api/v1/contacts", data=body, headers=headers)
        assert response.status == 201, await response.text()
        made.append(await response.json())
    outsider = await page.request.post(
        "/api/v1/contacts", data={"phone": "+5511912345678", "name": "Sem Etiqueta", "tags": []}, headers=headers)
    assert outsider.status == 201, await outsider.text()
    return made


async def test_a_campaign_is_built_step_by_step_launched_and_followed_live(
    screens: Any, dashboard: Any, meta_number: Any, sandbox: Sandbox, new_email: Any
) -> None:
    number = await meta_number()
    await sandbox.meta_behaviour(number, statuses=["sent", "delivered"], status_delay_ms=100, read_after_ms=300)
    page = await screens.new_page()
    ui = dashboard(page)
    await ui.sign_up(name="Rita Lima", company="Padaria Lima", email=new_email("campaign"))
    shown = await ui.connect_number(number, label="Balcão")
    assert (await sandbox.subscribe(number, shown["webhook_url"], shown["verify_token"]))["verified"] is True
    await page.get_by_test_id("templates-sync").click()
    await expect(page.get_by_test_id("template-row").first).to_be_visible()
    contacts = await add_contacts(page, "natal", 12)
    # The bakery is in Lisbon: its schedules start in its own time zone.
    cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
    zone = await page.request.patch(
        "/api/v1/tenants/current", data={"timezone": "Europe/Lisbon"},
        headers={"X-CSRF-Token": cookies.get("masteria_csrf", "")})
    assert zone.status == 200, await zone.text()
    await page.reload()

    # Campanhas → Nova campanha.
    nav = page.get_by_role("navigation", name="Navegação principal")
    await nav.get_by_role("link", name="Campanhas").click()
    await expect(page).to_have_url(re.compile(r"/campaigns$"))
    await expect(page.get_by_role("heading", name="Nenhuma campanha ainda")).to_be_visible()
    await page.get_by_test_id("campaign-create").click()

    # 1. Channel and sender.
    await page.get_by_label("Nome da campanha").fill("Natal na Padaria")
    await page.get_by_test_id("sender-option").check()
    await page.get_by_test_id("wizard-next").click()

    # 2. Audience: the tag, with the live count (the campaigns service learns contacts from events).
    await page.get_by_test_id("tags-include-select").select_option("natal")
    await expect(page.get_by_test_id("audience-count")).to_have_attribute("data-sendable", "12", timeout=30_000)
    await page.get_by_test_id("wizard-next").click()

    # 3. Message: the approved template, its variable filled with each contact's first name.
    await page.locator('[data-testid="campaign-template-option"][data-template-name="boas_vindas"]').click()
    await page.get_by_test_id("campaign-template-variable").fill("{{first_name|Cliente}}")
    preview = page.get_by_test_id("campaign-preview")
    await expect(preview).to_contain_text("Olá Ana!")
    await page.get_by_test_id("wizard-next").click()

    # 4. Schedule: a later start would be read in the tenant's zone; now, slowly enough to see it move.
    await page.get_by_test_id("start-later").check()
    await expect(page.get_by_test_id("schedule-timezone")).to_have_value("Europe/Lisbon")
    await page.get_by_test_id("start-now").check()
    await page.get_by_test_id("messages-per-second").fill("4")
    await expect(page.get_by_test_id("estimated-duration")).to_contain_text("3 s")
    await page.get_by_test_id("wizard-next").click()

    # 5. Review and launch.
    await expect(page.get_by_test_id("review-count")).to_contain_text("12 contatos")
    await page.evaluate("window.__sameDocument = true")
    await page.get_by_test_id("launch-campaign").click()
    await expect(page).to_have_url(re.compile(r"/campaigns/[0-9a-f-]{36}$"))
    await expect(page.get_by_test_id("campaign-live")).to_have_attribute("data-live", "on")

    # The page records every percentage the progress bar shows, to prove it moved live, not in one jump.
    await page.evaluate("""() => {
        window.__percents = [];
        const note = () => {
            const bar = document.querySelector('[data-testid="campaign-progress"]');
            if (bar) window.__percents.push(Number(bar.getAttribute('data-percent')));
        };
        note();
        new MutationObserver(note).observe(document.body, {subtree: true, attributes: true, childList: true});
    }""")
    progress = page.get_by_test_id("campaign-progress")
    await expect(progress).to_have_attribute("data-percent", "100", timeout=60_000)
    await expect(page.get_by_test_id("campaign-page")).to_have_attribute("data-state", "completed", timeout=30_000)
    await expect(page.get_by_test_id("state-badge").first).to_have_text("Concluída")
    # Statuses keep coming after the last send: every message ends up read, live.
    await expect(page.get_by_test_id("count-read")).to_have_attribute("data-value", "12", timeout=30_000)
    assert await page.evaluate("window.__sameDocument") is True
    seen = await page.evaluate("window.__percents")
    assert any(0 < p < 100 for p in seen), f"the bar jumped straight to the end: {seen}"
    # Recipients are listed by name, as the operator knows them.
    await expect(page.get_by_test_id("recipient-name").filter(has_text="Ana Prado")).to_be_visible()

    # Meta got one template per tagged contact, with their own first name; the untagged one got nothing.
    sent = [e for e in await sandbox.meta_ledger(number) if e["type"] == "template"]
    assert sorted(f"+{e['to'].lstrip('+')}" for e in sent) == sorted(c["phone"] for c in contacts)
    texts = {
        f"+{e['to'].lstrip('+')}": e["body"]["template"]["components"][0]["parameters"][0]["text"] for e in sent
    }
    assert texts == {c["phone"]: c["name"].split()[0] for c in contacts}

    # The list shows it finished, with its full bar.
    await page.get_by_role("link", name="Todas as campanhas").click()
    row = page.get_by_test_id("campaign-row").filter(has_text="Natal na Padaria")
    await expect(row).to_have_attribute("data-state", "completed")
    await expect(row.get_by_test_id("campaign-progress")).to_have_attribute("data-percent", "100")


async def test_a_cadence_is_built_activated_and_its_enrolments_followed(
    screens: Any, dashboard: Any, meta_number: Any, sandbox: Sandbox, new_email: Any
) -> None:
    number = await meta_number()
    await sandbox.meta_behaviour(number, statuses=["sent", "delivered"], status_delay_ms=100)
    page = await screens.new_page()
    ui = dashboard(page)
    await ui.sign_up(name="Caio Nunes", company="Ótica Nunes", email=new_email("cadence"))
    shown = await ui.connect_number(number)
    assert (await sandbox.subscribe(number, shown["webhook_url"], shown["verify_token"]))["verified"] is True
    await page.get_by_test_id("templates-sync").click()
    await expect(page.get_by_test_id("template-row").first).to_be_visible()
    contacts = await add_contacts(page, "leads-novos", 3)

    await page.goto("/campaigns/cadences")
    await expect(page.get_by_role("heading", name="Nenhuma cadência ainda")).to_be_visible()
    await page.get_by_test_id("cadence-create").click()
    await page.get_by_test_id("cadence-name").fill("Boas-vindas de novos leads")

    # Step 1 right away, step 2 two days later only for those who did not reply.
    first, second = page.get_by_test_id("cadence-step").nth(0), page.get_by_test_id("cadence-step").nth(1)
    await page.get_by_test_id("add-step").click()
    for step in (first, second):
        await step.locator('[data-testid="campaign-template-option"][data-template-name="boas_vindas"]').click()
        await step.get_by_test_id("campaign-template-variable").fill("{{first_name|Cliente}}")
    await expect(second.get_by_test_id("step-condition")).to_have_value("no_reply")
    await second.get_by_test_id("step-delay").fill("2")
    await expect(second).to_contain_text("2 dias após a inscrição")
    await page.get_by_role("switch", name="Só enviar em horário comercial").click()  # any hour, for the test
    await page.get_by_test_id("cadence-save").click()

    await expect(page).to_have_url(re.compile(r"/campaigns/cadences/[0-9a-f-]{36}$"))
    await expect(page.get_by_test_id("cadence-page")).to_have_attribute("data-state", "draft")
    await page.get_by_test_id("cadence-activate").click()
    await expect(page.get_by_test_id("cadence-page")).to_have_attribute("data-state", "active")

    await page.get_by_test_id("cadence-enrol").click()
    dialog = page.get_by_test_id("enrol-dialog")
    await dialog.get_by_test_id("enrol-tag").select_option("leads-novos")
    await dialog.get_by_test_id("enrol-submit").click()
    await expect(page.get_by_test_id("enrolments-total")).to_have_attribute("data-value", "3")
    await expect(page.get_by_test_id("enrolment-row")).to_have_count(3)

    # The first step goes to each of them (the second waits two days).
    async def first_step_sent() -> list[dict[str, Any]]:
        return [e for e in await sandbox.meta_ledger(number) if e["type"] == "template"]

    step_rows = page.get_by_test_id("cadence-step-row")
    await expect(step_rows.nth(0).locator("td").nth(2)).to_have_text("3", timeout=30_000)
    sent = await first_step_sent()
    assert sorted(f"+{e['to'].lstrip('+')}" for e in sent) == sorted(c["phone"] for c in contacts)
    await expect(page.get_by_test_id("enrolment-row").first).to_contain_text("Etapa 2")
