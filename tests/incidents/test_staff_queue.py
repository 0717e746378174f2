"""The staff queue (/reports/staff/) and taking up several reports at once."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.models import Report
from incidents.workflow import Status

from .staff_helpers import HOUR, act, login, staff_fixture, submit  # noqa: F401

QUEUE = "/reports/staff/"
TAKE_UP = "/reports/staff/take-up/"


def references(response) -> list[str]:
    """The report references in the queue table, in their order on the page."""
    import re

    return re.findall(r'data-reference="([A-Z0-9-]+)"', response.content.decode())


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(client):
    for url in (QUEUE, "/reports/staff/1/", "/reports/staff/dashboard/", "/reports/staff/export.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    response = client.post(TAKE_UP, {"report": ["1"]})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_user_without_a_police_or_partner_role_is_refused(client, staff):
    login(client, staff["nobody"])
    assert client.get(QUEUE).status_code == 403
    assert client.post(TAKE_UP, {"report": ["1"]}).status_code == 403


@pytest.mark.django_db
def test_each_role_sees_its_own_reports(client, staff):
    west = submit(staff)
    north = submit(staff, point=staff["north_point"])
    unassigned = submit(staff, point=staff["outside_district"])
    handed = submit(staff)
    for action, kwargs in (("take_up", {}), ("confirm", {}), ("hand_over", {"partner_body": staff["body"]})):
        act(handed, action, staff["coordinator"], **kwargs)

    login(client, staff["officer"])
    assert set(references(client.get(QUEUE))) == {west.reference}  # handed over = closed for the police
    assert set(references(client.get(QUEUE + "?status=all"))) == {west.reference, handed.reference}

    login(client, staff["officer2"])
    assert set(references(client.get(QUEUE))) == {north.reference}

    login(client, staff["coordinator"])
    assert set(references(client.get(QUEUE))) == {west.reference, north.reference, unassigned.reference}

    login(client, staff["other_coordinator"])
    assert references(client.get(QUEUE)) == []

    login(client, staff["partner"])
    response = client.get(QUEUE)
    assert references(response) == [handed.reference]
    assert b'name="report"' not in response.content  # nothing to take up for a partner body


@pytest.mark.django_db
def test_nearest_deadline_first_with_time_left_and_overdue_in_words(client, staff):
    now = timezone.now()
    fresh = submit(staff, now=now - HOUR)  # take up within 47 h
    late = submit(staff, now=now - timedelta(hours=50))  # 2 h overdue
    verifying = submit(staff, now=now - timedelta(hours=10))
    act(verifying, "take_up", staff["officer"], now=now - timedelta(hours=9))  # verify within 5 days
    confirmed = submit(staff, now=now - timedelta(hours=5))
    act(confirmed, "take_up", staff["officer"])
    act(confirmed, "confirm", staff["officer"])  # no deadline: last

    login(client, staff["officer"])
    response = client.get(QUEUE)
    assert references(response) == [late.reference, fresh.reference, verifying.reference, confirmed.reference]
    html = response.content.decode()
    row = html[html.index(f'data-reference="{late.reference}"') :]
    row = row[: row.index("</tr>")]
    assert (
        "row-overdue" in html[html.rindex("<tr", 0, html.index(late.reference)) : html.index(late.reference)]
    )
    assert "Overdue" in row and "by 2\xa0hours" in row  # text, not colour alone
    row = html[html.index(f'data-reference="{fresh.reference}"') :]
    row = row[: row.index("</tr>")]
    assert "Overdue" not in row and "1\xa0day, 22\xa0hours left" in row
    assert "Take up by" in row


@pytest.mark.django_db
def test_filters_by_status_category_district_and_overdue(client, staff):
    now = timezone.now()
    west = submit(staff)
    pothole = submit(staff, category=staff["potholes"], point=staff["north_point"])
    late = submit(staff, point=staff["outside_district"], now=now - timedelta(hours=49))
    taken = submit(staff)
    act(taken, "take_up", staff["officer"])
    login(client, staff["coordinator"])

    assert set(references(client.get(QUEUE + "?status=verifying"))) == {taken.reference}
    assert set(references(client.get(QUEUE + "?category=potholes"))) == {pothole.reference}
    district = staff["district"].pk
    assert set(references(client.get(f"{QUEUE}?district={district}"))) == {west.reference, taken.reference}
    assert references(client.get(QUEUE + "?overdue=on")) == [late.reference]
    # A value that is not a choice is ignored, with a note, rather than failing the page
    response = client.get(QUEUE + "?status=bogus&district=999999")
    assert response.status_code == 200
    assert len(references(response)) == 4 and b"not understood" in response.content
    # The officer's district filter offers only their districts
    login(client, staff["officer"])
    html = client.get(QUEUE).content.decode()
    assert f'<option value="{district}">West</option>' in html and "North" not in html


@pytest.mark.django_db
def test_pagination_keeps_the_filters(client, staff):
    now = timezone.now()
    for minutes in range(30):
        submit(staff, now=now - timedelta(minutes=minutes))
    login(client, staff["officer"])
    first = client.get(QUEUE + "?category=illegal-dumping")
    assert len(references(first)) == 25
    assert b'href="?category=illegal-dumping&amp;page=2"' in first.content
    second = client.get(QUEUE + "?category=illegal-dumping&page=2")
    assert len(references(second)) == 5
    assert not set(references(first)) & set(references(second))
    assert client.get(QUEUE + "?page=99").status_code == 200  # the last page, not an error


def _queue_queries(client, staff, count: int) -> int:
    Report.objects.all().delete()
    now = timezone.now()
    for index in range(count):
        point = staff["north_point"] if index % 3 == 0 else staff["in_district"]
        report = submit(staff, point=point, now=now - timedelta(minutes=index))
        if index % 4 == 0:
            act(report, "take_up", staff["coordinator"])
    login(client, staff["coordinator"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE)
    assert response.status_code == 200
    assert len(references(response)) == min(count, 25)
    return len(queries)


@pytest.mark.django_db
def test_constant_number_of_queries_per_page(client, staff, django_assert_max_num_queries):
    few = _queue_queries(client, staff, 5)
    many = _queue_queries(client, staff, 50)
    assert few == many
    with django_assert_max_num_queries(12):
        client.get(f"{QUEUE}?status=all&overdue=on&district={staff['district'].pk}")


@pytest.mark.django_db
def test_take_up_selected_reports_each_through_the_workflow(client, staff):
    mine = [submit(staff), submit(staff)]
    already = submit(staff)
    act(already, "take_up", staff["coordinator"])
    other_district = submit(staff, point=staff["north_point"])
    login(client, staff["officer"])

    ids = [r.pk for r in [*mine, already, other_district]] + [999999]
    response = client.post(TAKE_UP, {"report": [str(i) for i in ids], "next": QUEUE + "?status=all"})
    assert response.status_code == 302 and response["Location"] == QUEUE + "?status=all"

    for report in mine:
        report.refresh_from_db()
        assert report.status == Status.VERIFYING and report.assignee == staff["officer"]
        assert report.events.filter(action="take_up", actor=staff["officer"]).count() == 1
    other_district.refresh_from_db()
    assert other_district.status == Status.NEW  # not theirs: untouched

    page = client.get(response["Location"]).content.decode()
    assert f"Taken up (2): {mine[0].reference}, {mine[1].reference}." in page
    assert f"{already.reference}: “Take up” is not possible for a report that is being verified." in page
    # Reports the officer may not see are not named: as if they did not exist
    assert other_district.reference not in page.split("<table")[0]
    assert f"Report no. {other_district.pk}: not found among your reports." in page
    assert "Report no. 999999: not found among your reports." in page


@pytest.mark.django_db
def test_take_up_with_nothing_ticked_says_so(client, staff):
    login(client, staff["officer"])
    response = client.post(TAKE_UP, {"next": "https://evil.example.org/"}, follow=True)
    assert response.redirect_chain[-1][0] == QUEUE  # never to another site
    assert b"Tick at least one report to take up." in response.content


@pytest.mark.django_db
def test_take_up_twice_by_double_click_takes_it_up_once(client, staff):
    report = submit(staff)
    login(client, staff["officer"])
    client.post(TAKE_UP, {"report": [str(report.pk)]})
    response = client.post(TAKE_UP, {"report": [str(report.pk)]}, follow=True)
    assert report.events.filter(action="take_up").count() == 1
    assert "is not possible for a report that is being verified" in response.content.decode()


@pytest.mark.django_db
def test_navigation_shows_the_queue_to_police_and_partners_only(client, staff):
    login(client, staff["officer"])
    html = client.get(QUEUE).content.decode()
    assert f'<a href="{QUEUE}" aria-current="page">Reports queue</a>' in html
    assert '<a href="/reports/" aria-current="page">' not in html  # only the most specific item is current
    login(client, staff["partner"])
    assert QUEUE.encode() in client.get("/").content
    login(client, staff["nobody"])
    assert f'href="{QUEUE}"'.encode() not in client.get("/").content


@pytest.mark.django_db
def test_queue_in_czech(client, staff):
    submit(staff)
    login(client, staff["officer"], language="cs")
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert "Fronta hlášení" in response.content.decode()


@pytest.mark.django_db
def test_time_left_follows_the_clock(client, staff):
    start = timezone.now()
    report = submit(staff, now=start)
    login(client, staff["officer"])
    with time_machine.travel(start + timedelta(hours=47), tick=False):
        assert "1\xa0hour left" in client.get(QUEUE).content.decode()
    with time_machine.travel(start + timedelta(hours=51), tick=False):
        html = client.get(QUEUE).content.decode()
        assert "Overdue" in html and "by 3\xa0hours" in html
    assert Report.objects.get(pk=report.pk).status == Status.NEW
