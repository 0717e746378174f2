"""Open311: discovery, the service list and definitions, jurisdictions, formats, languages, methods."""

import pytest
from django.test import Client

from incidents.models import Category
from portal.models import Country, PoliceUnit

from .open311_support import BASE, assert_schema, errors_of, fetch


@pytest.fixture
def client():
    """Clients that ask for English (the portal's default language is Czech)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.django_db
def test_discovery_names_the_endpoint_its_formats_and_the_spec(client):
    data, response = fetch(client, "/open311/discovery.{fmt}")
    assert_schema(data, "Discovery")
    (endpoint,) = data["endpoints"]
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["formats"] == ["application/json", "text/xml"]
    assert endpoint["type"] == "production"
    assert "/open311/openapi.json" in data["key_service"]
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.django_db
def test_service_list_has_every_active_category_with_the_spec_fields(client, area, person_category):
    Category.objects.create(
        code="retired", group="other", name_cs="x", name_pl="x", name_en="Retired", active=False
    )
    data, response = fetch(client, f"{BASE}/services.{{fmt}}", HTTP_ACCEPT_LANGUAGE="en")
    assert_schema(data, "Services")
    by_code = {service["service_code"]: service for service in data}
    assert set(by_code) == {"illegal-dumping", "minors-at-risk"}  # not the inactive one
    dumping = by_code["illegal-dumping"]
    assert dumping["service_name"] == "Illegal rubbish dump"
    assert dumping["metadata"] is True and dumping["type"] == "realtime"
    assert dumping["group"] == "Environment"
    assert dumping["keywords"] == "Environment, illegal, dumping"
    assert "48 hours" in dumping["description"] and "120 hours" in dumping["description"]
    assert "public map" in dumping["description"]
    assert "police only" in by_code["minors-at-risk"]["description"]
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "header", "name"),
    [
        ("?locale=pl", "", "dzikie wysypiska śmieci"),
        ("?locale=pl_PL", "en", "dzikie wysypiska śmieci"),
        ("?locale=en-GB", "pl", "Illegal rubbish dump"),
        ("", "pl-PL,pl;q=0.9", "dzikie wysypiska śmieci"),
        ("", "cs", "černé skládky"),
        ("?locale=nb", "", "Illegal rubbish dump"),  # no Norwegian name: English
        ("?locale=xx", "en", "Illegal rubbish dump"),  # unknown locale: the header decides
    ],
)
def test_service_name_in_the_requested_language(client, area, query, header, name):
    data, response = fetch(client, f"{BASE}/services.{{fmt}}{query}", HTTP_ACCEPT_LANGUAGE=header)
    assert data[0]["service_name"] == name
    # UTF-8 on the wire, not escapes
    assert name.encode() in response.content


@pytest.mark.django_db
def test_service_definition_lists_attributes_and_marks_the_description_required(client, area):
    data, _ = fetch(client, f"{BASE}/services/illegal-dumping.{{fmt}}")
    assert_schema(data, "ServiceDefinition")
    assert data["service_code"] == "illegal-dumping"
    attributes = {a["code"]: a for a in data["attributes"]}
    assert (
        attributes["occurred_at"]["datatype"] == "datetime" and attributes["occurred_at"]["required"] is False
    )
    assert attributes["description"]["required"] is False
    assert [a["order"] for a in data["attributes"]] == [1, 2]
    assert all(a["variable"] is True for a in data["attributes"])

    Category.objects.filter(pk=area["category"].pk).update(description_required=True)
    data, _ = fetch(client, f"{BASE}/services/illegal-dumping.{{fmt}}")
    assert {a["code"]: a["required"] for a in data["attributes"]}["description"] is True


@pytest.mark.django_db
def test_unknown_or_retired_service_is_404(client, area):
    Category.objects.create(
        code="retired", group="other", name_cs="x", name_pl="x", name_en="x", active=False
    )
    for code in ("no-such-thing", "retired"):
        (message,) = errors_of(client, f"{BASE}/services/{code}.{{fmt}}", expect=404)
        assert code in message


@pytest.mark.django_db
def test_jurisdictions_unknown_404_missing_400_when_several(client, area):
    assert fetch(client, f"{BASE}/services.{{fmt}}")[0]  # one unit: jurisdiction_id may be left out
    (message,) = errors_of(client, f"{BASE}/services.{{fmt}}?jurisdiction_id=nowhere", expect=404)
    assert "nowhere" in message and "jurisdiction_id" in message
    PoliceUnit.objects.create(code="kmp-wroclaw", name="KMP Wrocław", country=Country.PL)
    for path in (
        "services.{fmt}",
        "services/illegal-dumping.{fmt}",
        "requests.{fmt}",
        "requests/ABCD-EFGH.{fmt}",
    ):
        (message,) = errors_of(client, f"{BASE}/{path}", expect=400)
        assert "jurisdiction_id was not provided" in message
    data, _ = fetch(client, f"{BASE}/services.{{fmt}}?jurisdiction_id=oop-dom")
    assert [s["service_code"] for s in data] == ["illegal-dumping"]


@pytest.mark.django_db
def test_a_key_restricted_to_a_jurisdiction_implies_it_and_refuses_others(client, area):
    from incidents.open311.services import api_key_create

    other = PoliceUnit.objects.create(code="kmp-wroclaw", name="KMP Wrocław", country=Country.PL)
    _key, secret = api_key_create(name="Town app", police_unit=area["unit"], rate_limit_per_hour=0)
    assert fetch(client, f"{BASE}/services.{{fmt}}", HTTP_X_API_KEY=secret)[0]
    (message,) = errors_of(
        client, f"{BASE}/services.{{fmt}}?jurisdiction_id={other.code}", HTTP_X_API_KEY=secret, expect=403
    )
    assert "oop-dom" in message


@pytest.mark.django_db
def test_unsupported_format_and_method_are_spec_errors(client, area):
    response = client.get(f"{BASE}/services.csv")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")
    assert response.json()[0]["code"] == 404 and "csv" in response.json()[0]["description"]
    response = client.post(f"{BASE}/services.xml")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
    assert b"<errors><error><code>405</code>" in response.content
    assert client.delete(f"{BASE}/requests.json").status_code == 405
    assert client.head(f"{BASE}/services.json").status_code == 200


@pytest.mark.django_db
def test_bad_api_key_on_a_read_is_403_and_a_key_is_not_needed_to_read(client, area):
    (message,) = errors_of(client, f"{BASE}/services.{{fmt}}", HTTP_X_API_KEY="nope", expect=403)
    assert "api_key" in message
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200 and "public" in response["Cache-Control"]


@pytest.mark.django_db
def test_service_list_query_budget(client, area, django_assert_max_num_queries):
    for n in range(30):
        Category.objects.create(code=f"c{n}", group="other", name_cs="x", name_pl="x", name_en=f"C{n}")
    with django_assert_max_num_queries(2):
        assert len(client.get(f"{BASE}/services.json").json()) == 31
