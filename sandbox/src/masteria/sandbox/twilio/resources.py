"""Twilio's REST resources as JSON: messages, accounts, phone numbers, short codes, list pages."""

from email.utils import formatdate
from typing import Any
from urllib.parse import urlencode

from masteria.sandbox.twilio.state import Account, MessageRecord, SimulatedNumber

API_VERSION = "2010-04-01"
PAGE_SIZE = 50


def twilio_date(unix: float | None) -> str | None:
    """Twilio's RFC 2822 dates: `Thu, 24 Aug 2023 05:01:45 +0000`."""
    return None if unix is None else formatdate(unix, usegmt=False).replace("-0000", "+0000")


def account_uri(account_sid: str) -> str:
    """The account's base path (what Twilio's `uri` fields start with)."""
    return f"/{API_VERSION}/Accounts/{account_sid}"


def message_json(record: MessageRecord) -> dict[str, Any]:
    """A Message resource; counts are strings and `price` stays null, as in Twilio's answers."""
    entry = record.entry
    uri = f"{account_uri(entry.account_sid)}/Messages/{entry.sid}"
    return {
        "account_sid": entry.account_sid,
        "api_version": API_VERSION,
        "body": entry.body,
        "date_created": twilio_date(entry.wall_time),
        "date_sent": twilio_date(record.date_sent),
        "date_updated": twilio_date(record.date_updated),
        "direction": "outbound-api",
        "error_code": record.error_code,
        "error_message": None,
        "from": entry.sender,
        "messaging_service_sid": entry.messaging_service_sid,
        "num_media": str(len(entry.media_urls)),
        "num_segments": str(entry.num_segments),
        "price": None,
        "price_unit": "USD",
        "sid": entry.sid,
        "status": record.status,
        "subresource_uris": {"media": f"{uri}/Media.json", "feedback": f"{uri}/Feedback.json"},
        "to": entry.to,
        "uri": f"{uri}.json",
    }


def account_json(account: Account) -> dict[str, Any]:
    """An Account resource."""
    base = account_uri(account.sid)
    return {
        "auth_token": account.auth_token,
        "date_created": twilio_date(account.created_at),
        "date_updated": twilio_date(account.created_at),
        "friendly_name": account.friendly_name,
        "owner_account_sid": account.sid,
        "sid": account.sid,
        "status": "active",
        "subresource_uris": {
            "incoming_phone_numbers": f"{base}/IncomingPhoneNumbers.json",
            "messages": f"{base}/Messages.json",
            "short_codes": f"{base}/SMS/ShortCodes.json",
        },
        "type": "Full",
        "uri": f"{base}.json",
    }


def incoming_number_json(number: SimulatedNumber) -> dict[str, Any]:
    """An IncomingPhoneNumber resource (long codes and toll-free numbers)."""
    return {
        "account_sid": number.account_sid,
        "address_requirements": "none",
        "api_version": API_VERSION,
        "beta": False,
        "capabilities": {"voice": True, "sms": True, "mms": number.kind != "toll_free", "fax": False},
        "date_created": twilio_date(number.created_at),
        "date_updated": twilio_date(number.created_at),
        "friendly_name": number.friendly_name,
        "origin": "twilio",
        "phone_number": number.phone_number,
        "sid": number.sid,
        "sms_application_sid": "",
        "sms_fallback_method": "POST",
        "sms_fallback_url": "",
        "sms_method": "POST",
        "sms_url": number.sms_url or "",
        "status": "in-use",
        "status_callback": "",
        "status_callback_method": "POST",
        "uri": f"{account_uri(number.account_sid)}/IncomingPhoneNumbers/{number.sid}.json",
    }


def short_code_json(number: SimulatedNumber) -> dict[str, Any]:
    """A ShortCode resource."""
    return {
        "account_sid": number.account_sid,
        "api_version": API_VERSION,
        "date_created": twilio_date(number.created_at),
        "date_updated": twilio_date(number.created_at),
        "friendly_name": number.friendly_name,
        "short_code": number.phone_number,
        "sid": number.sid,
        "sms_fallback_method": "POST",
        "sms_fallback_url": "",
        "sms_method": "POST",
        "sms_url": number.sms_url or "",
        "uri": f"{account_uri(number.account_sid)}/SMS/ShortCodes/{number.sid}.json",
    }


def page(key: str, items: list[dict[str, Any]], path: str, filters: dict[str, str]) -> dict[str, Any]:
    """One page of a list resource (the sandbox answers every list in its first page)."""
    query = urlencode({**filters, "PageSize": PAGE_SIZE, "Page": 0})
    first = f"{path}?{query}"
    return {
        key: items,
        "end": max(len(items) - 1, 0),
        "first_page_uri": first,
        "next_page_uri": None,
        "page": 0,
        "page_size": PAGE_SIZE,
        "previous_page_uri": None,
        "start": 0,
        "uri": first,
    }
