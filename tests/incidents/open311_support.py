"""Shared helpers and fixtures of the Open311 tests (tests/incidents/test_open311_*.py).

Each response is read in both formats and the two must carry the same data; each is also checked against the
schemas of the committed OpenAPI document (docs/open311-openapi.json), which list the spec's fields."""

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from django.utils import timezone

BASE = "/open311/v2"
OPENAPI = json.loads((Path(__file__).resolve().parents[2] / "docs" / "open311-openapi.json").read_text())
LIST_ITEMS = {"service", "request", "error", "attribute", "endpoint", "format", "value"}
LIST_CONTAINERS = {"attributes", "endpoints", "formats", "values"}


# --- reading both formats -------------------------------------------------------------------------------


def xml_data(element: ET.Element):
    """XML as the JSON shape: list containers and repeated items become lists, leaves text ('' → None)."""
    children = list(element)
    if element.tag in LIST_CONTAINERS or (element.tag not in LIST_ITEMS and element.tag in ROOT_LISTS):
        return [xml_data(child) for child in children]
    if not children:
        return element.text if element.text not in (None, "") else None
    return {child.tag: xml_data(child) for child in children}


ROOT_LISTS = {"services", "service_requests", "errors"}


def as_text(value):
    """JSON data with every scalar as XML writes it."""
    if isinstance(value, dict):
        return {k: as_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_text(v) for v in value]
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def fetch(client, path: str, *, method: str = "get", expect: int = 200, **kwargs):
    """Call ``path`` (ending in .{fmt}) as JSON and as XML; check both answers agree, have the expected
    status, the right content type and UTF-8; return the JSON data and the JSON response."""
    answers = {}
    for fmt in ("json", "xml"):
        response = getattr(client, method)(path.replace("{fmt}", fmt), **kwargs)
        assert response.status_code == expect, (fmt, response.status_code, response.content[:500])
        if fmt == "json":
            assert response["Content-Type"] == "application/json; charset=utf-8"
            answers[fmt] = (json.loads(response.content.decode("utf-8")), response)
        else:
            assert response["Content-Type"] == "text/xml; charset=utf-8"
            assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
            answers[fmt] = (ET.fromstring(response.content), response)  # noqa: S314 - our own answer
    data, response = answers["json"]
    assert as_text(data) == xml_data(answers["xml"][0]), "JSON and XML differ"
    return data, response


def errors_of(client, path: str, *, expect: int, method: str = "get", **kwargs) -> list[str]:
    """The descriptions of the spec's error document, checked in both formats."""
    data, _response = fetch(client, path, method=method, expect=expect, **kwargs)
    assert_schema(data, "Errors")
    assert all(error["code"] == expect for error in data)
    return [error["description"] for error in data]


def post_both(client, data: dict, *, expect: int = 201, **extra):
    """POST as JSON, then as XML (a second report: give another device_id or set the limit off)."""
    results = []
    for fmt in ("json", "xml"):
        response = client.post(f"{BASE}/requests.{fmt}", data, **extra)
        assert response.status_code == expect, (fmt, response.content[:500])
        results.append(response)
    return results


# --- the OpenAPI schemas --------------------------------------------------------------------------------


def assert_schema(value, name_or_schema, path="$"):
    """A small validator of the OpenAPI subset the document uses: $ref, type, nullable, required,
    properties, items, enum, maxLength."""
    schema = name_or_schema
    if isinstance(schema, str):
        schema = OPENAPI["components"]["schemas"][schema]
    if "$ref" in schema:
        return assert_schema(value, schema["$ref"].rsplit("/", 1)[1], path)
    if value is None:
        assert schema.get("nullable"), f"{path} is null"
        return None
    kind = schema.get("type")
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
    }
    if kind:
        assert checks[kind](value), f"{path}: {value!r} is not {kind}"
    if "enum" in schema:
        assert value in schema["enum"], f"{path}: {value!r} not in {schema['enum']}"
    if schema.get("format") == "date-time" and isinstance(value, str):
        parsed = timezone.datetime.fromisoformat(value)
        assert parsed.tzinfo is not None, f"{path}: {value} has no zone"
    for required in schema.get("required", []):
        assert required in value, f"{path}: {required} missing"
    for key, sub in schema.get("properties", {}).items():
        if isinstance(value, dict) and key in value:
            assert_schema(value[key], sub, f"{path}.{key}")
    if kind == "array":
        for index, item in enumerate(value):
            assert_schema(item, schema["items"], f"{path}[{index}]")
    return None
