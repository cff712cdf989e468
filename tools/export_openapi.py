"""Write the public API document the dashboard's client is generated from.

The same merge the gateway does at run time, done offline from each service's app (nothing is
started), so `make api-client` and CI produce the same document from the same code.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from masteria.devstack.stack import SERVICES
from masteria.gateway.proxy.docs import public_gateway_doc
from masteria.gateway.proxy.openapi import merge_documents
from masteria.gateway.settings import GatewaySettings

OUT = Path(__file__).resolve().parents[1] / "services/gateway/web/openapi.json"


def _document(module: str) -> dict[str, Any]:
    service = importlib.import_module(f"{module}.main").build_service()
    doc: dict[str, Any] = service.http.openapi()
    return doc


def build() -> dict[str, Any]:
    """The aggregated document, deterministic for a given code tree."""
    own = public_gateway_doc(_document("masteria.gateway"), GatewaySettings().session_cookie)
    others = {s.name: _document(s.module) for s in SERVICES if s.name != "gateway"}
    return merge_documents(own, others, [])


def main() -> int:
    """Write the document (or, with --check, fail when the committed one is stale)."""
    text = json.dumps(build(), indent=2, sort_keys=True) + "\n"
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT} is stale: run `make api-client` and commit the result", file=sys.stderr)
            return 1
        print("openapi document is current")
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
