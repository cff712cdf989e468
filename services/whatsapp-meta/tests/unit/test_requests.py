"""Our content becomes the Graph request Meta documents, with our id in biz_opaque_callback_data."""

from __future__ import annotations

import uuid

import pytest

from masteria.contracts.content import (
    ButtonsInteractive,
    ContactsContent,
    InteractiveContent,
    ListInteractive,
    ListRow,
    ListSection,
    LocationContent,
    MediaContent,
    MediaRef,
    ReactionContent,
    ReplyButton,
    SharedContact,
    TemplateComponent,
    TemplateContent,
    TemplateParameter,
    TextContent,
    UnsupportedContent,
)
from masteria.whatsapp_meta.sending.requests import (
    UnsendableContent,
    callback_data,
    message_body,
    parse_callback_data,
)

TO = "+5511999990001"


def body(content: object, **kwargs: object) -> dict[str, object]:
    return message_body(TO, content, callback="outbound:x", **kwargs)  # type: ignore[arg-type]


def test_every_body_has_the_envelope_meta_requires_and_our_callback() -> None:
    built = body(TextContent(body="oi", preview_url=True))
    assert built == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "5511999990001",
        "type": "text",
        "text": {"body": "oi", "preview_url": True},
        "biz_opaque_callback_data": "outbound:x",
    }


def test_callback_data_round_trips_and_foreign_values_are_ignored() -> None:
    send_id = uuid.uuid4()
    assert parse_callback_data(callback_data("dispatch", send_id)) == ("dispatch", str(send_id))
    assert parse_callback_data("someone-else:123") is None
    assert parse_callback_data(None) is None


@pytest.mark.parametrize(
    ("media", "expected"),
    [
        (MediaContent(kind="image", media_id="123", caption="c"), {"id": "123", "caption": "c"}),
        (
            MediaContent(kind="document", url="https://x/a.pdf", filename="a.pdf", caption="c"),
            {"link": "https://x/a.pdf", "caption": "c", "filename": "a.pdf"},
        ),
        (MediaContent(kind="audio", media_id="9", caption="ignored"), {"id": "9"}),
        (MediaContent(kind="sticker", url="https://x/s.webp"), {"link": "https://x/s.webp"}),
    ],
)
def test_media_goes_by_id_or_link_with_a_caption_only_where_meta_takes_one(
    media: MediaContent, expected: dict[str, object]
) -> None:
    built = body(media)
    assert built["type"] == media.kind
    assert built[media.kind] == expected


def test_a_stored_file_goes_by_the_media_id_it_was_uploaded_as() -> None:
    stored = MediaContent(kind="image", storage_key="t/ab/abc", caption="foto")
    assert body(stored, media_id="777")["image"] == {"id": "777", "caption": "foto"}
    with pytest.raises(UnsendableContent):
        body(stored)


def test_templates_carry_components_positional_and_named_parameters() -> None:
    content = TemplateContent(
        name="pedido",
        language="pt_BR",
        components=[
            TemplateComponent(
                type="header", parameters=[TemplateParameter(type="image", media=MediaRef(link="https://x/p.png"))]
            ),
            TemplateComponent(
                type="body",
                parameters=[
                    TemplateParameter(type="text", text="Maria", parameter_name="nome"),
                    TemplateParameter(type="currency", text="R$ 10,00"),
                ],
            ),
            TemplateComponent(
                type="button", sub_type="url", index=0, parameters=[TemplateParameter(type="text", text="48213")]
            ),
            TemplateComponent(
                type="button",
                sub_type="quick_reply",
                index=1,
                parameters=[TemplateParameter(type="payload", payload="STOP")],
            ),
        ],
    )
    assert body(content)["template"] == {
        "name": "pedido",
        "language": {"code": "pt_BR"},
        "components": [
            {"type": "header", "parameters": [{"type": "image", "image": {"link": "https://x/p.png"}}]},
            {
                "type": "body",
                "parameters": [
                    {"type": "text", "text": "Maria", "parameter_name": "nome"},
                    {"type": "text", "text": "R$ 10,00"},
                ],
            },
            {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "48213"}]},
            {
                "type": "button",
                "sub_type": "quick_reply",
                "index": "1",
                "parameters": [{"type": "payload", "payload": "STOP"}],
            },
        ],
    }


def test_campaign_variables_fill_placeholders_and_leave_unknown_ones() -> None:
    content = TemplateContent(
        name="t",
        language="pt_BR",
        components=[TemplateComponent(type="body", parameters=[TemplateParameter(type="text", text="{{first_name}}")])],
    )
    built = message_body(TO, content, callback="dispatch:x", variables={"first_name": "Ana"})
    assert built["template"]["components"][0]["parameters"][0]["text"] == "Ana"  # type: ignore[index]
    text = message_body(TO, TextContent(body="Oi {{first_name}}, {{2}}"), callback="c", variables={"first_name": "Ana"})
    assert text["text"]["body"] == "Oi Ana, {{2}}"  # type: ignore[index]


def test_buttons_lists_reactions_locations_and_contacts() -> None:
    buttons = body(
        InteractiveContent(
            interactive=ButtonsInteractive(
                body="Confirma?", header="Pedido", footer="Loja", buttons=[ReplyButton(id="y", title="Sim")]
            )
        )
    )
    assert buttons["interactive"] == {
        "type": "button",
        "header": {"type": "text", "text": "Pedido"},
        "body": {"text": "Confirma?"},
        "footer": {"text": "Loja"},
        "action": {"buttons": [{"type": "reply", "reply": {"id": "y", "title": "Sim"}}]},
    }
    listing = body(
        InteractiveContent(
            interactive=ListInteractive(
                body="Escolha",
                button="Ver",
                sections=[ListSection(title="A", rows=[ListRow(id="1", title="Um", description="d")])],
            )
        )
    )
    assert listing["interactive"]["action"] == {  # type: ignore[index]
        "button": "Ver",
        "sections": [{"title": "A", "rows": [{"id": "1", "title": "Um", "description": "d"}]}],
    }
    assert body(ReactionContent(message_external_id="wamid.A", emoji=""))["reaction"] == {
        "message_id": "wamid.A",
        "emoji": "",
    }
    assert body(LocationContent(latitude=-23.5, longitude=-46.6, name="Loja"))["location"] == {
        "latitude": -23.5,
        "longitude": -46.6,
        "name": "Loja",
    }
    [card] = body(ContactsContent(contacts=[SharedContact(name="Ana Souza", phones=["+55 11 9"])]))["contacts"]  # type: ignore[misc]
    assert card["name"] == {"formatted_name": "Ana Souza", "first_name": "Ana", "last_name": "Souza"}


def test_content_a_customer_sends_cannot_go_out() -> None:
    with pytest.raises(UnsendableContent):
        body(UnsupportedContent(provider_type="order"))
