"""The public map's clusters counted ahead (incidents.map_cells): the cells equal the reports behind them,
stay current after a submission, a status change and a withdrawal, age out of their periods, and a city-zoom
map costs one query."""

import math
from datetime import timedelta

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from incidents import map_cells, selectors, services
from incidents.models import MapCell, MapCellState, Report, Status

from .map_helpers import _fresh_cache, make_report, public_area

FIXTURES = (_fresh_cache, public_area)

GEOJSON = "/reports/map.geojson"
BBOX = (12.8, 49.3, 13.7, 49.9)  # both towns of public_area
ZOOM = 12


def geojson(client, **params):
    params.setdefault("bbox", ",".join(map(str, BBOX)))
    params.setdefault("zoom", ZOOM)
    return client.get(GEOJSON, params).json()


def expected(*, zoom=ZOOM, days=90, **filters) -> dict[tuple[int, int], int]:
    """The public reports per grid cell of ``zoom``, counted from the rows (the cells' definition)."""
    size = selectors.map_cell_size(zoom)
    counts: dict[tuple[int, int], int] = {}
    reports = selectors.public_reports(since=timezone.now() - timedelta(days=days), **filters)
    for point in reports.values_list("point", flat=True):
        key = (math.floor(point.x / size), math.floor(point.y / size))
        counts[key] = counts.get(key, 0) + 1
    return counts


def served(*, zoom=ZOOM, period=90, bbox=BBOX) -> dict[tuple[int, int], int]:
    clusters = selectors.public_map_cells(bbox=bbox, zoom=zoom, period=period)
    assert clusters is not None, "the cells did not answer"
    return {(row["cell_x"], row["cell_y"]): row["count"] for row in clusters}


@pytest.fixture
def spread(public_area):
    """Reports of two public categories in several statuses and ages, one withdrawn, one person-related
    (public_area's hidden report), one older than every period."""
    a = public_area
    made = []
    for i, (status, days) in enumerate(
        [
            (Status.NEW, 1),
            (Status.VERIFYING, 3),
            (Status.CONFIRMED, 10),
            (Status.ELIMINATED, 40),
            (Status.WITHDRAWN, 2),
            (Status.NOT_CONFIRMED, 200),
        ]
    ):
        made.append(
            make_report(
                category=a["category"] if i % 2 else a["potholes"],
                point=Point(12.95 + i * 0.02, 49.45 + i * 0.01, srid=4326),
                status=status,
                age=timedelta(days=days),
            )
        )
    for i in range(4):
        made.append(
            make_report(
                category=a["potholes"], point=a["rokycany_point"], age=timedelta(days=5 + i, hours=12)
            )
        )
    return made


@pytest.mark.django_db
def test_cells_equal_the_rows_behind_them(spread, public_area):
    map_cells.map_cells_rebuild()
    for zoom in (4, 5, 11, ZOOM):  # stored levels and zooms read from the finer level (13+: box too large)
        assert served(zoom=zoom) == expected(zoom=zoom)
    small = (13.5, 49.7, 13.6, 49.8)  # a small box (else the box clamps the cell)
    for zoom in (13, 15, 16):
        size = selectors.map_cell_size(zoom)
        in_small = {
            (cx, cy): n
            for (cx, cy), n in expected(zoom=zoom).items()
            if math.floor(small[0] / size) <= cx <= math.floor(small[2] / size)
            and math.floor(small[1] / size) <= cy <= math.floor(small[3] / size)
        }
        assert served(zoom=zoom, bbox=small) == in_small == {next(iter(in_small)): 4}
    for period in selectors.MAP_CELL_PERIODS:
        assert served(period=period) == expected(days=period)
    assert sum(served().values()) == 8  # 10 made, one withdrawn, one 200 days old; the hidden one left out


@pytest.mark.django_db
def test_filtered_maps_are_counted_live_and_match_the_rows(client, spread, monkeypatch):
    monkeypatch.setattr(selectors, "MAP_FEATURE_LIMIT", 1)
    map_cells.map_cells_rebuild()
    for filters in ({"category": "potholes"}, {"status": Status.NEW}, {"period": 7}):
        data = geojson(client, **filters)
        days = filters.pop("period", 90)
        assert data["clustered"] is True
        assert data["total"] == sum(expected(days=days, **filters).values()) > 0


