"""Rendering GeoReport v2 documents as JSON and XML, and the spec's error documents.

Both formats carry the same data: a JSON list of objects is an XML root element with one child per object
(``<services><service>…``), booleans are ``true``/``false``, a missing value is ``null`` in JSON and an empty
element in XML. Everything is UTF-8.
"""

import json
import re
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
    "geojson": "application/geo+json; charset=utf-8",
}
FORMATS = ("json", "xml")
# Child element names of lists inside XML documents (the spec's examples)
XML_LIST_ITEMS = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
# Characters XML 1.0 cannot carry, even escaped: they are dropped from text
_XML_INVALID = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class Open311Error(Exception):
    """An error answered as the spec says: a list of {code, description} with the HTTP status ``code``."""

    def __init__(self, code: int, *descriptions: str, headers: dict[str, str] | None = None):
        super().__init__(code, *descriptions)
        self.code = code
        self.descriptions = [str(d) for d in descriptions] or [""]
        self.headers = headers or {}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _XML_INVALID.sub("", str(value))


def _xml_fill(element: ET.Element, value: Any, name: str) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _xml_fill(ET.SubElement(element, key), child, key)
    elif isinstance(value, list | tuple):
        item_name = XML_LIST_ITEMS.get(name, "item")
        for child in value:
            _xml_fill(ET.SubElement(element, item_name), child, item_name)
    else:
        element.text = _text(value)


def to_xml(data: Any, *, root: str, item: str | None = None) -> bytes:
    """``data`` as XML: a list becomes ``<root><item>…</item>…</root>``, a dict ``<root>…</root>``."""
    element = ET.Element(root)
    if isinstance(data, list):
        for entry in data:
            _xml_fill(ET.SubElement(element, item or "item"), entry, item or "item")
    else:
        _xml_fill(element, data, root)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(data: Any, fmt: str, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
    body = to_xml(data, root=root, item=item) if fmt == "xml" else to_json(data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["json"]))


def render_error(error: Open311Error, fmt: str) -> HttpResponse:
    errors = [{"code": error.code, "description": description} for description in error.descriptions]
    response = render(
        errors, fmt if fmt in FORMATS else "json", root="errors", item="error", status=error.code
    )
    for name, value in error.headers.items():
        response[name] = value
    return response
