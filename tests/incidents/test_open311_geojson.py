"""The public GeoJSON feed /open311/v2/requests.geojson: the public map's selector, the API's filters."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from incidents import selectors, services
from incidents.models import Category, Report

from .open311_support import BASE, assert_schema


@pytest.fixture
def client():
    """Clients that ask for English (the portal's default language is Czech)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


FEED = f"{BASE}/requests.geojson"


def submit(area, point=None, category=None, now=None, **kwargs):
    report, _token = services.report_submit(
        category=category or area["category"],
        point=point or area["in_district"],
        ip="192.0.2.1",
        now=now,
        **kwargs,
    )
    return report


@pytest.fixture
def feed_reports(area, person_category, settings):
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    now = timezone.now()
    graffiti = Category.objects.create(
        code="graffiti", group="public_order", name_cs="g", name_pl="g", name_en="G"
    )
    made = {
        "west": submit(
            area, description="SECRET", reporter_email="c@example.org", now=now - timedelta(days=2)
        ),
        "east": submit(area, point=area["outside_district"], category=graffiti, now=now - timedelta(days=20)),
        "old": submit(area, now=now - timedelta(days=120)),
        "person": submit(area, category=person_category),
    }
    services.report_transition(report=made["east"], action="take_up", actor=area["coordinator"])
    services.report_transition(
        report=Report.objects.get(pk=made["east"].pk),
        action="joke",
        actor=area["coordinator"],
        public_answer="A joke.",
    )
    return made


def ids(client, **params):
    response = client.get(FEED, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json; charset=utf-8"
    data = response.json()
    assert_schema(data, "FeatureCollection")
    return [feature["id"] for feature in data["features"]]


@pytest.mark.django_db
def test_feed_has_the_public_reports_of_the_last_90_days_only(client, feed_reports, area):
    response = client.get(FEED)
    data = response.json()
    assert [f["id"] for f in data["features"]] == [
        feed_reports["west"].reference,
        feed_reports["east"].reference,
    ]
    west = data["features"][0]
    assert west["geometry"] == {"type": "Point", "coordinates": [12.95, 49.45]}
    properties = west["properties"]
    assert properties["service_code"] == "illegal-dumping" and properties["status"] == "open"
    assert properties["detailed_status"] == "new" and properties["agency_responsible"] == area["unit"].name
    assert "description" not in properties
    assert b"SECRET" not in response.content and b"c@example.org" not in response.content
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.django_db
def test_feed_filters_bbox_category_status_and_period(client, feed_reports):
    west, east = feed_reports["west"].reference, feed_reports["east"].reference
    assert ids(client, bbox="12.9,49.4,13.0,49.5") == [west]
    assert ids(client, bbox="13.0,49.4,13.1,49.5") == [east]
    assert ids(client, service_code="graffiti") == [east]
    assert ids(client, category="illegal-dumping,graffiti") == [west, east]
    assert ids(client, status="closed") == [east]
    assert ids(client, status="open") == [west]
    now = timezone.now()
    assert ids(
        client,
        start_date=(now - timedelta(days=30)).date().isoformat(),
        end_date=(now - timedelta(days=10)).date().isoformat(),
    ) == [east]
    old_window = {
        "start_date": (now - timedelta(days=150)).isoformat(),
        "end_date": (now - timedelta(days=100)).isoformat(),
    }
    assert ids(client, **old_window) == []  # the 120-day-old report: never past 90 days


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"bbox": "1,2,3"},
        {"bbox": "13,49,12,50"},
        {"bbox": "a,b,c,d"},
        {"bbox": "0,0,200,10"},
        {"status": "new"},
        {"start_date": "soon"},
        {"jurisdiction_id": "nowhere"},
    ],
)
def test_feed_refuses_bad_filters_with_spec_errors(client, area, params):
    response = client.get(FEED, params)
    assert response.status_code in (400, 404)
    assert response.json()[0]["code"] == response.status_code


@pytest.mark.django_db
def test_feed_shares_the_public_map_selector(
    client, feed_reports, monkeypatch, django_assert_max_num_queries
):
    calls = []
    original = selectors.public_reports

    def spy(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(selectors, "public_reports", spy)
    with django_assert_max_num_queries(1):
        ids(client, bbox="12.9,49.4,13.0,49.5")
    assert calls and calls[0]["bbox"] == (12.9, 49.4, 13.0, 49.5)
