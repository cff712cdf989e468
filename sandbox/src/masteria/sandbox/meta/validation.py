"""The Cloud API's rules for a send request, checked before anything is accepted."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from masteria.sandbox.meta.errors import invalid_parameter

MEDIA_TYPES = frozenset({"image", "audio", "video", "document", "sticker"})
MESSAGE_TYPES = frozenset({"text", "template", "interactive", "location", "reaction", "contacts"}) | MEDIA_TYPES
INTERACTIVE_TYPES = frozenset(
    {"button", "list", "cta_url", "product", "product_list", "flow", "location_request_message"}
)
MAX_TEXT_LENGTH = 4096
MAX_WA_ID_DIGITS = 20


@dataclass(frozen=True, slots=True)
class SendRequest:
    """The parts of a valid send that the answer and the ledger need."""

    to: str
    wa_id: str
    type: str


def validate_send(payload: Any) -> SendRequest:
    """Check a decoded request body; raise a Graph (#100) error on the first broken rule."""
    if not isinstance(payload, dict):
        raise invalid_parameter("Request body must be a JSON object")
    _check_envelope(payload)
    to = payload.get("to")
    if not isinstance(to, str) or not to.strip():
        raise invalid_parameter("The parameter to is required.")
    wa_id = re.sub(r"\D", "", to)
    if not 0 < len(wa_id) <= MAX_WA_ID_DIGITS:
        raise invalid_parameter("Param to must be a valid phone number")
    # Meta treats an omitted type as text.
    msg_type = payload.get("type", "text")
    if msg_type not in MESSAGE_TYPES:
        raise invalid_parameter(f"Param type must be one of {{{', '.join(sorted(MESSAGE_TYPES))}}}")
    _check_object(msg_type, payload.get(msg_type))
    return SendRequest(to=to, wa_id=wa_id, type=msg_type)


def _check_envelope(payload: dict[str, Any]) -> None:
    if "messaging_product" not in payload:
        raise invalid_parameter("The parameter messaging_product is required.")
    if payload["messaging_product"] != "whatsapp":
        raise invalid_parameter("Param messaging_product must be 'whatsapp'")
    if payload.get("recipient_type", "individual") not in ("individual", "group"):
        raise invalid_parameter("Param recipient_type must be one of {individual, group}")


def _check_object(msg_type: str, obj: Any) -> None:
    if msg_type == "contacts":
        _check_contacts(obj)
        return
    if not isinstance(obj, dict):
        raise invalid_parameter(f"The parameter {msg_type} is required.")
    checker = _media_checker(msg_type) if msg_type in MEDIA_TYPES else _CHECKERS[msg_type]
    checker(obj)


def _require_string(obj: dict[str, Any], path: str, key: str, allow_empty: bool = False) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or (not allow_empty and not value):
        raise invalid_parameter(f"Param {path}['{key}'] must be a non-empty string")
    return value


def _check_text(text: dict[str, Any]) -> None:
    body = _require_string(text, "text", "body")
    if len(body) > MAX_TEXT_LENGTH:
        raise invalid_parameter(f"Param text['body'] must be at most {MAX_TEXT_LENGTH} characters long")
    if "preview_url" in text and not isinstance(text["preview_url"], bool):
        raise invalid_parameter("Param text['preview_url'] must be a boolean")


def _check_template(template: dict[str, Any]) -> None:
    _require_string(template, "template", "name")
    language = template.get("language")
    if not isinstance(language, dict):
        raise invalid_parameter("The parameter template['language'] is required.")
    _require_string(language, "template['language']", "code")
    if not isinstance(template.get("components", []), list):
        raise invalid_parameter("Param template['components'] must be an array")


def _media_checker(msg_type: str) -> Callable[[dict[str, Any]], None]:
    def check(media: dict[str, Any]) -> None:
        given = [key for key in ("id", "link") if isinstance(media.get(key), str) and media[key]]
        if len(given) != 1:
            raise invalid_parameter(f"Param {msg_type} must contain exactly one of id or link")

    return check


def _check_interactive(interactive: dict[str, Any]) -> None:
    if interactive.get("type") not in INTERACTIVE_TYPES:
        raise invalid_parameter(f"Param interactive['type'] must be one of {{{', '.join(sorted(INTERACTIVE_TYPES))}}}")
    action = interactive.get("action")
    if not isinstance(action, dict):
        raise invalid_parameter("The parameter interactive['action'] is required.")
    if interactive["type"] == "button" and not _non_empty_list(action.get("buttons")):
        raise invalid_parameter("Param interactive['action']['buttons'] must be a non-empty array")
    if interactive["type"] == "list" and not _non_empty_list(action.get("sections")):
        raise invalid_parameter("Param interactive['action']['sections'] must be a non-empty array")


def _check_location(location: dict[str, Any]) -> None:
    for key in ("latitude", "longitude"):
        if not _is_number(location.get(key)):
            raise invalid_parameter(f"Param location['{key}'] must be a number")


def _check_reaction(reaction: dict[str, Any]) -> None:
    _require_string(reaction, "reaction", "message_id")
    # An empty emoji is how a client removes its reaction.
    _require_string(reaction, "reaction", "emoji", allow_empty=True)


def _check_contacts(contacts: Any) -> None:
    if not _non_empty_list(contacts):
        raise invalid_parameter("Param contacts must be a non-empty array")
    for contact in contacts:
        name = contact.get("name") if isinstance(contact, dict) else None
        if not isinstance(name, dict) or not isinstance(name.get("formatted_name"), str):
            raise invalid_parameter("Param contacts[]['name']['formatted_name'] is required")


def _non_empty_list(value: Any) -> bool:
    return isinstance(value, list) and len(value) > 0


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    # Meta's own examples send coordinates as strings.
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


_CHECKERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "text": _check_text,
    "template": _check_template,
    "interactive": _check_interactive,
    "location": _check_location,
    "reaction": _check_reaction,
}