@pytest.mark.django_db
def test_city_zoom_clusters_cost_one_query_and_match_the_reports(
    client, spread, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(selectors, "MAP_FEATURE_LIMIT", 3)
    map_cells.map_cells_rebuild()
    with django_assert_max_num_queries(1):
        data = geojson(client)
    assert data["clustered"] is True
    assert data["total"] == 8
    size = selectors.map_cell_size(ZOOM)
    cells = expected()
    for feature in data["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["properties"] == {
            "cluster": True,
            "count": cells[(math.floor(lon / size), math.floor(lat / size))],
        }
    # The same answer as counting the reports live (the cells switched off)
    MapCellState.objects.all().delete()
    live = geojson(client)
    assert sorted(f["properties"]["count"] for f in live["features"]) == sorted(
        f["properties"]["count"] for f in data["features"]
    )
    assert live["features"] == data["features"]


@pytest.mark.django_db
def test_few_reports_are_single_and_exact(client, spread):
    map_cells.map_cells_rebuild()
    data = geojson(client)
    assert data["clustered"] is False
    assert data["total"] == 8
    assert "description" not in str(data)


@pytest.mark.django_db
def test_cells_stay_current_after_submission_status_change_and_withdrawal(
    public_area, django_assert_num_queries
):
    a = public_area
    map_cells.map_cells_rebuild()
    report, token = services.report_submit(category=a["category"], point=a["west_point"], ip="10.0.0.1")
    assert served() == expected() and sum(served().values()) == 1
    with django_assert_num_queries(0):  # still shown: the cells do not count by status
        map_cells.report_changed(report, before=Status.NEW, after=Status.VERIFYING)
    services.report_transition(report=report, action="take_up", actor=a["officer"])
    assert served() == expected() and sum(served().values()) == 1

    second, token = services.report_submit(category=a["category"], point=a["west_point"], ip="10.0.0.2")
    assert sum(served().values()) == 2
    services.report_withdraw(token=token)
    assert served() == expected() and sum(served().values()) == 1

    services.report_submit(category=a["person"], point=a["west_point"], ip="10.0.0.3")
    assert served() == expected() and sum(served().values()) == 1  # person-related: never in the cells


@pytest.mark.django_db
def test_nothing_is_written_before_the_cells_are_built(public_area):
    services.report_submit(category=public_area["category"], point=public_area["west_point"], ip="10.0.0.1")
    assert not MapCell.objects.exists()
    assert selectors.public_map_cells(bbox=BBOX, zoom=ZOOM, period=90) is None


@pytest.mark.django_db
def test_reports_age_out_of_their_periods(spread):
    now = timezone.now()
    map_cells.map_cells_rebuild(now=now)
    assert map_cells.map_cells_age(now=now + timedelta(minutes=1)) == "aged"
    later = now + timedelta(hours=20)  # the report 6½ days old leaves the 7 days (a rebuild comes after 24 h)
    assert map_cells.map_cells_age(now=later) == "aged"
    week = sum(
        1
        for r in Report.objects.filter(category__public=True).exclude(status=Status.WITHDRAWN)
        if r.created_at >= later - timedelta(days=7)
    )
    assert (
        sum(row["count"] for row in selectors.public_map_cells(bbox=BBOX, zoom=ZOOM, period=7, now=later))
        == week
        == 3
    )
    # Not aged for too long: the map counts live instead
    assert selectors.public_map_cells(bbox=BBOX, zoom=ZOOM, period=7, now=later + timedelta(hours=1)) is None


@pytest.mark.django_db
def test_a_category_made_private_is_rebuilt_out(client, spread, public_area):
    map_cells.map_cells_rebuild()
    potholes = public_area["potholes"]
    assert sum(served().values()) == 8
    potholes.public = False
    potholes.save()
    # Until the beat task rebuilds them, the cells do not answer: the map counts live, without potholes
    assert selectors.public_map_cells(bbox=BBOX, zoom=ZOOM, period=90) is None
    data = geojson(client)
    assert data["total"] == sum(expected().values()) == 2
    assert map_cells.map_cells_age() == "rebuilt"
    assert served() == expected()
    assert sum(served().values()) == 2


@pytest.mark.django_db
def test_zooms_and_filters_without_cells_are_counted_live(client, spread, public_area):
    map_cells.map_cells_rebuild()
    assert selectors.public_map_cells(bbox=BBOX, zoom=17, period=90) is None
    assert selectors.public_map_cells(bbox=BBOX, zoom=None, period=90) is None
    make_report(
        category=public_area["category"], point=public_area["west_point"], district=public_area["district"]
    )
    data = geojson(client, district=public_area["district"].pk)
    assert data["total"] == selectors.public_reports(district=public_area["district"].pk).count() == 1
