"""Which headers cross the gateway, pure."""

from __future__ import annotations

from collections.abc import Iterable

# RFC 9110 §7.6.1 connection-specific headers, plus the ones httpx or the server recompute.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
    }
)
# The caller's credentials stay at the gateway: services trust only the internal token.
CREDENTIALS = frozenset({"cookie", "authorization", "x-csrf-token", "x-api-key"})
# Set by the gateway itself; a client's value would be a spoofing vector.
GATEWAY_SET = frozenset({"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "traceparent", "tracestate"})
# Response headers the gateway may not pass back: hop-by-hop and the services' own cookies.
RESPONSE_DROP = HOP_BY_HOP | {"set-cookie"}

Header = tuple[str, str]


def _connection_tokens(headers: Iterable[Header]) -> set[str]:
    """Headers named in ``Connection`` are hop-by-hop too."""
    tokens: set[str] = set()
    for name, value in headers:
        if name.lower() == "connection":
            tokens |= {t.strip().lower() for t in value.split(",") if t.strip()}
    return tokens


def api_request_headers(headers: Iterable[Header]) -> list[Header]:
    """A client's headers as an upstream API call may see them."""
    items = list(headers)
    drop = HOP_BY_HOP | CREDENTIALS | GATEWAY_SET | _connection_tokens(items)
    return [(k, v) for k, v in items if k.lower() not in drop]


def webhook_request_headers(headers: Iterable[Header]) -> list[Header]:
    """A provider's headers, unchanged but for connection-level ones and those the gateway sets itself.

    Provider signatures cover the body (and the URL), never these, so dropping them is safe.
    """
    items = list(headers)
    drop = HOP_BY_HOP | GATEWAY_SET | _connection_tokens(items)
    return [(k, v) for k, v in items if k.lower() not in drop]


def response_headers(headers: Iterable[Header]) -> list[Header]:
    """An upstream response's headers as the client may see them."""
    items = list(headers)
    drop = RESPONSE_DROP | _connection_tokens(items)
    return [(k, v) for k, v in items if k.lower() not in drop]


def forwarded_headers(client_ip: str | None, scheme: str, host: str | None, prior_for: str | None) -> list[Header]:
    """``X-Forwarded-*`` describing the client's request to the gateway."""
    chain = ", ".join(part for part in (prior_for, client_ip) if part)
    out: list[Header] = [("x-forwarded-proto", scheme)]
    if chain:
        out.append(("x-forwarded-for", chain))
    if host:
        out.append(("x-forwarded-host", host))
    return out
