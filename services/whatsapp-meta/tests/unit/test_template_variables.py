"""Template placeholders as the picker needs them, and the preview text."""

from __future__ import annotations

from typing import Any

import pytest

from masteria.whatsapp_meta.templates.variables import MissingVariables, grouped, is_named, render, slots

ORDER: list[dict[str, Any]] = [
    {"type": "HEADER", "format": "TEXT", "text": "Pedido {{1}}", "example": {"header_text": ["#1"]}},
    {"type": "BODY", "text": "Olá {{1}}, total {{2}}. {{1}}!", "example": {"body_text": [["Maria", "R$ 1"]]}},
    {"type": "FOOTER", "text": "Loja"},
    {
        "type": "BUTTONS",
        "buttons": [
            {"type": "QUICK_REPLY", "text": "Parar"},
            {"type": "URL", "text": "Ver", "url": "https://x/p/{{1}}", "example": ["https://x/p/1"]},
        ],
    },
]
NAMED: list[dict[str, Any]] = [
    {
        "type": "BODY",
        "text": "Oi {{nome}}, seu código é {{codigo}}",
        "example": {"body_text_named_params": [{"param_name": "nome", "example": "Ana"}]},
    }
]


def test_slots_follow_header_body_buttons_with_examples() -> None:
    assert [(s.key, s.example) for s in slots(ORDER)] == [
        ("header.1", "#1"),
        ("body.1", "Maria"),
        ("body.2", "R$ 1"),
        ("button.1.1", "https://x/p/1"),
    ]
    assert grouped(slots(ORDER))[2] == {
        "component": "button",
        "index": 1,
        "variables": [{"key": "button.1.1", "name": "1", "kind": "text", "example": "https://x/p/1"}],
    }


def test_media_headers_and_named_templates() -> None:
    media = [{"type": "HEADER", "format": "IMAGE"}, {"type": "BODY", "text": "Veja"}]
    assert [(s.key, s.kind) for s in slots(media)] == [("header.media", "image")]
    assert is_named(NAMED)
    assert not is_named(ORDER)
    assert [(s.key, s.example) for s in slots(NAMED)] == [("body.nome", "Ana"), ("body.codigo", None)]


def test_render_fills_every_component_and_bare_names_work_when_unambiguous() -> None:
    rendered = render(ORDER, {"header.1": "#9", "body.1": "Ana", "body.2": "R$ 5", "button.1.1": "9"})
    assert rendered["header"] == {"format": "TEXT", "text": "Pedido #9"}
    assert rendered["body"] == "Olá Ana, total R$ 5. Ana!"
    assert rendered["buttons"][1] == {"type": "URL", "text": "Ver", "url": "https://x/p/9"}
    assert rendered["text"] == "Pedido #9\n\nOlá Ana, total R$ 5. Ana!\n\nLoja"
    assert render(NAMED, {"nome": "Ana", "codigo": "42"})["body"] == "Oi Ana, seu código é 42"


def test_render_names_every_missing_value() -> None:
    with pytest.raises(MissingVariables) as caught:
        render(ORDER, {"header.1": "#9", "body.1": "  ", "1": "ambiguous"})
    assert caught.value.keys == ["body.1", "body.2", "button.1.1"]
