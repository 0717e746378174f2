"""Property-based fuzzing (hypothesis) of the Open311 API: whatever a client sends, the answer is a
well-formed success or a spec error document, never a server error."""

import json
from xml.etree import ElementTree as ET

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from incidents.models import Report
from incidents.services import report_submit


@pytest.fixture
def client():
    """Clients that ask for English (the portal's default language is Czech)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


BASE = "/open311/v2"
FIELDS = [
    "api_key",
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
    "description",
    "media_url",
    "attribute[occurred_at]",
    "attribute[description]",
    "attribute[occurred_at][]",
    "attribute[]",
    "attribute[x",
    "locale",
]
nasty_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80
)  # control characters, RTL, emoji, NUL
numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True).map(str),
)
dates = st.one_of(
    st.datetimes().map(lambda d: d.isoformat()),
    st.dates().map(str),
    st.sampled_from(["2026-02-30", "2026-05-01T25:00", "9999-12-31T23:59:59+14:00", "0001-01-01", "now"]),
)


def values(field: str, secret: str, category: str):
    specific = {
        "api_key": st.sampled_from([secret, secret, secret, "", "okr_x", secret + "x"]),
        "service_code": st.sampled_from([category, category, "", "nope", "../x", category.upper()]),
        "jurisdiction_id": st.sampled_from(["", "oop-dom", "x"]),
        "lat": st.one_of(st.just("49.45"), numbers),
        "long": st.one_of(st.just("12.95"), numbers),
        "address_string": st.one_of(st.sampled_from(["West", "Domažlice", "a, b, c, d, e, f"]), nasty_text),
        "email": st.one_of(st.just("a@example.org"), nasty_text),
        "media_url": st.one_of(st.just("https://example.org/a.jpg"), nasty_text),
        "attribute[occurred_at]": dates,
        "description": st.one_of(nasty_text, st.text(min_size=490, max_size=520)),
    }
    return st.one_of(specific.get(field, nasty_text), st.lists(nasty_text, min_size=2, max_size=3))


def check_answer(response, fmt: str) -> None:
    assert response.status_code < 500, response.content[:300]
    assert response.status_code in (200, 201, 400, 403, 404, 413, 429)
    if fmt == "xml":
        root = ET.fromstring(response.content)  # noqa: S314 - our own answer
        if response.status_code >= 400:
            assert root.tag == "errors"
            assert [int(e.findtext("code")) for e in root] == [response.status_code] * len(root)
            assert all(e.findtext("description") for e in root)
    else:
        data = json.loads(response.content.decode("utf-8"))
        assert isinstance(data, list | dict)
        if response.status_code >= 400:
            assert data and all(e["code"] == response.status_code and e["description"] for e in data)


@pytest.mark.django_db
def test_post_requests_never_fails_with_a_server_error(client, area, open311_keys, settings):
    """Each example starts from a valid request and lets hypothesis replace, add or drop any field."""
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    secret, category = open311_keys["civic"], area["category"].code
    valid = {"api_key": secret, "service_code": category, "lat": "49.45", "long": "12.95"}
    seen = set()

    @hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        fmt=st.sampled_from(["json", "xml"]),
        changes=st.fixed_dictionaries({}, optional={name: values(name, secret, category) for name in FIELDS}),
        dropped=st.sets(st.sampled_from(sorted(valid))),
        extra=st.dictionaries(nasty_text.filter(bool), nasty_text, max_size=3),
    )
    def post(fmt, changes, dropped, extra):
        data = {**extra, **{k: v for k, v in valid.items() if k not in dropped}, **changes}
        before = Report.objects.count()
        response = client.post(f"{BASE}/requests.{fmt}", data)
        check_answer(response, fmt)
        event(f"HTTP {response.status_code}")
        seen.add(response.status_code)
        assert Report.objects.count() == before + (response.status_code == 201)

    post()
    assert {201, 400, 403} <= seen, seen  # the fuzzing reached success and refusals alike


@pytest.mark.django_db
def test_get_requests_never_fails_with_a_server_error(client, area, open311_keys):
    cache.clear()
    report, _token = report_submit(category=area["category"], point=area["in_district"], ip="192.0.2.1")

    @hypothesis_settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        fmt=st.sampled_from(["json", "xml"]),
        path=st.sampled_from(
            ["requests", "services", f"requests/{report.reference}", "tokens/x", "services/illegal-dumping"]
        ),
        params=st.fixed_dictionaries(
            {},
            optional={
                "start_date": dates,
                "end_date": dates,
                "status": st.sampled_from(["open", "closed", "open,closed", "", "x", ",,,"]),
                "service_code": nasty_text,
                "service_request_id": nasty_text,
                "page": numbers,
                "page_size": numbers,
                "jurisdiction_id": nasty_text,
                "locale": nasty_text,
            },
        ),
        key=st.sampled_from([open311_keys["staff"], "x", ""]),  # the X-Api-Key header
    )
    def get(fmt, path, params, key):
        check_answer(client.get(f"{BASE}/{path}.{fmt}", params, HTTP_X_API_KEY=key), fmt)

    get()

    @hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(params=st.dictionaries(st.sampled_from(["bbox", "status", "category", "end_date"]), nasty_text))
    def geojson(params):
        response = client.get(f"{BASE}/requests.geojson", params)
        assert response.status_code in (200, 400, 404), response.content[:300]
        json.loads(response.content)

    geojson()
