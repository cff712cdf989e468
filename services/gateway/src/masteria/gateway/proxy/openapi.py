"""Merging the services' OpenAPI documents into the gateway's, pure.

Paths keep their place (the gateway routes them unchanged); a component whose name is already
taken by a different definition is renamed with the service's name in front, and every ``$ref``
of that service is rewritten to match.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from masteria.gateway.proxy.families import owner_of

Doc = dict[str, Any]
Renames = dict[tuple[str, str], str]  # (section, old name) -> new name
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def routed_by_gateway(path: str, service: str) -> bool:
    """True when the gateway would send ``path`` to ``service``."""
    if path.startswith(f"/webhooks/{service}/"):
        return True
    parts = path.split("/")
    return len(parts) > 3 and path.startswith("/api/v1/") and owner_of(parts[3]) == service


def _pascal(service: str) -> str:
    return "".join(part.capitalize() for part in service.replace("_", "-").split("-"))


def _rewrite(node: Any, refs: Mapping[str, str]) -> Any:
    """A copy of ``node`` with every ``$ref`` found in ``refs`` replaced."""
    if isinstance(node, dict):
        return {
            k: (refs.get(v, v) if k == "$ref" and isinstance(v, str) else _rewrite(v, refs)) for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rewrite(item, refs) for item in node]
    return node


def _ref_map(renames: Renames) -> dict[str, str]:
    return {f"#/components/{s}/{old}": f"#/components/{s}/{new}" for (s, old), new in renames.items()}


def _fresh_name(service: str, name: str, taken: set[str]) -> str:
    candidate = f"{_pascal(service)}{name}"
    while candidate in taken:
        candidate = f"{_pascal(service)}_{candidate}"
    return candidate


def plan_renames(service: str, merged: Mapping[str, Mapping[str, Any]], incoming: Mapping[str, Any]) -> Renames:
    """Which of ``incoming``'s components must be renamed to sit beside ``merged``.

    Repeats until stable: renaming one schema changes the definitions that reference it, which may
    make them differ from a same-named schema already merged.
    """
    renames: Renames = {}
    while True:
        rewritten = _rewrite(incoming, _ref_map(renames))
        added = False
        for section, items in rewritten.items():
            existing = merged.get(section, {})
            taken = set(existing) | set(items) | {new for (s, _), new in renames.items() if s == section}
            for name, definition in items.items():
                if (section, name) not in renames and name in existing and existing[name] != definition:
                    renames[(section, name)] = _fresh_name(service, name, taken)
                    taken.add(renames[(section, name)])
                    added = True
        if not added:
            return renames


def _merge_components(merged: Doc, service: str, incoming: Mapping[str, Any]) -> dict[str, str]:
    renames = plan_renames(service, merged.get("components", {}), incoming)
    refs = _ref_map(renames)
    target = merged.setdefault("components", {})
    for section, items in _rewrite(incoming, refs).items():
        bucket = target.setdefault(section, {})
        for name, definition in items.items():
            bucket.setdefault(renames.get((section, name), name), definition)
    return refs


def _merge_paths(merged: Doc, service: str, paths: Mapping[str, Any], refs: Mapping[str, str]) -> None:
    target = merged.setdefault("paths", {})
    seen_ids = {op.get("operationId") for item in target.values() for m, op in item.items() if m in HTTP_METHODS}
    for path, raw_item in paths.items():
        if not routed_by_gateway(path, service):
            continue
        item = _rewrite(raw_item, refs)
        for method, operation in item.items():
            if method in HTTP_METHODS and isinstance(operation, dict):
                operation.setdefault("tags", [service])
                if operation.get("operationId") in seen_ids:
                    operation["operationId"] = f"{service}_{operation['operationId']}"
                seen_ids.add(operation.get("operationId"))
        target[path] = item


def merge_documents(gateway: Doc, services: Mapping[str, Doc], unavailable: list[str]) -> Doc:
    """The gateway's own document plus every available service's routed paths and components."""
    merged = copy.deepcopy(gateway)
    for service in sorted(services):
        doc = services[service]
        refs = _merge_components(merged, service, doc.get("components", {}))
        _merge_paths(merged, service, doc.get("paths", {}), refs)
    merged["x-unavailable-services"] = sorted(unavailable)
    return merged
