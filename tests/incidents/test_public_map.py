"""The public map: /reports/map/ (filters, the list under the map), /reports/map.geojson (bbox, clusters)."""

import gzip
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import selectors
from incidents.models import PUBLIC_STATUS_CHOICES, Report
from incidents.workflow import OPEN_STATUSES, STATUS_COLOURS, Status

from .map_helpers import SECRET_DESCRIPTION, SECRET_EMAIL, SECRET_FILE, _fresh_cache, make_report, public_area

FIXTURES = (_fresh_cache, public_area)  # imported for pytest, which finds fixtures by their names

MAP = "/reports/map/"
GEOJSON = "/reports/map.geojson"
BBOX = "12.8,49.3,13.7,49.9"  # both towns of public_area


def geojson(client, **params):
    params.setdefault("bbox", BBOX)
    return client.get(GEOJSON, params)


def refs(response) -> set[str]:
    return {f["properties"]["ref"] for f in response.json()["features"]}


@pytest.fixture
def reports(public_area):
    a = public_area
    return {
        "west": make_report(
            category=a["category"],
            point=a["west_point"],
            district=a["district"],
            municipality=a["town"],
            status=Status.CONFIRMED,
            public_answer="The patrol cleared the dump.",
            age=timedelta(days=2),
        ),
        "rokycany": make_report(
            category=a["potholes"],
            point=a["rokycany_point"],
            district=a["east"],
            municipality=a["rokycany"],
            age=timedelta(days=20),
        ),
        "outside_district": make_report(
            category=a["category"],
            point=a["outside_district"],
            municipality=a["town"],
            status=Status.VERIFYING,
            age=timedelta(days=60),
        ),
    }


# --- privacy --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_geojson_carries_only_public_reports_and_public_fields(client, public_area, reports):
    response = geojson(client)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = response.content.decode()
    assert refs(response) == {r.reference for r in reports.values()}
    assert public_area["hidden"].reference not in body
    for secret in (SECRET_DESCRIPTION, SECRET_EMAIL, SECRET_FILE, "Person-answer-never-public", "0" * 64):
        assert secret not in body
    feature = next(f for f in response.json()["features"] if f["id"] == reports["west"].reference)
    assert set(feature["properties"]) == {"ref", "category", "status", "date", "answer"}
    assert feature["properties"]["answer"] == "The patrol cleared the dump."
    assert feature["properties"]["status"] == "confirmed"
    assert feature["geometry"] == {"type": "Point", "coordinates": [12.95, 49.45]}


@pytest.mark.django_db
def test_map_page_never_shows_person_related_reports_or_private_data(client, public_area, reports):
    response = client.get(MAP)
    assert response.status_code == 200
    body = response.content.decode()
    for report in reports.values():
        assert report.reference in body
    assert "The patrol cleared the dump." in body  # the public answer is public
    assert public_area["hidden"].reference not in body
    for secret in (SECRET_DESCRIPTION, SECRET_EMAIL, SECRET_FILE, "Person-answer-never-public"):
        assert secret not in body
    # neither in the filter nor in the names the map script gets
    assert "ohrožené děti" not in body and "Minors at risk" not in body
    assert 'value="minors-at-risk"' not in body


@pytest.mark.django_db
def test_clusters_count_only_public_reports(client, public_area, reports, monkeypatch):
    monkeypatch.setattr(selectors, "MAP_FEATURE_LIMIT", 1)
    data = geojson(client, zoom=3).json()
    assert data["clustered"] is True
    assert data["total"] == 3 == sum(f["properties"]["count"] for f in data["features"])
    assert SECRET_DESCRIPTION not in json.dumps(data)


@pytest.mark.django_db
def test_answers_are_escaped_in_the_list(client, public_area):
    make_report(
        category=public_area["category"],
        point=public_area["west_point"],
        public_answer='<script>alert("x")</script>',
    )
    body = client.get(MAP).content.decode()
    assert '<script>alert("x")</script>' not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


# --- the period ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_map_shows_90_days_at_most(client, public_area):
    a = public_area
    recent = make_report(category=a["category"], point=a["west_point"], age=timedelta(days=89))
    old = make_report(category=a["category"], point=a["west_point"], age=timedelta(days=91))
    assert refs(geojson(client)) == {recent.reference}
    assert refs(geojson(client, period=90)) == {recent.reference}
    body = client.get(MAP).content.decode()
    assert recent.reference in body and old.reference not in body
    # a longer period cannot be asked for: it is refused, not widened
    assert geojson(client, period=365).status_code == 400
    page = client.get(MAP, {"period": 365})
    assert page.status_code == 200
    assert old.reference not in page.content.decode()


