"""Sign up, log out, log in; a protected page sends a signed-out visitor to sign in and back; OAuth."""

from __future__ import annotations

import re
import uuid

from playwright.async_api import expect

from masteria.e2e.clients import Sandbox


async def test_sign_up_log_out_and_log_in_again(screens, dashboard, new_email) -> None:
    page = await screens.new_page()
    ui = dashboard(page)
    email = new_email("signup")
    await ui.sign_up(name="Ana Souza", company="Padaria da Ana", email=email)

    # A new company has nothing connected: the inbox says what to do next.
    await expect(page.get_by_role("heading", name="Conecte um número do WhatsApp para começar")).to_be_visible()
    connect = page.get_by_role("link", name="Conectar número do WhatsApp")
    await expect(connect).to_have_attribute("href", "/settings/channels")

    await ui.log_out("Ana Souza")
    await page.goto("/inbox")
    await expect(page).to_have_url(re.compile(r"/login\?next=%2Finbox$"))

    await ui.log_in(email=email, password="wrong-password-123")
    await expect(page.get_by_role("alert")).to_have_text("E-mail ou senha incorretos.")

    await ui.log_in(email=email)
    await expect(page).to_have_url(re.compile(r"/inbox$"))
    await expect(page.get_by_test_id("tenant-name")).to_have_text("Padaria da Ana")


async def test_sign_in_returns_to_the_page_asked_for(screens, dashboard, new_email) -> None:
    page = await screens.new_page()
    ui = dashboard(page)
    email = new_email("next")
    await ui.sign_up(name="Bruno Lima", company="Oficina do Bruno", email=email)
    await ui.log_out("Bruno Lima")

    await page.goto("/settings/channels")
    await expect(page).to_have_url(re.compile(r"/login\?next=%2Fsettings%2Fchannels$"))
    google = page.get_by_role("link", name="Entrar com Google")
    await expect(google).to_have_attribute("href", "/auth/oauth/google/login?next=%2Fsettings%2Fchannels")
    await expect(page.get_by_role("link", name="Entrar com Facebook")).to_have_attribute(
        "href", "/auth/oauth/facebook/login?next=%2Fsettings%2Fchannels")

    await ui.log_in(email=email)
    await expect(page).to_have_url(re.compile(r"/settings/channels$"))
    await expect(page.get_by_role("heading", name="Canais", exact=True)).to_be_visible()


async def test_sign_up_form_shows_what_to_fix(screens, new_email) -> None:
    page = await screens.new_page()
    await page.goto("/signup")
    await page.get_by_label("Seu nome").fill("Carla")
    await page.get_by_label("Nome da empresa").fill("Loja da Carla")
    await page.get_by_label("E-mail").fill("carla-sem-arroba")
    await page.get_by_label("Senha", exact=True).fill("curta")
    await page.get_by_role("button", name="Criar conta").click()
    await expect(page.get_by_text("Digite um e-mail válido, como nome@empresa.com.br.")).to_be_visible()
    await expect(page.get_by_text("A senha precisa de pelo menos 10 caracteres.")).to_be_visible()
    await expect(page.get_by_label("Senha", exact=True)).to_have_attribute("aria-invalid", "true")

    # The server's own answer for a taken address appears under the email field.
    taken = new_email("taken")
    await page.request.post("/auth/signup", data={
        "email": taken, "password": "correct-horse-battery", "name": "Outra", "tenant_name": "Outra Loja"})
    await page.context.clear_cookies()
    await page.get_by_label("E-mail").fill(taken)
    await page.get_by_label("Senha", exact=True).fill("correct-horse-battery")
    await page.get_by_role("button", name="Criar conta").click()
    await expect(page.get_by_text("Este e-mail já tem conta. Entre com ele, ou use outro e-mail.")).to_be_visible()


async def test_entrar_com_google_comes_back_signed_in(screens, sandbox: Sandbox, new_email) -> None:
    email = new_email("google")
    response = await sandbox.http.post("/_sandbox/oauth/google/user", json={
        "id": uuid.uuid4().hex, "email": email, "name": "Gabriela Google", "email_verified": True})
    assert response.status_code == 200, response.text
    page = await screens.new_page()
    await page.goto("/login?next=%2Fsettings%2Fpreferences")
    await page.get_by_role("link", name="Entrar com Google").click()
    await expect(page).to_have_url(re.compile(r"/settings/preferences$"))
    await expect(page.get_by_role("heading", name="Preferências")).to_be_visible()
    await expect(page.get_by_test_id("tenant-name")).to_contain_text("Gabriela Google")


async def test_an_expired_session_goes_to_sign_in_and_back(screens, dashboard, new_email) -> None:
    page = await screens.new_page()
    ui = dashboard(page)
    email = new_email("expired")
    await ui.sign_up(name="Sofia Teles", company="Teles Modas", email=email)
    nav = page.get_by_role("navigation", name="Navegação principal")
    await nav.get_by_role("link", name="Configurações").click()
    form = page.get_by_role("form", name="Conectar número do WhatsApp")
    await expect(form).to_be_visible()
    await expect(page.locator('[data-live-status="connected"]')).to_be_visible()

    # The session ends behind the app's back; the next API call (this form's) answers 401.
    await page.context.clear_cookies()
    await form.get_by_label("ID do número de telefone").fill("106540352242922")
    await form.get_by_label("ID da conta do WhatsApp Business").fill("102290129340398")
    await form.get_by_label("Token de acesso").fill("EAAG-some-token")
    await form.get_by_label("Chave secreta do app").fill("some-app-secret")
    await form.get_by_role("button", name="Conectar número").click()
    await expect(page).to_have_url(re.compile(r"/login\?next=%2Fsettings%2Fchannels$"))
    await expect(page.get_by_text("Sua sessão expirou. Entre de novo para continuar de onde parou.")).to_be_visible()

    await ui.log_in(email=email)
    await expect(page).to_have_url(re.compile(r"/settings/channels$"))
    await expect(page.get_by_role("heading", name="Canais", exact=True)).to_be_visible()
