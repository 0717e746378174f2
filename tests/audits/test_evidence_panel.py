"""The audit's evidence panel against hand-counted fixtures: rates per 1 000 residents by category group,
districts, handed-over and late shares, median times, repeat locations, the monthly trend, and a constant
number of queries (also on PostGIS, where the clusters are formed by ST_ClusterDBSCAN)."""

import secrets
from datetime import date, timedelta

import pytest
from django.contrib.gis.geos import Point
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from audits import services
from audits.evidence import audit_evidence_panel, months_param
from incidents.models import Category, Report
from portal import roles

from . import factories

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


@pytest.fixture
def coordinator(make_user, municipality):
    return make_user(
        email="staff@example.org", roles=[roles.MUNICIPAL_STAFF], municipality=municipality, language="en"
    )


@pytest.fixture
def audit(coordinator, municipality):
    municipality.population = 2000
    municipality.save()
    return services.audit_create(
        actor=coordinator,
        municipality=municipality,
        title="Audit",
        starts_on=date(2026, 1, 1),
        report_due_on=date(2026, 12, 1),
    )


def report(category, x, y, *, town, district=None, status="new", days=10, up=None, verified=None, **extra):
    created = timezone.now() - timedelta(days=days)
    taken = created + up if up is not None else None
    return Report.objects.create(
        token_hash=secrets.token_hex(32),
        category=category,
        point=Point(x, y, srid=4326),
        status=status,
        district=district,
        municipality=town,
        created_at=created,
        updated_at=created,
        take_up_due_at=created + 48 * H,
        taken_up_at=taken,
        verified_at=taken + verified if taken is not None and verified is not None else None,
        ip_hash="0" * 64,
        **extra,
    )


@pytest.fixture
def reports(audit, municipality, other_municipality):
    road = Category.objects.create(code="road", group="road", name_cs="s", name_pl="s", name_en="Road")
    order = Category.objects.create(
        code="order", group="public_order", name_cs="p", name_pl="p", name_en="Order"
    )
    hidden = Category.objects.create(
        code="minor", group="social", name_cs="n", name_pl="n", name_en="n", public=False
    )
    a = factories.district(municipality, "Centre", x0=13.0)
    b = factories.district(municipality, "North", x0=13.02)
    town = municipality
    # district A: three reports within 150 m of each other (a repeat location), one far off
    report(road, 13.0050, 49.0050, town=town, district=a, status="handed_over", up=2 * H, verified=10 * H)
    report(road, 13.0055, 49.0050, town=town, district=a, status="confirmed", up=4 * H, days=40)
    report(order, 13.0060, 49.0052, town=town, district=a, status="eliminated", up=6 * H, verified=20 * H)
    report(order, 13.0090, 49.0090, town=town, district=a, take_up_overdue=True, days=400)
    # district B and outside every district
    report(road, 13.025, 49.005, town=town, district=b, status="not_confirmed", up=H, verified=H, days=700)
    report(road, 13.026, 49.005, town=town, district=b)
    report(order, 13.1, 49.1, town=town)
    # never counted: too old, withdrawn, a person-related category, another town
    report(road, 13.0051, 49.0050, town=town, district=a, days=800)
    report(road, 13.0052, 49.0050, town=town, district=a, status="withdrawn")
    report(hidden, 13.0053, 49.0050, town=town, district=a)
    report(road, 13.0054, 49.0050, town=other_municipality)
    return a, b