@pytest.mark.django_db
def test_period_filter(client, public_area, reports):
    assert refs(geojson(client, period=7)) == {reports["west"].reference}
    assert refs(geojson(client, period=30)) == {reports["west"].reference, reports["rokycany"].reference}
    body = client.get(MAP, {"period": 7}).content.decode()
    assert reports["west"].reference in body and reports["rokycany"].reference not in body


# --- filters ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, expected",
    [
        ({"category": "potholes"}, {"rokycany"}),
        ({"category": "illegal-dumping"}, {"west", "outside_district"}),
        ({"status": "confirmed"}, {"west"}),
        ({"status": "verifying"}, {"outside_district"}),
        ({"status": "new", "category": "potholes"}, {"rokycany"}),
        ({"status": "eliminated"}, set()),
    ],
)
def test_category_and_status_filters(client, public_area, reports, params, expected):
    wanted = {reports[name].reference for name in expected}
    assert refs(geojson(client, **params)) == wanted
    body = client.get(MAP, params).content.decode()
    for name, report in reports.items():
        assert (report.reference in body) == (name in expected), name


@pytest.mark.django_db
def test_district_and_town_filters(client, public_area, reports):
    a = public_area
    assert refs(geojson(client, district=a["district"].pk)) == {reports["west"].reference}
    assert refs(geojson(client, district=a["east"].pk)) == {reports["rokycany"].reference}
    assert refs(geojson(client, municipality=a["town"].pk)) == {
        reports["west"].reference,
        reports["outside_district"].reference,
    }
    assert refs(geojson(client, municipality=a["rokycany"].pk)) == {reports["rokycany"].reference}
    body = client.get(MAP, {"municipality": a["rokycany"].pk}).content.decode()
    assert reports["rokycany"].reference in body and reports["west"].reference not in body
    # the map opens on the chosen district
    page = client.get(MAP, {"district": a["east"].pk}).content.decode()
    assert 'data-extent="13.50000,49.70000,13.60000,49.80000"' in page
    assert f"district={a['east'].pk}" in page  # the map's data requests keep the filter


@pytest.mark.django_db
def test_the_box_limits_the_features(client, public_area, reports):
    assert refs(geojson(client, bbox="13.4,49.6,13.7,49.9")) == {reports["rokycany"].reference}
    assert refs(geojson(client, bbox="14,50,15,51")) == set()


