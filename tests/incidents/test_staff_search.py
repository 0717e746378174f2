"""Searching the staff queue (/reports/staff/?q=…): by reference, description words and place, within what the
user may see, together with the other filters."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incidents.models import Report
from incidents.selectors import MAX_SEARCH

from .staff_helpers import act, login, staff_fixture, submit  # noqa: F401

QUEUE = "/reports/staff/"


def references(response) -> list[str]:
    return re.findall(r'data-reference="([A-Z0-9-]+)"', response.content.decode())


@pytest.fixture
def reports(staff):
    """A West report about a crossroads, a West one about dogs, a North one (officer2's) about a crossroads,
    and one in the unit's east half (no district)."""
    return {
        "crossroads": submit(staff, description="Nepřehledná křižovatka u školy, chybí zrcadlo."),
        "dogs": submit(staff, description="Volně pobíhající psi u hřiště."),
        "north": submit(staff, point=staff["north_point"], description="Druhá křižovatka bez zrcadla."),
        "east": submit(staff, point=staff["outside_district"], description="Skládka u lesa."),
    }


@pytest.mark.django_db
def test_officer_finds_a_report_by_the_start_of_its_reference_typed_loosely(client, staff, reports):
    login(client, staff["officer"])
    reference = reports["dogs"].reference  # e.g. "ABCD-EFGH"
    for typed in (reference, reference[:6], reference[:6].lower(), reference.replace("-", " ").lower()):
        assert references(client.get(QUEUE, {"q": typed})) == [reference], typed
    # Only the start of a reference: its end alone matches nothing (nor any description)
    assert references(client.get(QUEUE, {"q": reference[-3:]})) == []


@pytest.mark.django_db
def test_search_in_the_description_ignores_case(client, staff, reports):
    login(client, staff["officer"])
    assert references(client.get(QUEUE, {"q": "ZRCADLO"})) == [reports["crossroads"].reference]
    assert references(client.get(QUEUE, {"q": "  psi U  "})) == [reports["dogs"].reference]


@pytest.mark.django_db
def test_search_by_place_district_or_municipality(client, staff, reports):
    login(client, staff["coordinator"])
    assert references(client.get(QUEUE, {"q": "north"})) == [reports["north"].reference]
    everything = {r.reference for r in reports.values()}
    assert set(references(client.get(QUEUE, {"q": "Domažlice"}))) == everything  # the town of all four
    assert references(client.get(QUEUE, {"q": "Plzeň"})) == []


@pytest.mark.django_db
def test_search_shows_only_reports_the_user_may_see(client, staff, reports):
    login(client, staff["officer"])
    assert references(client.get(QUEUE, {"q": "křižovatka"})) == [reports["crossroads"].reference]
    assert references(client.get(QUEUE, {"q": reports["north"].reference})) == []
    login(client, staff["officer2"])
    assert references(client.get(QUEUE, {"q": "křižovatka"})) == [reports["north"].reference]
    login(client, staff["partner"])  # nothing handed over to the body yet
    assert references(client.get(QUEUE, {"q": "u"})) == []


@pytest.mark.django_db
def test_search_keeps_the_other_filters_and_the_export_follows_it(client, staff, reports):
    act(reports["crossroads"], "take_up", staff["officer"])
    login(client, staff["coordinator"])
    assert set(references(client.get(QUEUE, {"q": "zrcad"}))) == {
        reports["crossroads"].reference,
        reports["north"].reference,
    }
    assert references(client.get(QUEUE, {"q": "zrcad", "status": "verifying"})) == [
        reports["crossroads"].reference
    ]
    assert references(client.get(QUEUE, {"q": "zrcad", "district": staff["north"].pk})) == [
        reports["north"].reference
    ]
    page = client.get(QUEUE, {"q": "zrcad", "status": "new"}).content.decode()
    assert 'value="zrcad"' in page  # the search stays in its field
    assert "q=zrcad" in page  # and in the export links

    export = client.get("/reports/staff/export.csv", {"q": "zrcad", "status": "all"})
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert sorted(row[0] for row in rows[1:]) == sorted(
        [reports["crossroads"].reference, reports["north"].reference]
    )


@pytest.mark.django_db
def test_too_long_a_search_is_refused_with_a_message(client, staff, reports):
    login(client, staff["officer"])
    response = client.get(QUEUE, {"q": "x" * (MAX_SEARCH + 1)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Some filters were not understood and are ignored." in page
    assert f"Ensure this value has at most {MAX_SEARCH} characters" in page


def _search_queries(client, staff, count: int) -> int:
    Report.objects.all().delete()
    now = timezone.now()
    for index in range(count):
        point = staff["north_point"] if index % 3 == 0 else staff["in_district"]
        report = submit(
            staff, point=point, now=now - timedelta(minutes=index), description=f"Rozbitá lampa {index}"
        )
        if index % 4 == 0:
            act(report, "take_up", staff["coordinator"])
    login(client, staff["coordinator"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE, {"q": "lampa", "status": "all"})
    assert len(references(response)) == min(count, 25)
    return len(queries)


@pytest.mark.django_db
def test_search_takes_a_constant_number_of_queries(client, staff, django_assert_max_num_queries):
    few = _search_queries(client, staff, 5)
    many = _search_queries(client, staff, 50)
    assert few == many
    with django_assert_max_num_queries(few):
        client.get(QUEUE, {"q": "lampa", "district": staff["district"].pk, "overdue": "on"})


@pytest.mark.django_db
def test_accents_are_ignored_where_the_database_can(client, staff, reports):
    if connection.vendor != "postgresql":
        pytest.skip("accent-insensitive search needs PostgreSQL's unaccent")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
        if cursor.fetchone() is None:
            pytest.skip("the unaccent extension is not available on this server")
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")  # in the test's transaction
    login(client, staff["officer"])
    assert references(client.get(QUEUE, {"q": "KRIZOVATKA"})) == [reports["crossroads"].reference]
    assert len(references(client.get(QUEUE, {"q": "domazlice"}))) == 2  # the West officer's two
