"""Interoperability: a published GeoReport v2 client from PyPI (``georeport``) against a live server, and our
documents against the example documents of the GeoReport v2 specification.

``georeport`` 0.3.1 reads (services, definitions, requests, one request) in JSON and XML but has no method to
submit; the submission is the spec's form-encoded POST with ``requests``, the HTTP library the client itself
uses. The other Python clients on PyPI (``open311`` 1.1, ``three`` 0.8) are Python 2 only."""

from xml.etree import ElementTree as ET

import pytest
import requests
from django.test import Client
from georeport import GeoReport

from incidents import selectors, services
from incidents.models import Category, Report
from incidents.workflow import Status

from .open311_support import BASE


@pytest.fixture
def client():
    """Clients that ask for English (the portal's default language is Czech)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def client_area(area, open311_keys):
    Category.objects.create(
        code="graffiti", group="public_order", name_cs="graffiti", name_pl="graffiti", name_en="Graffiti"
    )
    return area


@pytest.fixture
def one_request_per_connection(monkeypatch):
    """Every HTTP request of the test (the client's too) says "Connection: close": otherwise a response left
    unread keeps its connection, and the live server's thread for it, open past the test."""
    original = requests.sessions.default_headers

    def headers():
        return {**original(), "Connection": "close"}

    monkeypatch.setattr(
        requests.sessions, "default_headers", lambda: requests.structures.CaseInsensitiveDict(headers())
    )


def submit(api: GeoReport, fmt: str, **fields) -> requests.Response:
    data = {"api_key": api.api_key, "jurisdiction_id": api.jurisdiction, **fields}
    return requests.post(f"{api.root_address}/requests.{fmt}", data=data, timeout=30)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_published_georeport_client_lists_submits_and_follows_a_report(
    live_server, client_area, open311_keys, one_request_per_connection, fmt
):
    area = client_area
    api = GeoReport(
        f"{live_server.url}{BASE}", jurisdiction="oop-dom", api_key=open311_keys["civic"], output_format=fmt
    )

    services_list = api.get_service_list()
    codes = {service["service_code"] for service in services_list}
    assert codes == {"illegal-dumping", "graffiti"}
    metadata = {str(service["metadata"]).lower() for service in services_list}
    assert metadata == {"true"}
    definition = api.get_service_definition("illegal-dumping")
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert [a["code"] for a in attributes] == ["occurred_at", "description"]

    response = submit(
        api,
        fmt,
        service_code="illegal-dumping",
        lat="49.45",
        long="12.95",
        description="Old fridge in the ditch",
        email="citizen@example.org",
        first_name="Jana",
        device_id=f"device-{fmt}",
        **{"attribute[occurred_at]": "2026-01-05T08:30:00+01:00"},
    )
    assert response.status_code == 201, response.text
    if fmt == "json":
        (answer,) = response.json()
    else:
        answer = {child.tag: child.text for child in ET.fromstring(response.content)[0]}  # noqa: S314
    reference = answer["service_request_id"]
    assert reference and answer["service_notice"]

    report = Report.objects.get(reference=reference)
    assert report in selectors.staff_queue(area["officer"])
    assert report.due_at == report.take_up_due_at and report.assignee == area["officer"]

    request = api.get_service_request(reference)
    assert request["service_request_id"] == reference and request["status"] == "open"
    assert request["service_code"] == "illegal-dumping"
    assert request["description"] in (None, "")  # public read
    assert request["expected_datetime"]

    services.report_transition(report=report, action="take_up", actor=area["officer"])
    services.report_transition(
        report=Report.objects.get(pk=report.pk),
        action="not_confirm",
        actor=area["officer"],
        public_answer="Nothing found there.",
    )
    found = api.get_service_requests(service_request_id=reference)
    found = found if isinstance(found, list) else [found]
    assert [(r["service_request_id"], r["status"], r["status_notes"]) for r in found] == [
        (reference, "closed", "Nothing found there.")
    ]
    closed = api.get_service_requests(status="closed")
    closed = closed if isinstance(closed, list) else [closed]
    assert reference in {r["service_request_id"] for r in closed}
    assert Report.objects.get(pk=report.pk).status == Status.NOT_CONFIRMED

    token = requests.get(f"{api.root_address}/tokens/{reference}.{fmt}", timeout=30)
    assert token.status_code == 200 and reference in token.text

    # The client raises on the spec's errors (HTTP status codes)
    with pytest.raises(requests.HTTPError) as error:
        GeoReport(f"{live_server.url}{BASE}", jurisdiction="nowhere", output_format=fmt).get_service_list()
    assert error.value.response.status_code == 404
    refused = submit(
        GeoReport(api.root_address, jurisdiction="oop-dom", api_key="wrong"), fmt, service_code="x"
    )
    assert refused.status_code == 403


# --- the specification's example documents (wiki.open311.org/GeoReport_v2) --------------------------------

SPEC_EXAMPLES = {
    "discovery": """<discovery><changeset>2011-04-05T17:48:34Z</changeset><contact>You can email or call for
        assistance api@mycity.org +1 (555) 555-5555</contact><key_service>You can request a key here:
        http://api.mycity.gov/api_key/request</key_service><endpoints><endpoint>
        <specification>http://wiki.open311.org/GeoReport_v2</specification><url>http://open311.mycity.gov/v2</url>
        <changeset>2011-04-05T17:48:34Z</changeset><type>production</type><formats><format>text/xml</format>
        </formats></endpoint></endpoints></discovery>""",
    "services": """<services><service><service_code>001</service_code>
        <service_name>Cans left out 24x7</service_name><description>Garbage or recycling cans that have been
        left out for more than 24 hours after collection. Violators will be cited.</description>
        <metadata>true</metadata><type>realtime</type>
        <keywords>lorem, ipsum, dolor</keywords><group>sanitation</group></service></services>""",
    "service_definition": """<service_definition><service_code>DMV66</service_code><attributes><attribute>
        <variable>true</variable><code>WHISHETN</code><datatype>singlevaluelist</datatype><required>true</required>
        <datatype_description></datatype_description><order>1</order><description>What is the ticket/tag/DL
        number?</description><values><value><key>123</key><name>Ford</name></value></values></attribute>
        </attributes></service_definition>""",
    "post": """<service_requests><request><service_request_id>293944</service_request_id>
        <service_notice>The City will inspect and require the responsible party to correct within 24 hours
        and/or issue a Correction Notice or Notice of Violation of the Public Works Code</service_notice>
        <account_id/></request></service_requests>""",
    "token": """<service_requests><request><service_request_id>638344</service_request_id><token>12345</token>
        </request></service_requests>""",
    "requests": """<service_requests><request><service_request_id>638344</service_request_id>
        <status>closed</status>
        <status_notes>Duplicate request.</status_notes><service_name>Sidewalk and Curb Issues</service_name>
        <service_code>006</service_code><description></description><agency_responsible></agency_responsible>
        <service_notice></service_notice><requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime>
        <updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime><expected_datetime>2010-04-15T06:37:38-08:00
        </expected_datetime><address>8TH AVE and JUDAH ST</address><address_id>545483</address_id>
        <zipcode>94122</zipcode><lat>37.762221815</lat><long>-122.4651145</long>
        <media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg</media_url></request>
        </service_requests>""",
    "errors": """<errors><error><code>403</code><description>Invalid api_key received -- can't proceed with
        create_request.</description></error></errors>""",
}


def shape(element: ET.Element) -> dict:
    """Tag → shape of the children (the first of repeated ones)."""
    children = {}
    for child in element:
        children.setdefault(child.tag, shape(child))
    return children


def contains(ours: dict, spec: dict, path: str = "") -> None:
    for tag, sub in spec.items():
        assert tag in ours, f"{path}/{tag} missing"
        contains(ours[tag], sub, f"{path}/{tag}")


@pytest.mark.django_db
def test_our_xml_documents_have_the_shape_of_the_specs_examples(client, area, open311_keys):
    ours = {
        "discovery": client.get("/open311/discovery.xml"),
        "services": client.get(f"{BASE}/services.xml"),
        "service_definition": client.get(f"{BASE}/services/illegal-dumping.xml"),
        "post": client.post(
            f"{BASE}/requests.xml",
            {
                "api_key": open311_keys["civic"],
                "service_code": "illegal-dumping",
                "lat": "49.45",
                "long": "12.95",
            },
        ),
        "errors": client.post(f"{BASE}/requests.xml", {"api_key": "invalid"}),
    }
    reference = Report.objects.get().reference
    ours["token"] = client.get(f"{BASE}/tokens/{reference}.xml")
    ours["requests"] = client.get(f"{BASE}/requests.xml")
    for name, example in SPEC_EXAMPLES.items():
        spec_root = ET.fromstring(example)  # noqa: S314 - a constant
        our_root = ET.fromstring(ours[name].content)  # noqa: S314 - our own answer
        assert our_root.tag == spec_root.tag, name
        spec_shape = shape(spec_root)
        if name == "service_definition":  # "values" only belongs to list attributes; ours are not lists
            spec_shape["attributes"]["attribute"].pop("values")
        contains(shape(our_root), spec_shape, name)
        # and the JSON answer has the same fields
        json_response = client.get(ours[name].wsgi_request.get_full_path().replace(".xml", ".json"))
        if ours[name].wsgi_request.method == "GET":
            data = json_response.json()
            first = data[0] if isinstance(data, list) else data
            spec_item = spec_shape[next(iter(spec_shape))] if isinstance(data, list) else spec_shape
            assert set(spec_item) <= set(first), name
