"""Our channel-neutral content turned into the body of ``POST /{phone_number_id}/messages``.

``biz_opaque_callback_data`` carries our id of the send (``outbound:<message_id>`` or
``dispatch:<dispatch_id>``): Meta echoes it in every status webhook, so a status maps back to the
send even when it arrives before we recorded the wamid.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from masteria.contracts.content import (
    AnyContent,
    ButtonsInteractive,
    ContactsContent,
    InteractiveContent,
    ListInteractive,
    LocationContent,
    MediaContent,
    MediaRef,
    ReactionContent,
    TemplateComponent,
    TemplateContent,
    TemplateParameter,
    TextContent,
)

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")
_CAPTIONED = frozenset({"image", "video", "document"})


class UnsendableContent(ValueError):  # noqa: N818 - a condition, reported as a permanent failure
    """Content this channel cannot carry (e.g. an outbound button reply)."""


def wa_id(e164: str) -> str:
    """Graph's ``to``: the number's digits."""
    return "".join(ch for ch in e164 if ch.isdigit())


def callback_data(lane: str, send_id: object) -> str:
    """What we ask Meta to echo in the statuses of this send."""
    return f"{lane}:{send_id}"


def parse_callback_data(value: object) -> tuple[str, str] | None:
    """``(lane, id)`` from an echoed ``biz_opaque_callback_data``, or None when it is not ours."""
    if not isinstance(value, str):
        return None
    lane, sep, send_id = value.partition(":")
    return (lane, send_id) if sep and lane in ("outbound", "dispatch") and send_id else None


def fill(text: str, variables: Mapping[str, str]) -> str:
    """Replace ``{{name}}`` by a campaign variable; placeholders without a value stay as written."""
    if not variables or "{{" not in text:
        return text
    return _PLACEHOLDER.sub(lambda m: variables.get(m.group(1), m.group(0)), text)


def message_body(
    to: str,
    content: AnyContent,
    *,
    callback: str,
    variables: Mapping[str, str] | None = None,
    media_id: str | None = None,
) -> dict[str, Any]:
    """The full request body; ``media_id`` replaces the media reference once a stored file is uploaded."""
    values = variables or {}
    kind, obj = _typed(content, values, media_id)
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": wa_id(to),
        "type": kind,
        kind: obj,
        "biz_opaque_callback_data": callback,
    }


def _typed(  # noqa: PLR0911 - one return per content kind reads best
    content: AnyContent, values: Mapping[str, str], media_id: str | None
) -> tuple[str, Any]:
    match content:
        case TextContent(body=body, preview_url=preview):
            return "text", {"body": fill(body, values), "preview_url": preview}
        case MediaContent():
            return content.kind, _media(content, values, media_id)
        case TemplateContent():
            return "template", _template(content, values)
        case InteractiveContent(interactive=ButtonsInteractive() | ListInteractive() as interactive):
            return "interactive", _interactive(interactive, values)
        case ReactionContent(message_external_id=target, emoji=emoji):
            return "reaction", {"message_id": target, "emoji": emoji}
        case LocationContent():
            return "location", _location(content)
        case ContactsContent(contacts=contacts):
            return "contacts", [_contact(c.name, c.phones, c.emails, c.organization) for c in contacts]
    raise UnsendableContent(f"{content.kind} content cannot be sent on WhatsApp")


def _media(content: MediaContent, values: Mapping[str, str], media_id: str | None) -> dict[str, Any]:
    ref: dict[str, Any]
    if media_id is not None:
        ref = {"id": media_id}
    elif content.media_id is not None:
        ref = {"id": content.media_id}
    elif content.url is not None:
        ref = {"link": content.url}
    else:
        raise UnsendableContent("a stored file must be uploaded before it is sent")
    if content.caption and content.kind in _CAPTIONED:
        ref["caption"] = fill(content.caption, values)
    if content.filename and content.kind == "document":
        ref["filename"] = content.filename
    return ref


def _template(content: TemplateContent, values: Mapping[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"name": content.name, "language": {"code": content.language}}
    if content.components:
        body["components"] = [_component(c, values) for c in content.components]
    return body


def _component(component: TemplateComponent, values: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": component.type}
    if component.type == "button":
        out["sub_type"] = component.sub_type or "quick_reply"
        out["index"] = str(component.index or 0)  # Meta documents the index as a string
    out["parameters"] = [_parameter(p, values) for p in component.parameters]
    return out


def _parameter(parameter: TemplateParameter, values: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any]
    if parameter.type in ("image", "video", "document"):
        assert parameter.media is not None  # the contract requires it for these types
        out = {"type": parameter.type, parameter.type: _media_ref(parameter.media, parameter.type)}
    elif parameter.type == "payload":
        out = {"type": "payload", "payload": fill(parameter.payload or "", values)}
    else:
        # currency and date_time travel as text: our contract carries their display value only, and
        # Meta renders a text parameter in any body placeholder.
        out = {"type": "text", "text": fill(parameter.text or "", values)}
    if parameter.parameter_name:
        out["parameter_name"] = parameter.parameter_name
    return out


def _media_ref(ref: MediaRef, kind: str) -> dict[str, Any]:
    out: dict[str, Any] = {"id": ref.id} if ref.id else {"link": ref.link}
    if ref.filename and kind == "document":
        out["filename"] = ref.filename
    return out


def _interactive(interactive: ButtonsInteractive | ListInteractive, values: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "button" if isinstance(interactive, ButtonsInteractive) else "list"}
    if interactive.header:
        out["header"] = {"type": "text", "text": fill(interactive.header, values)}
    out["body"] = {"text": fill(interactive.body, values)}
    if interactive.footer:
        out["footer"] = {"text": fill(interactive.footer, values)}
    if isinstance(interactive, ButtonsInteractive):
        out["action"] = {
            "buttons": [{"type": "reply", "reply": {"id": b.id, "title": b.title}} for b in interactive.buttons]
        }
    else:
        out["action"] = {
            "button": interactive.button,
            "sections": [
                {
                    **({"title": s.title} if s.title else {}),
                    "rows": [
                        {"id": r.id, "title": r.title, **({"description": r.description} if r.description else {})}
                        for r in s.rows
                    ],
                }
                for s in interactive.sections
            ],
        }
    return out


def _location(content: LocationContent) -> dict[str, Any]:
    out: dict[str, Any] = {"latitude": content.latitude, "longitude": content.longitude}
    if content.name:
        out["name"] = content.name
    if content.address:
        out["address"] = content.address
    return out


def _contact(name: str, phones: list[str], emails: list[str], organization: str | None) -> dict[str, Any]:
    first, _, last = name.partition(" ")
    out: dict[str, Any] = {"name": {"formatted_name": name, "first_name": first or name}}
    if last:
        out["name"]["last_name"] = last
    if phones:
        out["phones"] = [{"phone": p, "type": "CELL"} for p in phones]
    if emails:
        out["emails"] = [{"email": e, "type": "WORK"} for e in emails]
    if organization:
        out["org"] = {"company": organization}
    return out
