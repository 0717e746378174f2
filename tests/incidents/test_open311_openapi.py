"""The OpenAPI document: committed, served, complete (every route), and consistent (every $ref resolves)."""

import io
import json
import re

import pytest
from django.core.management import call_command

from incidents.open311 import urls
from incidents.open311.openapi import document

from .open311_support import OPENAPI


def test_committed_document_is_current():
    out = io.StringIO()
    call_command("open311_openapi", output="-", stdout=out)
    assert json.loads(out.getvalue()) == OPENAPI, "run: DEBUG=1 .venv/bin/python manage.py open311_openapi"


@pytest.mark.django_db
def test_document_is_served(client):
    response = client.get("/open311/openapi.json")
    assert response.status_code == 200 and response.json() == document()
    assert response.json()["openapi"].startswith("3.")


def test_every_route_is_documented_and_nothing_else():
    documented = set(OPENAPI["paths"])
    routes = set()
    for pattern in urls.urlpatterns:
        if pattern.name == "not_found":  # the catch-all answering other addresses with an error document
            continue
        route = "/" + re.sub(r"<(?:[\w]+:)?(\w+)>", r"{\1}", str(pattern.pattern)).replace(
            "{fmt}", "{format}"
        )
        if route != "/openapi.json":
            routes.add(route)
    assert routes == documented


def test_every_reference_resolves():
    text = json.dumps(OPENAPI)
    for ref in set(re.findall(r'"\$ref": "#/([^"]+)"', text)):
        node = OPENAPI
        for part in ref.split("/"):
            node = node[part]
    for path, operations in OPENAPI["paths"].items():
        for operation in operations.values():
            assert "200" in operation["responses"] or "201" in operation["responses"], path
            names = {p.get("name") or p["$ref"].rsplit("/", 1)[1] for p in operation.get("parameters", [])}
            for placeholder in re.findall(r"{(\w+)}", path):
                assert placeholder in names, (path, placeholder)


def test_the_document_says_when_jurisdiction_id_is_required_and_where_the_key_goes():
    parameter = OPENAPI["components"]["parameters"]["jurisdiction_id"]
    assert "Required when the portal serves more than one police unit" in parameter["description"]
    assert "jurisdiction_id missing" in OPENAPI["components"]["responses"]["Error400"]["description"]
    assert OPENAPI["components"]["securitySchemes"]["ApiKey"] == {
        **OPENAPI["components"]["securitySchemes"]["ApiKey"],
        "type": "apiKey",
        "in": "header",
        "name": "X-Api-Key",
    }
    for operations in OPENAPI["paths"].values():
        for operation in operations.values():
            assert "400" in operation["responses"]  # a key in the query string, an empty parameter
            names = {p.get("name") or p["$ref"].rsplit("/", 1)[1] for p in operation.get("parameters", [])}
            assert "api_key" not in names  # never a query parameter
