"""The coordinator dashboard (/reports/staff/dashboard/): numbers on a known dataset, access, queries."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from incidents import selectors
from incidents.selectors.dashboard import DASHBOARD_LIST_LIMIT
from portal import roles

from .staff_helpers import act, login, staff_fixture, submit  # noqa: F401

DASHBOARD = "/reports/staff/dashboard/"
PRAGUE = ZoneInfo("Europe/Prague")
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=PRAGUE)
NOW = T0 + timedelta(days=10)
H = timedelta(hours=1)


@pytest.fixture
def dataset(staff):
    """Six reports in the last 30 days and one older:

    ====  ========  =========================  ============================  ===========================
    name  district  take-up (window 48 h)      verification (window 120 h)   state at NOW (T0 + 10 days)
    ====  ========  =========================  ============================  ===========================
    A     West      10 h, in time              24 h, in time                 confirmed
    B     West      60 h, late                 130 h, late                   confirmed
    C     North     20 h, in time              not done, deadline passed     verifying, overdue
    D     North     not done, deadline passed  –                             new, overdue
    E     none      30 h by the coordinator    40 h, in time                 confirmed, no district
    F     North     submitted 1 h ago          –                             new, within its window
    G     West      older than the period      (in time)                     joke or mistake, not counted
    ====  ========  =========================  ============================  ===========================
    """
    officer, officer2, coordinator = staff["officer"], staff["officer2"], staff["coordinator"]
    north, west, outside = staff["north_point"], staff["in_district"], staff["outside_district"]
    reports = {}
    with time_machine.travel(T0, tick=False):
        reports["A"] = a = submit(staff, point=west, now=T0)
        act(a, "take_up", officer, now=T0 + 10 * H)
        act(a, "confirm", officer, now=T0 + 34 * H)
        reports["B"] = b = submit(staff, point=west, now=T0 + H)
        act(b, "take_up", officer, now=T0 + 61 * H)
        act(b, "confirm", officer, now=T0 + 191 * H)
        reports["C"] = c = submit(staff, point=north, now=T0 + 2 * H)
        act(c, "take_up", officer2, now=T0 + 22 * H)
        reports["D"] = submit(staff, point=north, now=T0 + 3 * H)
        reports["E"] = e = submit(staff, point=outside, now=T0 + 4 * H)
        act(e, "take_up", coordinator, now=T0 + 34 * H)
        act(e, "confirm", coordinator, now=T0 + 74 * H)
        reports["F"] = submit(staff, point=north, now=NOW - H)
        reports["G"] = g = submit(staff, point=west, now=T0 - timedelta(days=40))
        act(g, "take_up", officer, now=T0 - timedelta(days=39))
        act(g, "joke", officer, now=T0 - timedelta(days=38))
    return reports


def _stats(rows, label):
    return next(row for row in rows if row.label == label)


@pytest.mark.django_db
def test_numbers_on_a_known_dataset(staff, dataset):
    # The row of reports outside every district has a translated label: read it in English whatever language
    # an earlier test left active.
    with time_machine.travel(NOW, tick=False), translation.override("en"):
        data = selectors.unit_dashboard(
            police_unit=staff["unit"], since=NOW - timedelta(days=30), until=NOW + timedelta(days=1)
        )
    total = data.total
    assert total.reports == 6
    assert (total.take_up_on_time, total.take_up_decided, total.take_up_share) == (3, 5, 60.0)
    assert (total.verify_on_time, total.verify_decided, total.verify_share) == (2, 4, 50.0)
    assert total.take_up_median == 25.0  # 10, 20, 30, 60 hours
    assert total.verify_median == 40.0  # 24, 40, 130 hours

    west, north = _stats(data.districts, "West"), _stats(data.districts, "North")
    outside = _stats(data.districts, "Outside every district")
    assert (west.reports, west.take_up_share, west.verify_share) == (2, 50.0, 50.0)
    assert (west.take_up_median, west.verify_median) == (35.0, 77.0)
    assert (north.reports, north.take_up_share, north.verify_share) == (3, 50.0, 0.0)
    assert (north.take_up_median, north.verify_median) == (20.0, None)
    assert (outside.reports, outside.take_up_share, outside.verify_share) == (1, 100.0, 100.0)

    officer = _stats(data.officers, "officer@example.org")
    officer2 = _stats(data.officers, "officer2@example.org")
    coordinator = _stats(data.officers, "coord@example.org")
    assert (officer.reports, officer2.reports, coordinator.reports) == (2, 3, 1)

    assert [r.reference for r in data.overdue_take_up] == [dataset["D"].reference]
    assert [r.reference for r in data.overdue_verify] == [dataset["C"].reference]
    assert [r.reference for r in data.unassigned] == [dataset["E"].reference]
    assert (data.overdue_take_up_count, data.overdue_verify_count, data.unassigned_count) == (1, 1, 1)


@pytest.mark.django_db
def test_dashboard_page_for_the_coordinator(client, staff, dataset):
    login(client, staff["coordinator"])
    with time_machine.travel(NOW, tick=False):
        response = client.get(DASHBOARD)
    html = response.content.decode()
    assert response.status_code == 200
    assert "OOP Domažlice" in html
    assert "60.0 %" in html and "50.0 %" in html and "3 of 5" in html
    for name in ("West", "North", "Outside every district", "officer2@example.org"):
        assert name in html
    overdue = html[html.index('id="overdue-take-up-title"') : html.index('id="overdue-verify-title"')]
    assert dataset["D"].reference in overdue and dataset["C"].reference not in overdue
    unassigned = html[html.index('id="unassigned-title"') : html.index('id="districts-title"')]
    assert dataset["E"].reference in unassigned
    assert dataset["G"].reference not in html


@pytest.mark.django_db
def test_period_filter(client, staff, dataset):
    login(client, staff["coordinator"])
    with time_machine.travel(NOW, tick=False):
        html = client.get(
            DASHBOARD + "?period=custom&date_from=2026-01-01&date_to=2026-01-31"
        ).content.decode()
        assert '<span class="stat-value">1</span>' in html  # G only
        html = client.get(
            DASHBOARD + "?period=custom&date_from=2026-03-02&date_to=2026-03-02"
        ).content.decode()
        assert '<span class="stat-value">5</span>' in html  # A–E, not F (submitted on the 12th)
        response = client.get(DASHBOARD + "?period=custom&date_from=2026-03-10&date_to=2026-03-01")
        html = response.content.decode()
        assert response.status_code == 200
        assert "The period cannot end before it starts." in html
        assert '<span class="stat-value">6</span>' in html  # the last 30 days meanwhile
        assert 'value="2026-03-10"' in html  # the dates typed are kept


@pytest.mark.django_db
def test_only_coordinators_see_the_dashboard(client, staff):
    for user in (staff["officer"], staff["partner"], staff["nobody"]):
        login(client, user)
        assert client.get(DASHBOARD).status_code == 403
    login(client, staff["officer"])
    assert b"/reports/staff/dashboard/" not in client.get("/reports/staff/").content
    login(client, staff["coordinator"])
    assert b"/reports/staff/dashboard/" in client.get("/reports/staff/").content


@pytest.mark.django_db
def test_dashboard_runs_a_constant_number_of_queries(client, staff, dataset):
    login(client, staff["coordinator"])
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as few:
        assert client.get(DASHBOARD).status_code == 200
    for index in range(20):
        point = (staff["north_point"], staff["in_district"], staff["outside_district"])[index % 3]
        report = submit(staff, point=point, now=NOW - timedelta(days=index % 9, hours=2))
        if index % 2:
            act(report, "take_up", staff["coordinator"], now=NOW - H)
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as many:
        assert client.get(DASHBOARD).status_code == 200
    assert len(many) == len(few) <= 16


@pytest.mark.django_db
def test_administrator_chooses_the_unit(client, staff, dataset, make_user):
    # A superuser reaches the dashboard by holding the coordinator role (no implicit rule in the normal UI)
    admin = make_user(email="admin@example.org", roles=[roles.COORDINATOR])
    admin.is_superuser = True
    admin.save()
    login(client, admin)
    with time_machine.travel(NOW, tick=False):
        html = client.get(f"{DASHBOARD}?unit={staff['unit'].pk}").content.decode()
        assert '<span class="stat-value">6</span>' in html and dataset["D"].reference in html
        other = staff["other_coordinator"].profile.police_unit
        html = client.get(f"{DASHBOARD}?unit={other.pk}").content.decode()
        assert '<span class="stat-value">0</span>' in html and dataset["D"].reference not in html


@pytest.mark.django_db
def test_a_long_overdue_list_shows_the_most_urgent_and_opens_all_in_the_queue(client, staff, dataset):
    """Twelve reports not taken up in time besides D: the dashboard lists the ten most overdue, says how many
    there are, and its link opens the queue filtered to exactly those reports."""
    for index in range(12):
        submit(staff, point=staff["north_point"], now=T0 + timedelta(minutes=10 + index))
    login(client, staff["coordinator"])
    with time_machine.travel(NOW, tick=False):
        html = client.get(DASHBOARD).content.decode()
        overdue = html[html.index('id="overdue-take-up-title"') : html.index('id="overdue-verify-title"')]
        shown = re.findall(r'href="/reports/staff/(\d+)/"', overdue)
        assert "(13)" in overdue and len(shown) == DASHBOARD_LIST_LIMIT == 10
        assert dataset["D"].reference not in overdue  # submitted last of the thirteen: the least overdue
        link = "/reports/staff/?status=new&amp;overdue=on"
        assert link in overdue and "Open all 13 reports in the queue" in overdue
        queue = client.get(link.replace("&amp;", "&")).content.decode()
    assert (
        len(re.findall(r'<tr class="row-overdue"', queue)) == 13
        and dataset["D"].reference in queue
        and dataset["F"].reference not in queue
    )
