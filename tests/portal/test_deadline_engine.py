"""The shared deadline engine (portal/deadlines.py): set-based claiming in batches, exactly once, a bad row
skipped while the rest goes on, reminders dropped past the due time, the statement count per batch, and the
working-day calendars (Czech and Polish public holidays)."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents.models import Category, Report, ReportEvent
from portal.deadlines import BulkNotify, Deadline, Step, calendar, sweep
from portal.models import ActivityLog, Notification
from portal.services import Recipient

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
broken: set = set()


def _event(report, now):
    if report.pk in broken:
        raise RuntimeError("a row the step cannot handle")
    return ReportEvent(report=report, at=now, action="toy_overdue")


DEADLINE = Deadline(
    name="toy",
    label="Toy",
    model="incidents.Report",
    due_field="take_up_due_at",
    states=frozenset({"new"}),
    steps=(
        Step(
            flag="take_up_overdue",
            verb="toy.overdue",
            event=_event,
            notify=(
                BulkNotify(
                    kind="incident_overdue",
                    to=lambda reports: {
                        r.pk: [Recipient(email=f"r{r.pk}@example.org", language="en")] for r in reports
                    },
                    key=lambda report, who: f"toy:{report.pk}:overdue",
                    context=lambda report: {"report": report, "staff_url": "https://example.org/"},
                ),
            ),
        ),
        Step(flag="take_up_reminded", verb="toy.reminder", ahead=timedelta(hours=6), only_before_due=True),
    ),
)


@pytest.fixture
def reports(db):
    broken.clear()
    category = Category.objects.create(code="c", group="road", name_cs="c", name_pl="c", name_en="c")

    def make(n, due, status="new"):
        return [
            Report.objects.create(
                token_hash=f"t{due.timestamp()}-{i}-{status}",
                category=category,
                point=Point(13, 49, srid=4326),
                take_up_due_at=due,
                status=status,
            )
            for i in range(n)
        ]

    return make


@pytest.mark.django_db
def test_what_is_due_is_handled_once_in_batches(reports):
    overdue = reports(7, T0 - timedelta(hours=1))
    soon = reports(2, T0 + timedelta(hours=2))  # within the 6 h reminder window
    reports(3, T0 + timedelta(days=1))  # not yet
    reports(2, T0 - timedelta(hours=1), status="verifying")  # the clock does not run in that state
    result = sweep(DEADLINE, now=T0, batch=3)
    assert (result["toy.overdue"], result["toy.reminder"]) == (7, 2)
    assert sweep(DEADLINE, now=T0, batch=3).total == 0  # the next minute: nothing twice
    assert ReportEvent.objects.filter(action="toy_overdue").count() == 7
    assert sorted(Notification.objects.values_list("to_email", flat=True)) == sorted(
        f"r{r.pk}@example.org" for r in overdue
    )
    assert ActivityLog.objects.filter(verb="toy.overdue").count() == 7
    assert ActivityLog.objects.filter(verb="toy.reminder").count() == 2
    # The overdue ones were claimed for the reminder too, without a reminder: the overdue notice says it all
    assert Report.objects.filter(pk__in=[r.pk for r in overdue], take_up_reminded=True).count() == 7
    assert set(ActivityLog.objects.filter(verb="toy.reminder").values_list("target_id", flat=True)) == {
        str(r.pk) for r in soon
    }


@pytest.mark.django_db
def test_one_bad_row_is_skipped_and_the_rest_is_done(reports, caplog):
    due = reports(5, T0 - timedelta(hours=1))
    broken.add(due[2].pk)
    result = sweep(DEADLINE, now=T0, batch=10)
    assert result["toy.overdue"] == 4 and result.failed == [due[2].pk]
    assert not Report.objects.get(pk=due[2].pk).take_up_overdue  # not claimed: it is tried again next time
    assert Report.objects.filter(take_up_overdue=True).count() == 4
    assert "could not be processed" in caplog.text
    broken.clear()
    assert sweep(DEADLINE, now=T0).total == 1  # mended: done on the next run, once


@pytest.mark.django_db
def test_a_batch_costs_a_constant_number_of_statements(reports):
    reports(2, T0 - timedelta(hours=1))
    with CaptureQueriesContext(connection) as small:
        sweep(DEADLINE, now=T0)
    reports(40, T0 - timedelta(minutes=30))
    with CaptureQueriesContext(connection) as large:
        sweep(DEADLINE, now=T0)
    assert len(large.captured_queries) == len(small.captured_queries) <= 16


# A reminder of a day that passes (no overdue step): past its due a row is not claimed; claiming stamps it
REMIND_UNTIL_DUE = replace(
    DEADLINE,
    name="toy-until",
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


@pytest.mark.django_db
def test_until_due_leaves_what_is_past_due_unclaimed_and_stamps_what_it_claims(reports):
    (soon,), (past,) = reports(1, T0 + timedelta(hours=2)), reports(1, T0 - timedelta(minutes=1))
    assert sweep(REMIND_UNTIL_DUE, now=T0)["toy.reminder"] == 1
    soon.refresh_from_db()
    past.refresh_from_db()
    assert soon.take_up_reminded and soon.taken_up_at == T0
    assert not past.take_up_reminded and past.taken_up_at is None  # left as it was, not marked
    assert sweep(REMIND_UNTIL_DUE, now=T0).total == 0
    # A catch-up with an earlier time still finds the row that was left
    assert sweep(REMIND_UNTIL_DUE, now=T0 - timedelta(hours=2))["toy.reminder"] == 1


@pytest.mark.django_db
@pytest.mark.skipif(not connection.features.has_select_for_update_of, reason="SELECT … FOR UPDATE OF")
def test_the_claim_locks_only_the_swept_rows(reports):
    reports(1, T0 + timedelta(hours=2))
    joined = replace(REMIND_UNTIL_DUE, filter={"category__code": "c"})  # a condition on a joined table
    with CaptureQueriesContext(connection) as queries:
        assert sweep(joined, now=T0).total == 1
    locking = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert locking and all('FOR UPDATE OF "incidents_report"' in sql for sql in locking)


def test_czech_working_days_skip_christmas_and_easter():
    cz = calendar("CZ")
    # A question on 23 December 2026 (Wednesday): 24, 25, 26 are holidays, then a weekend
    assert cz.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 28)
    # ten working days: 28–31 December, (1 January is a holiday too) 4–8 and 11 January
    assert cz.add_working_days(date(2026, 12, 23), 10) == date(2027, 1, 11)
    # Maundy Thursday 2 April 2026: Good Friday 3 April and Easter Monday 6 April are Czech holidays
    assert cz.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert cz.holiday_name(date(2026, 4, 3)) is not None
    assert cz.working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1


def test_polish_working_days_know_may_and_easter():
    pl = calendar("PL")
    # 30 April 2026 (Thursday): 1 May is a holiday, 2–3 May a weekend (3 May also a holiday)
    assert pl.add_working_days(date(2026, 4, 30), 1) == date(2026, 5, 4)
    # In Poland Good Friday is a working day, Easter Monday is not
    assert pl.is_working_day(date(2026, 4, 3)) and not pl.is_working_day(date(2026, 4, 6))
    assert pl.add_working_days(date(2026, 4, 2), 2) == date(2026, 4, 7)


def test_working_day_deadlines_end_at_the_end_of_the_day():
    due = calendar("CZ").due_after(datetime(2026, 12, 23, 15, 0, tzinfo=UTC), 2)
    assert (due.date(), due.hour, due.minute) == (date(2026, 12, 29), 23, 59)


def test_a_due_column_on_a_related_row_is_read_through_the_relation():
    from types import SimpleNamespace

    from workshops.workflow import REMINDER

    day = date(2026, 12, 10)
    registration = SimpleNamespace(workshop=SimpleNamespace(held_on=day))
    assert REMINDER.due_value(registration) == day
    assert REMINDER.due_value(SimpleNamespace(workshop=None)) is None
    # the workshop's day is reached when it starts (an event), a last day when it ends
    assert REMINDER.due_moment(day).date() == day
