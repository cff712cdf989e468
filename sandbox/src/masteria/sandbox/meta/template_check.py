"""Checking a template send against the stored template, with the Cloud API's error codes."""

from dataclasses import dataclass, field
from typing import Any

from masteria.sandbox.meta.errors import (
    GraphError,
    invalid_parameter,
    parameter_count_mismatch,
    parameter_format_mismatch,
    template_disabled,
    template_not_found,
    template_paused,
)
from masteria.sandbox.meta.templates import Template, TemplateSpec, TemplateStore

_TEXT_PARAMETER_TYPES = frozenset({"text", "currency", "date_time"})


@dataclass
class _GivenComponents:
    header: list[Any] | None = None
    body: list[Any] | None = None
    buttons: dict[int, dict[str, Any]] = field(default_factory=dict)


def check_template_send(store: TemplateStore, waba_id: str, template: dict[str, Any]) -> Template:
    """The stored template a (shape-valid) `template` object names; a Graph error when it can't be sent."""
    name = template["name"]
    language = template["language"]["code"]
    stored = store.find(waba_id, name, language)
    if stored is None:
        raise template_not_found(name, language)
    if stored.status == "PAUSED":
        raise template_paused(name)
    if stored.status == "DISABLED":
        raise template_disabled(name)
    if stored.status != "APPROVED":
        # Meta only sends approved translations: a pending or rejected one "does not exist" for sending.
        raise template_not_found(name, language)
    given = _group(template.get("components", []))
    _check_header(stored.spec, given.header)
    _check_text_parameters("body", stored.spec.body_params, given.body, stored.spec.named)
    _check_buttons(stored.spec, given.buttons)
    return stored


def _group(components: list[Any]) -> _GivenComponents:
    given = _GivenComponents()
    for i, component in enumerate(components):
        if not isinstance(component, dict):
            raise invalid_parameter(f"Param template['components'][{i}] must be an object")
        parameters = component.get("parameters", [])
        if not isinstance(parameters, list):
            raise invalid_parameter(f"Param template['components'][{i}]['parameters'] must be an array")
        kind = str(component.get("type", "")).lower()
        if kind == "header":
            given.header = parameters
        elif kind == "body":
            given.body = parameters
        elif kind == "button":
            try:
                index = int(component.get("index", -1))
            except (TypeError, ValueError):
                raise invalid_parameter(f"Param template['components'][{i}]['index'] must be a number") from None
            given.buttons[index] = component
        else:
            raise invalid_parameter(
                f"Param template['components'][{i}]['type'] must be one of {{header, body, button}}"
            )
    return given


def _mismatch(section: str, given: int, expected: int) -> GraphError:
    return parameter_count_mismatch(
        f"{section}: number of localizable_params ({given}) does not match the expected number of params ({expected})"
    )


def _check_header(spec: TemplateSpec, parameters: list[Any] | None) -> None:
    if spec.header_format is None or spec.header_format == "TEXT":
        _check_text_parameters("header", spec.header_params, parameters, spec.named)
        return
    parameters = parameters or []
    if len(parameters) != 1:
        raise _mismatch("header", len(parameters), 1)
    expected = spec.header_format.lower()
    parameter = parameters[0]
    kind = str(parameter.get("type", "")).lower() if isinstance(parameter, dict) else ""
    if kind != expected or not isinstance(parameter.get(kind), dict):
        raise parameter_format_mismatch(
            f"header: Format mismatch, expected {spec.header_format}, received {kind.upper() or 'UNKNOWN'}"
        )
    if expected in {"image", "video", "document"} and not (parameter[kind].get("id") or parameter[kind].get("link")):
        raise invalid_parameter(f"Param template['components'][header]['parameters'][0]['{kind}'] needs id or link")


def _check_text_parameters(section: str, expected: tuple[str, ...], parameters: list[Any] | None, named: bool) -> None:
    parameters = parameters or []
    if len(parameters) != len(expected):
        raise _mismatch(section, len(parameters), len(expected))
    for parameter in parameters:
        kind = str(parameter.get("type", "")).lower() if isinstance(parameter, dict) else ""
        if kind not in _TEXT_PARAMETER_TYPES:
            raise parameter_format_mismatch(
                f"{section}: Format mismatch, expected TEXT, received {kind.upper() or 'UNKNOWN'}"
            )
        if kind == "text" and not (isinstance(parameter.get("text"), str) and parameter["text"]):
            raise invalid_parameter(f"Param {section} parameter text must be a non-empty string")
    if named:
        names = [p.get("parameter_name") for p in parameters]
        if sorted(map(str, names)) != sorted(expected):
            raise parameter_count_mismatch(
                f"{section}: parameter names {names} do not match the template's {{{{{', '.join(expected)}}}}}"
            )


def _check_buttons(spec: TemplateSpec, given: dict[int, dict[str, Any]]) -> None:
    for button in spec.buttons:
        component = given.get(button.index)
        parameters = component.get("parameters", []) if component is not None else []
        label = f"button at index {button.index} of type {button.sub_type}"
        if len(parameters) != 1:
            raise _mismatch(label, len(parameters), 1)
        sub_type = str(component.get("sub_type", "")).lower() if component is not None else ""
        if sub_type != button.sub_type:
            raise parameter_format_mismatch(
                f"{label}: sub_type must be {button.sub_type}, received {sub_type or 'none'}"
            )