@pytest.mark.django_db
def test_unknown_filters_are_reported_on_the_page_and_the_rest_still_applies(client, public_area, reports):
    response = client.get(MAP, {"category": "minors-at-risk", "status": "bogus", "period": "5"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="errorlist"' in body
    assert reports["west"].reference in body  # the wrong filters are left out, the defaults apply
    assert public_area["hidden"].reference not in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [{"status": "bogus"}, {"period": "5"}, {"district": "x"}, {"municipality": "-3"}, {"category": "a b"}],
)
def test_geojson_refuses_wrong_filters(client, public_area, params):
    response = geojson(client, **params)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == set(params)


@pytest.mark.django_db
def test_a_person_related_category_cannot_be_asked_for(client, public_area):
    response = geojson(client, category="minors-at-risk")
    assert response.status_code == 200
    assert response.json()["features"] == []


# --- the box ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bbox, code",
    [
        (None, "required"),
        ("", "required"),
        ("12,49,13", "invalid"),
        ("12,49,13,50,14", "invalid"),
        ("a,b,c,d", "invalid"),
        ("12;49;13;50", "invalid"),
        ("nan,49,13,50", "finite"),
        ("12,49,inf,50", "finite"),
        ("13,49,12,50", "swapped"),
        ("12,50,13,49", "swapped"),
        ("12,49,12,50", "swapped"),
        ("-190,49,13,50", "range"),
        ("12,49,13,95", "range"),
        ("0,0,30,10", "too_large"),
        ("12,30,13,60", "too_large"),
        ("1" * 300, "length"),
    ],
)
def test_bad_boxes_get_a_clear_json_error(client, db, bbox, code):
    params = {} if bbox is None else {"bbox": bbox}
    response = client.get(GEOJSON, params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert list(data["errors"]) == ["bbox"]
    messages = {
        "required": "bbox=west,south,east,north",
        "invalid": "four numbers",
        "finite": "finite",
        "swapped": "swapped",
        "range": "between -180 and 180",
        "too_large": "too large",
        "length": "at most 200 characters",
    }
    assert messages[code] in data["error"]


@pytest.mark.django_db
def test_zoom_is_checked(client, db):
    assert client.get(GEOJSON, {"bbox": BBOX, "zoom": "99"}).status_code == 400
    assert client.get(GEOJSON, {"bbox": BBOX, "zoom": "x"}).status_code == 400
    assert client.get(GEOJSON, {"bbox": BBOX, "zoom": "12"}).status_code == 200


@pytest.mark.django_db
def test_only_get(client, db):
    assert client.post(GEOJSON, {"bbox": BBOX}).status_code == 405
    assert client.post(MAP).status_code == 405


# --- clustering -----------------------------------------------------------------------------------------


@pytest.fixture
def many(public_area, monkeypatch):
    """Eight reports: five around one spot in Domažlice, three in Rokycany; the limit lowered to 6."""
    monkeypatch.setattr(selectors, "MAP_FEATURE_LIMIT", 6)
    a = public_area
    for i in range(5):
        make_report(category=a["category"], point=Point(12.95 + i * 0.001, 49.45, srid=4326))
    for i in range(3):
        make_report(category=a["potholes"], point=Point(13.55, 49.75 + i * 0.001, srid=4326))


@pytest.mark.django_db
def test_above_the_limit_the_database_sends_clusters(client, many):
    data = geojson(client, zoom=12).json()
    assert data["clustered"] is True
    assert data["total"] == 8
    clusters = sorted((f["properties"]["count"], f["geometry"]["coordinates"]) for f in data["features"])
    assert [count for count, _coords in clusters] == [3, 5]
    (_three, (lon3, lat3)), (_five, (lon5, lat5)) = clusters
    assert (lon3, lat3) == (13.55, 49.751)  # the mean position of the cluster's reports
    assert (lon5, lat5) == (12.952, 49.45)
    assert all(
        f["properties"] == {"cluster": True, "count": f["properties"]["count"]} for f in data["features"]
    )


@pytest.mark.django_db
def test_at_most_the_limit_single_reports_are_sent(client, many):
    data = geojson(client, bbox="12.8,49.3,13.2,49.6", zoom=12).json()
    assert data["clustered"] is False
    assert len(data["features"]) == data["total"] == 5


@pytest.mark.django_db
def test_clusters_are_bounded_whatever_the_zoom_claims(client, many):
    data = geojson(client, zoom=24).json()
    assert data["clustered"] is True
    cell = selectors.map_cluster_cell(bbox=(12.8, 49.3, 13.7, 49.9), zoom=24)
    assert cell == pytest.approx(0.9 / selectors.MAP_MAX_CELLS_ACROSS)


# --- speed: constant queries, HTTP caching, gzip ------------------------------------------------------


def _queries(client, path, params) -> int:
    """Queries of one request with cold caches (the towns list and the served area are cached)."""
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path, params).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_geojson_queries_do_not_grow_with_reports(
    client, public_area, monkeypatch, django_assert_max_num_queries
):
    a = public_area
    make_report(category=a["category"], point=a["west_point"])
    few = _queries(client, GEOJSON, {"bbox": BBOX})
    for i in range(30):
        make_report(category=a["category"], point=Point(12.95, 49.45 + i * 0.001, srid=4326))
    no_parallel = connection.vendor == "postgresql"  # SET LOCAL max_parallel_workers_per_gather = 0
    with django_assert_max_num_queries(1 + no_parallel):
        assert geojson(client).json()["total"] == 31
    assert _queries(client, GEOJSON, {"bbox": BBOX}) == few
    monkeypatch.setattr(selectors, "MAP_FEATURE_LIMIT", 10)
    # The cells (not built here: test_map_cells), the capped read, then the clusters
    with django_assert_max_num_queries(3 + no_parallel):
        assert geojson(client, zoom=10).json()["clustered"] is True


@pytest.mark.django_db
def test_map_page_queries_do_not_grow_with_reports(client, public_area, django_assert_max_num_queries):
    a = public_area
    make_report(category=a["category"], point=a["west_point"])
    few = _queries(client, MAP, {})
    for i in range(30):
        make_report(
            category=a["potholes"] if i % 2 else a["category"],
            point=a["rokycany_point"] if i % 2 else a["west_point"],
            district=a["east"] if i % 2 else a["district"],
            municipality=a["rokycany"] if i % 2 else a["town"],
        )
    assert _queries(client, MAP, {}) == few
    with django_assert_max_num_queries(7):
        client.get(MAP, {"district": a["east"].pk, "category": "potholes"})


@pytest.mark.django_db
def test_geojson_is_cacheable_and_compressed(client, public_area, reports):
    response = client.get(GEOJSON, {"bbox": BBOX}, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.content))["total"] == 3


