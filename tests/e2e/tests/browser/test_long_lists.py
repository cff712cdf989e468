"""Long lists: the inbox pages in as it scrolls (virtualised), and a long thread loads earlier messages upwards."""

from __future__ import annotations

from playwright.async_api import expect

from masteria.e2e.clients import Sandbox

SCROLL_LIST_TO_END = """([selector, total]) => {
  const list = document.querySelector('[data-testid="conversation-list"]');
  if (!list) return false;
  list.scrollTop = list.scrollHeight;
  return document.querySelector(`li[aria-setsize="${total}"]`) !== null;
}"""


async def test_the_conversation_list_pages_in_while_scrolling(
    screens, dashboard, meta_number, sandbox: Sandbox, new_email
) -> None:
    number = await meta_number()
    page = await screens.new_page()
    ui = dashboard(page)
    await ui.sign_up(name="Otávio Lins", company="Atacado Lins", email=new_email("long-list"))
    await ui.connect_number(number)
    await sandbox.burst(number, 120, customers=120, text_prefix="pedido")
    await ui.open_inbox()
    await expect(page.get_by_test_id("conversation-item").first).to_be_visible()

    # Scrolling to the end asks for the next pages (cursor) until all 120 conversations are listed...
    await page.wait_for_function(SCROLL_LIST_TO_END, arg=["", 120], polling=100, timeout=30_000)
    # ...while only the rows in view are in the DOM.
    assert await page.get_by_test_id("conversation-item").count() < 60


async def test_a_long_thread_loads_earlier_messages_upwards_in_place(
    screens, dashboard, meta_number, sandbox: Sandbox, new_email
) -> None:
    number = await meta_number()
    page = await screens.new_page()
    ui = dashboard(page)
    await ui.sign_up(name="Paula Reis", company="Doceria Reis", email=new_email("long-thread"))
    await ui.connect_number(number)
    await sandbox.burst(number, 75, customers=1, text_prefix="parte")
    await ui.open_inbox()
    row = page.get_by_test_id("conversation-item").filter(has_text="Cliente 1")
    await expect(row.get_by_test_id("unread-badge")).to_have_text("75")
    await row.click()

    thread = page.get_by_test_id("thread")
    bubbles = thread.locator("[data-message-id]")
    await expect(bubbles).to_have_count(30)  # the newest page, newest at the bottom
    assert await thread.evaluate("el => el.scrollHeight - el.scrollTop - el.clientHeight < 2")

    first_id = await bubbles.first.get_attribute("data-message-id")
    await thread.evaluate("el => { el.scrollTop = 0; }")
    await expect(bubbles).to_have_count(60)
    # Earlier messages went in above: the message that was on top is still where the reader left it.
    top = await thread.evaluate("el => el.getBoundingClientRect().top")
    kept = thread.locator(f'[data-message-id="{first_id}"]')
    assert abs((await kept.evaluate("el => el.getBoundingClientRect().top")) - top) < 120

    await thread.evaluate("el => { el.scrollTop = 0; }")
    await expect(bubbles).to_have_count(75)
    await expect(thread.get_by_text("Início da conversa")).to_be_visible()
    # The panes scroll inside the window: the page itself never grows past it.
    assert await page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
