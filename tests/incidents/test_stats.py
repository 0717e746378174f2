"""The public statistics: /reports/stats/ and /reports/stats.csv, on a dataset whose numbers are worked out
by hand below."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import selectors
from incidents.selectors.stats import median
from incidents.workflow import Status
from portal.exports import formula_safe as csv_safe

from .map_helpers import SECRET_DESCRIPTION, SECRET_EMAIL, _fresh_cache, make_report, public_area

FIXTURES = (_fresh_cache, public_area)  # imported for pytest, which finds fixtures by their names

STATS = "/reports/stats/"
CSV = "/reports/stats.csv"
NOW = datetime(2026, 5, 20, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def dataset(frozen, public_area):
    """Seven public reports of the last year with known times, plus reports that must not count.

    take-up after 2, 4, 6, 8, 10, 12 h (r6 is new)  → median (6 + 8) / 2 = 7 h
    verification after 10, 20, 30, 40, 50 h (r5 is still being verified) → median 30 h
    verified: r1 r2 r3 r4 r7 = 5; confirmed (confirmed, eliminated, handed over): r1 r2 r7 = 3 → 60 %
    districts: West r1 r2 r3 (take-up 2, 4, 6 → 4 h; verification 10, 20, 30 → 20 h; 2 of 3 confirmed),
    Rokycany-centre r4 r5 r7, outside every district r6.
    """
    a = public_area
    west = {"district": a["district"], "municipality": a["town"], "point": a["west_point"]}
    east = {"district": a["east"], "municipality": a["rokycany"], "point": a["rokycany_point"]}
    dump, holes = a["category"], a["potholes"]
    day = timedelta(days=1)
    reports = {
        "r1": make_report(
            category=dump,
            status=Status.CONFIRMED,
            age=3 * day,
            taken_up_after=2 * H,
            verified_after=10 * H,
            **west,
        ),
        "r2": make_report(
            category=dump,
            status=Status.ELIMINATED,
            age=40 * day,
            taken_up_after=4 * H,
            verified_after=20 * H,
            **west,
        ),
        "r3": make_report(
            category=holes,
            status=Status.NOT_CONFIRMED,
            age=100 * day,
            taken_up_after=6 * H,
            verified_after=30 * H,
            **west,
        ),
        "r4": make_report(
            category=holes,
            status=Status.JOKE_OR_MISTAKE,
            age=200 * day,
            taken_up_after=8 * H,
            verified_after=40 * H,
            **east,
        ),
        "r5": make_report(
            category=holes, status=Status.VERIFYING, age=2 * day, taken_up_after=10 * H, **east
        ),
        "r6": make_report(
            category=dump, status=Status.NEW, age=H, municipality=a["town"], point=a["outside_district"]
        ),
        "r7": make_report(
            category=holes,
            status=Status.HANDED_OVER,
            age=300 * day,
            taken_up_after=12 * H,
            verified_after=50 * H,
            **east,
        ),
    }
    # Not counted: older than a year, and a person-related category (public_area's "hidden" one, plus this)
    make_report(category=dump, status=Status.NEW, age=400 * day, **west)
    make_report(
        category=a["person"],
        status=Status.ELIMINATED,
        age=5 * day,
        taken_up_after=100 * H,
        verified_after=100 * H,
        **west,
    )
    return reports


# --- the numbers ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_numbers_worked_out_by_hand(dataset):
    stats = selectors.public_stats(days=365)
    assert stats.total == 7
    assert dict(stats.by_status) == {
        "new": 1,
        "verifying": 1,
        "confirmed": 1,
        "not_confirmed": 1,
        "joke_or_mistake": 1,
        "eliminated": 1,
        "handed_over": 1,
    }
    assert [(c.code, n) for c, n in stats.by_category] == [("potholes", 4), ("illegal-dumping", 3)]
    assert stats.verified == 5 and stats.confirmed == 3
    assert stats.confirmation_rate == pytest.approx(0.6)
    assert stats.take_up_median == 7 * H
    assert stats.verify_median == 30 * H
    districts = {d.name or None: d for d in stats.districts}
    west, east, outside = districts["West"], districts["Rokycany-centre"], districts[None]
    assert (west.total, west.verified, west.confirmed) == (3, 3, 2)
    assert west.take_up_median == 4 * H and west.verify_median == 20 * H
    assert west.confirmation_rate == pytest.approx(2 / 3)
    assert (east.total, east.verified, east.confirmed) == (3, 2, 1)
    assert east.take_up_median == 10 * H and east.verify_median == 45 * H
    assert (outside.total, outside.verified, outside.take_up_median) == (1, 0, None)
    assert outside.confirmation_rate is None
    assert stats.districts[-1] is outside  # "outside every district" comes last


@pytest.mark.django_db
def test_months_cover_the_period_with_zeros(dataset):
    stats = selectors.public_stats(days=365)
    months = [(m.year, m.month) for m, _n in stats.by_month]
    assert months[0] == (2025, 5) and months[-1] == (2026, 5) and len(months) == 13
    counts = {(m.year, m.month): n for m, n in stats.by_month}
    assert sum(counts.values()) == 7
    assert counts[(2026, 5)] == 3  # r1, r5, r6 (r1: 3 days ago, 17 May)
    assert counts[(2026, 4)] == 1  # r2: 40 days ago, 10 April
    assert counts[(2025, 7)] == 1  # r7: 300 days ago, 24 July 2025
    assert counts[(2025, 6)] == 0


@pytest.mark.django_db
def test_filters_and_period(dataset, public_area):
    assert selectors.public_stats(days=30).total == 3  # r1, r5, r6
    assert selectors.public_stats(days=365, category="potholes").total == 4
    assert selectors.public_stats(days=365, status="new").total == 1
    assert selectors.public_stats(days=365, district=public_area["east"].pk).total == 3
    assert selectors.public_stats(days=365, municipality=public_area["town"].pk).total == 4
    # never more than a year, whatever is asked
    assert selectors.public_stats(days=5000).total == 7


@pytest.mark.django_db
def test_the_page_shows_the_numbers_in_tables(client, dataset):
    response = client.get(STATS, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = response.content.decode()
    assert "60.0 %" in body  # confirmation rate
    assert "7.0 h" in body  # median take-up
    assert "30.0 h" in body  # median verification
    assert "3 of 5 verified reports were confirmed" in body
    for table in ("stats-by-status", "stats-by-category", "stats-by-month", "stats-by-district"):
        start = body.index(f'id="{table}"')
        assert "<caption" in body[start : start + 200]
    # the charts: SVG bars, their length against the largest value, no inline style (CSP)
    assert '<rect x="0" y="0" height="10" width="100.0">' in body
    assert '<rect x="0" y="0" height="10" width="75.0">' in body  # 3 dumps against 4 potholes
    assert 'style="' not in body and "<script" not in body
    assert "Potholes" in body and "Rokycany-centre" in body and "Outside every district" in body
    assert "66.7 %" in body  # West's confirmation rate


@pytest.mark.django_db
def test_nothing_private_in_the_statistics(client, dataset, public_area):
    for path in (STATS, CSV):
        body = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode("utf-8-sig")
        for secret in (SECRET_DESCRIPTION, SECRET_EMAIL, "Minors at risk", "minors-at-risk", "ohrožené děti"):
            assert secret not in body, (path, secret)


@pytest.mark.django_db
def test_the_page_keeps_the_filters_for_the_csv_and_the_map(client, dataset, public_area):
    body = client.get(STATS, {"category": "potholes", "period": 90}).content.decode()
    assert 'href="/reports/stats.csv?category=potholes&amp;period=90"' in body
    assert 'href="/reports/map/?category=potholes&amp;period=90"' in body
    assert 'value="365" selected' not in body and 'value="90" selected' in body


@pytest.mark.django_db
def test_wrong_filters_are_reported_and_left_out(client, dataset):
    response = client.get(STATS, {"period": "7", "status": "bogus"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["stats"].total == 7  # the default period (a year), no status filter
    assert 'class="errorlist"' in response.content.decode()


# --- queries and caching ----------------------------------------------------------------------------------


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_queries_do_not_grow_with_reports(client, frozen, public_area, django_assert_max_num_queries):
    a = public_area
    make_report(category=a["category"], point=a["west_point"], district=a["district"], municipality=a["town"])
    few = _queries(client, STATS)
    cache.clear()
    for i in range(40):
        make_report(
            category=a["potholes"] if i % 2 else a["category"],
            point=a["rokycany_point"] if i % 2 else a["west_point"],
            district=a["east"] if i % 3 else a["district"],
            status=[Status.NEW, Status.CONFIRMED, Status.ELIMINATED][i % 3],
            age=timedelta(days=i * 9),
            taken_up_after=H * (i % 5 + 1),
            verified_after=H * (i % 7 + 1),
        )
    assert _queries(client, STATS) == few
    cache.clear()
    with django_assert_max_num_queries(12):
        client.get(CSV)


@pytest.mark.django_db
def test_the_numbers_are_cached_for_a_few_minutes(client, dataset, public_area):
    first = _queries(client, STATS)
    second = _queries(client, STATS)
    assert second < first  # the counting was not done again
    make_report(category=public_area["category"], point=public_area["west_point"])
    assert client.get(STATS).context["stats"].total == 7  # still the cached numbers
    cache.clear()  # as when the few minutes are over (a real Redis expires keys by its own clock)
    assert client.get(STATS).context["stats"].total == 8


# --- CSV --------------------------------------------------------------------------------------------------


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="okrsek-report-statistics-')
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the diacritics
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def section(rows: list[list[str]], header: str) -> list[list[str]]:
    start = next(i for i, row in enumerate(rows) if row and row[0] == header)
    end = next((i for i in range(start, len(rows)) if not rows[i]), len(rows))
    return rows[start + 1 : end]


@pytest.mark.django_db
def test_csv_holds_the_same_numbers(client, dataset):
    rows = read_csv(client.get(CSV, HTTP_ACCEPT_LANGUAGE="en"))
    figures = dict(section(rows, "Figure"))
    assert figures["Reports"] == "7"
    assert figures["Verified reports"] == "5"
    assert figures["Confirmed reports (also eliminated or handed over)"] == "3"
    assert figures["Confirmation rate (%)"] == "60.0"
    assert figures["Median time to take-up (hours)"] == "7.0"
    assert figures["Median time from take-up to verification (hours)"] == "30.0"
    assert ["being verified", "verifying", "1", "14.3"] in section(rows, "Status")
    assert section(rows, "Category") == [
        ["Potholes", "potholes", "4", "57.1"],
        ["Illegal rubbish dump", "illegal-dumping", "3", "42.9"],
    ]
    months = section(rows, "Month")
    assert months[0] == ["2025-05", "0"] and months[-1] == ["2026-05", "3"] and len(months) == 13
    districts = {row[0]: row[1:] for row in section(rows, "District")}
    assert districts["West"] == ["Domažlice", "3", "3", "2", "66.7", "4.0", "20.0"]
    assert districts["Rokycany-centre"] == ["Rokycany", "3", "2", "1", "50.0", "10.0", "45.0"]
    assert districts["Outside every district"] == ["", "1", "0", "0", "", "", ""]


@pytest.mark.django_db
def test_csv_cannot_smuggle_formulas_into_a_spreadsheet(client, frozen, public_area):
    a = public_area
    a["category"].name_en = '=HYPERLINK("http://evil.example.org","click")'
    a["category"].save()
    a["district"].name = "+cmd|' /C calc'!A0"
    a["district"].save()
    a["town"].name = "@SUM(A1:A9)"
    a["town"].save()
    make_report(category=a["category"], point=a["west_point"], district=a["district"], municipality=a["town"])
    rows = read_csv(client.get(CSV, HTTP_ACCEPT_LANGUAGE="en"))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://evil.example.org","click")' in cells
    assert "'+cmd|' /C calc'!A0" in cells
    assert "'@SUM(A1:A9)" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [
        cell for cell in cells if cell.startswith("-") and not cell.lstrip("-").replace(".", "").isdigit()
    ]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("Plzeň", "Plzeň"),
        ("a=b", "a=b"),
        (-3, -3),
        (2.5, 2.5),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


# --- the one median (statistics and the coordinator dashboard) ---------------------------------------------


@pytest.mark.parametrize(
    "counts, expected",
    [
        ({}, None),
        ({7: 1}, 7),
        ({1: 1, 2: 1, 9: 1}, 2),
        ({1: 1, 2: 1, 9: 1, 10: 1}, 5.5),  # the mean of the middle two
        ({3: 2, 1: 1}, 3),  # counts weigh: 1, 3, 3
        ({1: 2, 3: 2}, 2),  # 1, 1, 3, 3
        ({0.5: 1, 100: 1}, 50.25),
    ],
)
def test_median_of_counted_values(counts, expected):
    assert median(counts) == expected


@pytest.mark.parametrize("values", [[5], [1, 2], [3, 1, 2], [10, 20, 30, 60], [4.5, 1, 1, 8, 2.25, 9, 9]])
def test_median_agrees_with_the_statistics_module(values):
    import statistics
    from collections import Counter

    assert median(Counter(values)) == statistics.median(values)
