"""The API reference page: the OpenAPI schema rendered as plain HTML, offline, no JavaScript.

It replaces Swagger UI (2.2 MB of script that failed WCAG checks): every operation grouped by tag,
with its parameters, request body and answers, and every schema component, on an ordinary Anneal
page (header, navigation, dark theme). The machine-readable schema stays at ``/api/schema/``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from drf_spectacular.generators import SchemaGenerator

from core.plugins import manager

METHODS = ("get", "post", "put", "patch", "delete")
REF_PREFIX = "#/components/schemas/"


def type_of(schema: dict[str, Any] | None) -> str:
    """A short readable type: ``Project``, ``array of Project``, ``string (date-time)``, ``"a" | "b"``."""
    if not schema:
        return "any"
    if "$ref" in schema:
        return schema["$ref"].removeprefix(REF_PREFIX)
    for combiner in ("allOf", "oneOf", "anyOf"):
        if combiner in schema:
            return " | ".join(dict.fromkeys(type_of(part) for part in schema[combiner]))
    if "enum" in schema:
        return " | ".join(f'"{value}"' for value in schema["enum"] if value not in ("", None)) or "string"
    kind = schema.get("type", "object")
    if kind == "array":
        return f"array of {type_of(schema.get('items'))}"
    text = f"{kind} ({schema['format']})" if schema.get("format") else kind
    return f"{text}, nullable" if schema.get("nullable") else text


def _anchor(schema: dict[str, Any] | None) -> str:
    ref = (schema or {}).get("$ref", "")
    return f"schema-{ref.removeprefix(REF_PREFIX)}" if ref.startswith(REF_PREFIX) else ""


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    anchor: str
    parameters: list[dict[str, Any]] = field(default_factory=list)
    request_body: list[tuple[str, str, str]] = field(default_factory=list)  # media type, type, schema anchor
    responses: list[tuple[str, str, str]] = field(default_factory=list)


@dataclass
class Component:
    name: str
    description: str
    properties: list[tuple[str, str, bool, str]]


def operations_by_tag(schema: dict[str, Any]) -> dict[str, list[Operation]]:
    groups: dict[str, list[Operation]] = {}
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            spec = item.get(method)
            if spec is None:
                continue
            operation = Operation(
                method=method.upper(), path=path, summary=spec.get("summary", ""),
                description=spec.get("description", ""), anchor=f"op-{spec.get('operationId', method + path)}",
                parameters=[{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                             "type": type_of(p.get("schema")), "description": p.get("description", "")}
                            for p in spec.get("parameters", [])],
                request_body=[(media, type_of(body.get("schema")), _anchor(body.get("schema")))
                              for media, body in spec.get("requestBody", {}).get("content", {}).items()],
                responses=[(code, answer.get("description", ""),
                            ", ".join(dict.fromkeys(type_of(c.get("schema")) for c in answer.get("content", {}).values())))
                           for code, answer in spec.get("responses", {}).items()],
            )
            groups.setdefault((spec.get("tags") or ["other"])[0], []).append(operation)
    return dict(sorted(groups.items()))


def components(schema: dict[str, Any]) -> list[Component]:
    found = []
    for name, spec in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(spec.get("required", []))
        found.append(Component(name, spec.get("description", ""), [
            (prop, type_of(detail), prop in required, detail.get("description", ""))
            for prop, detail in spec.get("properties", {}).items()]))
    return found


@functools.lru_cache(maxsize=1)
def _reference(plugin_generation: int) -> dict[str, Any]:
    # The URL conf is fixed once the process has started; the product's name, title and version follow the plugins.
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {"info": schema.get("info", {}), "groups": operations_by_tag(schema), "components": components(schema)}


def api_docs(request: HttpRequest) -> HttpResponse:
    return render(request, "anneal/api_docs.html", _reference(manager.generation()))
