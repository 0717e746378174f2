"""Open311 hardening: api keys stay out of addresses (and so out of logs), any other address under /open311/
gets the API's error document, and a parameter sent empty is refused."""

import pytest
from django.test import Client
from django.utils import translation
from django.views.debug import SafeExceptionReporterFilter

from incidents.models import Report
from incidents.open311.views import QUERY_KEY_REFUSED

from .open311_support import BASE, errors_of, fetch


@pytest.fixture
def client():
    """Clients that ask for English (the portal's default language is Czech)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def submission(area, **extra) -> dict:
    return {"service_code": area["category"].code, "lat": "49.45", "long": "12.95", **extra}


# --- api keys: a header (or a POST body), never the query string ------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["services.{fmt}", "requests.{fmt}", "services/illegal-dumping.{fmt}", "tokens/ABCD-EFGH.{fmt}"]
)
def test_a_key_in_the_query_string_is_refused_with_a_400_error_document(client, area, open311_keys, path):
    secret = open311_keys["staff"]
    (message,) = errors_of(client, f"{BASE}/{path}?api_key={secret}", expect=400)
    assert "X-Api-Key header" in message and "query string" in message
    assert secret not in message
    open311_keys["staff_key"].refresh_from_db()
    assert open311_keys["staff_key"].last_used_at is None  # refused before it was used


@pytest.mark.django_db
def test_the_refusal_is_translated_and_covers_discovery_the_feed_and_submissions(area, open311_keys):
    czech = Client(HTTP_ACCEPT_LANGUAGE="cs")
    with translation.override("cs"):
        expected = str(QUERY_KEY_REFUSED)
    assert errors_of(czech, "/open311/discovery.{fmt}?api_key=x", expect=400) == [expected]
    assert czech.get("/open311/discovery.json?api_key=x")["Content-Language"] == "cs"
    response = czech.get(f"{BASE}/requests.geojson", {"api_key": "x"})
    assert response.status_code == 400 and response.json()[0]["code"] == 400
    # a submission whose key is in the address files nothing, even with a valid key in the body too
    secret = open311_keys["civic"]
    query = f"?api_key={secret}"
    errors_of(czech, f"{BASE}/requests.{{fmt}}{query}", method="post", data={"api_key": secret}, expect=400)
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_a_key_is_read_from_the_header_or_the_post_body(client, area, open311_keys, settings):
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    data, response = fetch(client, f"{BASE}/services.{{fmt}}", HTTP_X_API_KEY=open311_keys["civic"])
    assert data and "no-store" in response["Cache-Control"]  # read with a key: private
    assert "X-Api-Key" in response["Vary"]  # a shared cache keeps keyed and anonymous answers apart
    by_header = client.post(f"{BASE}/requests.json", submission(area), HTTP_X_API_KEY=open311_keys["civic"])
    by_body = client.post(f"{BASE}/requests.json", submission(area, api_key=open311_keys["civic"]))
    assert (by_header.status_code, by_body.status_code) == (201, 201)
    (message,) = errors_of(
        client,
        f"{BASE}/requests.{{fmt}}",
        method="post",
        data=submission(area, api_key=open311_keys["civic"]),
        HTTP_X_API_KEY=open311_keys["staff"],
        expect=400,
    )
    assert "Two different api keys" in message
    assert Report.objects.count() == 2


@pytest.mark.django_db
def test_a_key_in_a_post_body_is_hidden_in_error_reports_and_logs(client, area, open311_keys, caplog):
    secret = open311_keys["civic"]
    response = client.post(f"{BASE}/requests.json", submission(area, api_key=secret, lat="north"))
    assert response.status_code == 400
    shown = SafeExceptionReporterFilter().get_post_parameters(response.wsgi_request)
    assert shown["api_key"] != secret and shown["service_code"] == area["category"].code
    assert caplog.records and secret not in caplog.text  # "Bad Request: /open311/v2/requests.json"


# --- other addresses: the API's error document, never the site's HTML page --------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/requests",
        "/open311/v2/requests.",
        "/open311/v2/requests.tar.gz",
        "/open311/v2/services.json-ld",
        "/open311/v2/requests.geo-json",
        "/open311/v2/services/a.b.json",
        "/open311/v2/nothing.json",
        "/open311/discovery.%0A",
        "/open311/",
    ],
)
def test_an_unknown_address_gets_a_json_error_document(client, path):
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code == 404, (method, response.content[:200])
        assert response["Content-Type"] == "application/json; charset=utf-8"
        (error,) = response.json()
        assert error["code"] == 404 and ".json or .xml" in error["description"]


@pytest.mark.django_db
def test_an_unknown_address_ending_in_xml_gets_an_xml_error_document(client):
    response = client.get(f"{BASE}/nothing.xml")
    assert response.status_code == 404 and response["Content-Type"] == "text/xml; charset=utf-8"
    assert b"<error><code>404</code><description>There is no /open311/v2/nothing.xml" in response.content
    for path in ("requests.csv", "services.yaml"):  # an unknown format of a known resource says so
        response = client.get(f"{BASE}/{path}")
        assert response.status_code == 404 and response["Content-Type"] == "application/json; charset=utf-8"
        assert path.split(".")[1] in response.json()[0]["description"]


@pytest.mark.django_db
def test_a_method_a_resource_does_not_allow_is_a_405_document_not_a_csrf_page(area):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")  # as a client outside a browser
    (message,) = errors_of(client, f"{BASE}/services/illegal-dumping.{{fmt}}", method="post", expect=405)
    assert "POST" in message
    assert client.post("/open311/nothing.json").status_code == 404


# --- parameters sent empty ----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "start_date=",
        "end_date=",
        "start_date=%20",
        "status=",
        "service_code=",
        "service_request_id=",
        "page=",
        "page_size=",
        "jurisdiction_id=",
    ],
)
def test_a_read_parameter_sent_empty_is_a_400(client, area, query):
    (message,) = errors_of(client, f"{BASE}/requests.{{fmt}}?{query}", expect=400)
    assert f"{query.split('=')[0]} is empty" in message


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["bbox=", "start_date=", "status=", "jurisdiction_id="])
def test_a_feed_parameter_sent_empty_is_a_400(client, area, query):
    response = client.get(f"{BASE}/requests.geojson?{query}")
    assert response.status_code == 400
    assert f"{query.split('=')[0]} is empty" in response.json()[0]["description"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field", ["lat", "long", "email", "media_url", "jurisdiction_id", "attribute[occurred_at]"]
)
def test_a_submitted_field_sent_empty_is_a_400_and_files_nothing(client, area, open311_keys, field):
    data = submission(area, api_key=open311_keys["civic"], **{field: ""})
    if field in ("lat", "long"):
        data["address_string"] = "West"
    (message,) = errors_of(client, f"{BASE}/requests.{{fmt}}", method="post", data=data, expect=400)
    assert f"{field} is empty" in message
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_empty_free_text_is_the_same_as_leaving_it_out(client, area, open311_keys):
    data = submission(
        area,
        api_key=open311_keys["civic"],
        description="",
        first_name="",
        last_name="",
        phone="",
        device_id="",
        account_id="",
        address_string="",
    )
    response = client.post(f"{BASE}/requests.json", data)
    assert response.status_code == 201, response.content
    assert Report.objects.get().description == ""
