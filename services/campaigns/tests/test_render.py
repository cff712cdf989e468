"""Variables in message content: filled from the contact, with fallbacks; a missing one makes a message unsendable."""

from __future__ import annotations

from masteria.campaigns.render import check_spec, content_hash, render_content, required_variables
from masteria.contracts.content import TemplateContent, TextContent

MARIA = {
    "name": "Maria da Silva",
    "phone": "+5511999990001",
    "email": None,
    "custom_fields": {"plan": "Gold"},
    "lead_stage_name": "Proposta",
}


def text(body: str) -> dict[str, object]:
    return {"kind": "text", "body": body}


def test_variables_are_filled_from_the_contact() -> None:
    spec = text("Olá {{first_name}}, seu plano {{custom.plan}} ({{stage}}) — {{ name }} {{phone}}")
    result = render_content(spec, MARIA)
    assert result.content == TextContent(body="Olá Maria, seu plano Gold (Proposta) — Maria da Silva +5511999990001")
    assert result.variables["first_name"] == "Maria"
    assert result.missing == []


def test_a_fallback_stands_in_for_a_missing_value() -> None:
    result = render_content(text("Oi {{first_name|Cliente}}! {{email|sem email}}"), {**MARIA, "name": "  "})
    assert result.content == TextContent(body="Oi Cliente! sem email")


def test_a_missing_variable_without_fallback_makes_the_message_unsendable() -> None:
    result = render_content(text("Seu email {{email}} e plano {{custom.tier}}"), MARIA)
    assert result.content is None
    assert result.missing == ["email", "custom.tier"]


def test_template_parameters_hold_variables() -> None:
    spec = {
        "kind": "template",
        "name": "promo",
        "language": "pt_BR",
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "{{first_name}}"}]}],
    }
    result = render_content(spec, MARIA)
    assert isinstance(result.content, TemplateContent)
    assert result.content.components[0].parameters[0].text == "Maria"
    assert result.content.name == "promo"


def test_a_row_like_object_renders_too() -> None:
    class Row:
        _mapping = MARIA

    assert render_content(text("{{first_name}}"), Row()).content == TextContent(body="Maria")


def test_content_that_is_invalid_once_rendered_is_refused_with_a_reason() -> None:
    result = render_content(text("{{email|}}"), MARIA)
    assert result.content is None
    assert result.error is not None
    assert "body" in result.error


def test_the_hash_is_of_the_spec_so_the_same_message_to_anyone_is_the_same_content() -> None:
    assert content_hash(text("Oi {{name}}")) == content_hash({"body": "Oi {{name}}", "kind": "text"})
    assert content_hash(text("Oi {{name}}")) != content_hash(text("Olá {{name}}"))


def test_checking_a_spec_names_unknown_variables_and_invalid_content() -> None:
    assert check_spec(text("Oi {{first_name}} {{custom.plan}}")) is None
    assert "unknown variables: nickname" in (check_spec(text("Oi {{nickname}}")) or "")
    assert check_spec({"kind": "text"}) is not None
    assert required_variables(text("{{name}} {{email|x}}")) == {"name"}


def test_values_with_quotes_backslashes_and_newlines_render_verbatim() -> None:
    tricky = 'Ana "A" \\ B\nC {{email}}'
    result = render_content(text("Oi {{name}}!"), {**MARIA, "name": tricky})
    assert result.content == TextContent(body=f"Oi {tricky.strip()}!")


def test_a_structural_key_holding_braces_is_left_alone() -> None:
    parameter = {"type": "text", "parameter_name": "{{odd}}", "text": "{{first_name}}"}
    spec = {
        "kind": "template",
        "name": "promo",
        "language": "pt_BR",
        "components": [{"type": "body", "parameters": [parameter]}],
    }
    result = render_content(spec, MARIA)
    assert isinstance(result.content, TemplateContent)
    assert result.content.components[0].parameters[0].parameter_name == "{{odd}}"
    assert result.content.components[0].parameters[0].text == "Maria"