def test_the_panel_matches_the_hand_counted_figures(audit, reports):
    panel = audit_evidence_panel(audit=audit)
    assert panel.reports.town.total == 7
    assert [(g.code, g.count, g.per_1000) for g in panel.groups] == [
        ("road", 4, 2.0),
        ("public_order", 3, 1.5),
    ]
    assert panel.total_per_1000 == 3.5  # 7 / 2 000 × 1 000
    rows = {row["figures"].name or "outside": row for row in panel.district_rows()}
    assert rows["Centre"]["cells"] == [2, 2] and rows["North"]["cells"] == [2, 0]
    assert rows["outside"]["cells"] == [0, 1]
    assert round(rows["Centre"]["share"], 3) == round(4 / 7, 3)
    assert round(rows["Centre"]["handed_over"], 3) == round(1 / 3, 3)  # of confirmed, eliminated, handed over
    assert rows["Centre"]["late"] == 0.25
    assert panel.reports.town.take_up_median == 3 * H  # 1, 2, 4, 6 h
    assert panel.reports.town.verify_median == 10 * H  # 1, 10, 20 h
    assert rows["Centre"]["figures"].take_up_median == 4 * H  # 2, 4, 6 h
    [cluster] = panel.reports.repeat_locations
    assert cluster.count == 3 and abs(cluster.lon - 13.0055) < 1e-4 and abs(cluster.lat - 49.0051) < 1e-4
    assert round(panel.reports.repeat_share, 3) == round(3 / 7, 3)
    assert len(panel.reports.months) == 25 and sum(n for _m, n in panel.reports.months) == 7
    assert sum(n or 0 for _y, counts in panel.month_grid() for n in counts) == 7


def test_the_page_shows_the_figures(client, coordinator, audit, reports):
    client.force_login(coordinator)
    page = client.get(reverse("audits:evidence", args=[audit.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in ("3.5", "33 %", "25 %", "3.0 h", "10.0 h", "Centre", "North", "outside every district"):
        assert text in page
    assert '<svg class="chart" role="img"' in page


def test_a_longer_period_counts_older_reports_and_is_bounded(audit, reports):
    assert audit_evidence_panel(audit=audit, months=36).reports.town.total == 8
    assert months_param("12") == 24 and months_param("9999") == 120 and months_param("x") == 24


def test_a_town_without_population_gets_no_rates(audit, reports, municipality):
    municipality.population = None
    municipality.save()
    audit.refresh_from_db()
    panel = audit_evidence_panel(audit=audit)
    assert panel.total_per_1000 is None and all(g.per_1000 is None for g in panel.groups)


def test_the_panel_takes_a_constant_number_of_queries(
    client, coordinator, audit, reports, django_assert_max_num_queries
):
    client.force_login(coordinator)
    url = reverse("audits:evidence", args=[audit.pk])
    client.get(url)
    cache.clear()  # counted afresh, not read from the cache
    with django_assert_max_num_queries(16):
        client.get(url)
    a, b = reports
    road = Category.objects.get(code="road")
    for i in range(60):
        report(
            road, 13.0 + i * 0.003, 49.003, town=audit.municipality, district=a if i % 2 else b, days=i * 10
        )
    cache.clear()
    with django_assert_max_num_queries(16):
        page = client.get(url).content.decode()
    assert "<td>67</td>" in page  # 7 + 60 reports, counted afresh


def test_the_figures_are_cached_for_a_while(audit, reports):
    assert audit_evidence_panel(audit=audit).reports.town.total == 7
    road = Category.objects.get(code="road")
    report(road, 13.1, 49.1, town=audit.municipality)
    assert audit_evidence_panel(audit=audit).reports.town.total == 7  # from the cache
    cache.clear()
    assert audit_evidence_panel(audit=audit).reports.town.total == 8


def test_repeat_locations_do_not_chain_a_dense_town(audit, municipality):
    """A street with a report every 60 m is not one "repeat location" from end to end; two hot spots 400 m
    apart are two places, each whole, the bigger first."""
    from incidents.selectors.evidence import evidence_reports, repeat_locations

    road = Category.objects.create(code="road", group="road", name_cs="s", name_pl="s", name_en="Road")
    for i in range(40):  # 40 reports 60 m apart along 2.4 km (0.00084° of longitude ≈ 60 m at 50° N)
        report(road, 13.0 + i * 0.00084, 49.0, town=municipality)
    for dx in (0.0, 0.0003, 0.0006, 0.0004, 0.0002):  # five within 45 m
        report(road, 13.1 + dx, 49.05, town=municipality)
    for dx in (0.0, 0.0002, 0.0004, 0.0001):  # four within 30 m, 400 m east
        report(road, 13.1056 + dx, 49.05, town=municipality)
    now = timezone.now()
    places = repeat_locations(
        reports=evidence_reports(municipality=municipality, since=now - timedelta(days=30), until=now),
        municipality=municipality,
    )
    assert [p.count for p in places[:2]] == [5, 4]
    assert all(p.count <= 3 for p in places[2:])  # the street: a few reports per 150 m block, never 40
