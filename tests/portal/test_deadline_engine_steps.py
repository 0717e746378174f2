"""Two options of the deadline engine's steps (portal/deadlines.py): ``until_due`` (rows past their due
time are not claimed at all) and ``stamps`` (columns set to the sweep's time with the flag); and the claim
locks only the swept table's rows, not those its conditions join."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.models import Category, Report
from portal.deadlines import Deadline, Step, sweep

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)

REMIND_UNTIL_DUE = Deadline(
    name="toy-until",
    label="Toy",
    model="incidents.Report",
    due_field="take_up_due_at",
    states=frozenset({"new"}),
    steps=(
        Step(
            flag="take_up_reminded",
            verb="toy.reminder",
            ahead=timedelta(hours=6),
            until_due=True,
            stamps=("taken_up_at",),
        ),
    ),
)


@pytest.fixture
def report(db):
    category = Category.objects.create(code="c", group="road", name_cs="c", name_pl="c", name_en="c")

    def make(due):
        return Report.objects.create(
            token_hash=f"t{due.timestamp()}",
            category=category,
            point=Point(13, 49, srid=4326),
            take_up_due_at=due,
        )

    return make


def test_until_due_leaves_what_is_past_due_unclaimed_and_stamps_what_it_claims(report):
    soon, past = report(T0 + timedelta(hours=2)), report(T0 - timedelta(minutes=1))
    assert sweep(REMIND_UNTIL_DUE, now=T0)["toy.reminder"] == 1
    soon.refresh_from_db()
    past.refresh_from_db()
    assert soon.take_up_reminded and soon.taken_up_at == T0
    assert not past.take_up_reminded and past.taken_up_at is None  # left as it was, not marked
    assert sweep(REMIND_UNTIL_DUE, now=T0).total == 0
    # Earlier (a clock set back, a catch-up with an older time): the row is still there to be reminded
    assert sweep(REMIND_UNTIL_DUE, now=T0 - timedelta(hours=2))["toy.reminder"] == 1


@pytest.mark.skipif(not connection.features.has_select_for_update_of, reason="SELECT … FOR UPDATE OF")
def test_the_claim_locks_only_the_swept_rows(report):
    report(T0 + timedelta(hours=2))
    joined = Deadline(
        name="toy-joined",
        label="Toy",
        model="incidents.Report",
        due_field="take_up_due_at",
        states=frozenset({"new"}),
        filter={"category__code": "c"},  # a condition on a joined table
        steps=REMIND_UNTIL_DUE.steps,
    )
    with CaptureQueriesContext(connection) as queries:
        assert sweep(joined, now=T0).total == 1
    locking = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert locking and all('FOR UPDATE OF "incidents_report"' in sql for sql in locking)