# --- the list under the map ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_is_paged_newest_first(client, public_area):
    a = public_area
    made = [
        make_report(category=a["category"], point=a["west_point"], age=timedelta(hours=h)) for h in range(25)
    ]
    first = client.get(MAP).content.decode()
    positions = [first.find(r.reference) for r in made[:20]]
    assert all(p > 0 for p in positions) and positions == sorted(positions)
    assert made[20].reference not in first
    assert "?page=2" in first and 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get(MAP, {"page": 2}).content.decode()
    assert all(r.reference in second for r in made[20:])
    assert made[0].reference not in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert client.get(MAP, {"page": "abc"}).status_code == 200
    assert (
        "There are no more reports"
        in client.get(MAP, {"page": 9}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


@pytest.mark.django_db
def test_page_links_keep_the_filters(client, public_area):
    a = public_area
    for h in range(21):
        make_report(category=a["potholes"], point=a["rokycany_point"], age=timedelta(hours=h))
    body = client.get(MAP, {"category": "potholes", "period": 30}).content.decode()
    assert re.search(r'href="\?category=potholes&amp;period=30&amp;page=2"', body), body[-3000:]


@pytest.mark.django_db
def test_the_page_works_without_javascript_and_has_a_legend(client, public_area, reports):
    body = client.get(MAP, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<form method="get" action="/reports/map/"' in body
    for field in ("category", "status", "period", "district", "municipality"):
        assert f'name="{field}"' in body and f'for="id_{field}"' in body
    assert "The map needs JavaScript" in body
    for code, label in PUBLIC_STATUS_CHOICES:  # every status but "withdrawn", which is never on the map
        assert f'class="legend-swatch status--{code}"' in body
        assert str(label) in body
    assert "<script>" not in body and 'style="' not in body  # the CSP forbids both
    assert 'id="report-map-labels"' in body  # the map's texts come as JSON data


def test_marker_colours_in_the_stylesheet_are_the_workflow_colours():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "okrsek.css").read_text()
    for status, colour in STATUS_COLOURS.items():
        assert re.search(rf"\.status--{status} {{ --status: {colour}; }}", css), status


# --- the fake reports command ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_fake_reports_are_plausible(public_area):
    call_command("incidents_fake_reports", 60, days=30, seed=7, batch_size=25, verbosity=0)
    fakes = list(Report.objects.exclude(pk=public_area["hidden"].pk))
    assert len(fakes) == 60
    districts = {
        public_area["district"].pk: public_area["district"],
        public_area["east"].pk: public_area["east"],
    }
    statuses = {r.status for r in fakes}
    assert len(statuses) >= 4  # a spread over the workflow
    for r in fakes:
        if r.district_id:
            assert districts[r.district_id].area.contains(r.point)
        else:
            assert r.municipality.boundary.contains(r.point)
        assert r.police_unit_id == public_area["unit"].pk
        assert r.take_up_due_at == r.created_at + timedelta(hours=r.category.take_up_hours)
        stamps = [s for s in (r.created_at, r.taken_up_at, r.verified_at, r.closed_at) if s]
        assert stamps == sorted(stamps)
        assert (r.taken_up_at is None) == (r.status == Status.NEW)
        # a deadline runs while the police work on it, and while the partner body it was handed to has not
        # resolved it (PARTNER_RESOLVE); only then is it closed
        partner_working = r.status == Status.HANDED_OVER and r.partner_resolved_at is None
        assert (r.due_at is None) == (r.status not in (Status.NEW, Status.VERIFYING) and not partner_working)
        assert (r.closed_at is not None) == (r.status not in OPEN_STATUSES and not partner_working)
        assert r.events.filter(action="submitted").count() == 1
    assert len({r.reference for r in fakes}) == 60


@pytest.mark.django_db
def test_the_town_filter_offers_towns_with_reports(client, public_area, reports):
    from portal.models import Country, Municipality

    empty = Municipality.objects.create(country=Country.CZ, code="999999", name="Emptyville")
    public_area["unit"].municipalities.add(empty)
    body = client.get(MAP).content.decode()
    assert f'<option value="{public_area["rokycany"].pk}">Rokycany</option>' in body
    assert "Emptyville" not in body


@pytest.mark.django_db
def test_a_category_name_shown_in_another_language_than_the_page_s_is_marked_for_the_script(
    client, public_area
):
    """Norwegian has no category names: the map script gets the English name with its language, and sets
    ``lang`` on it (static/js/public-map.js); in Czech the names are the page's own, unmarked."""
    from incidents.models import Category

    Category.objects.create(
        code="broken-light",
        group="public-order",
        name_cs="rozbité osvětlení",
        name_pl="zepsute oświetlenie",
        name_en="Broken street light",
        public=True,
    )

    def labels(language):
        client.cookies["django_language"] = language
        body = client.get(MAP).content.decode()
        data = re.search(r'<script id="report-map-labels" type="application/json">(.*?)</script>', body, re.S)
        return json.loads(data.group(1))["categories"]["broken-light"]

    assert labels("nb") == {"name": "Broken street light", "group": "public-order", "lang": "en"}
    assert labels("cs") == {"name": "rozbité osvětlení", "group": "public-order"}
