"""Additions to the shared engines for a deadline kept as a date (the final report is due on a day, not at
a minute) and for a history replayed through the services (the demo): a date passes at the end of its day
(local time), a deadline may compute its due value from the object and the moment it starts, an applied
transition is logged when it happened (``now=``), and the outbox can be muted for a replay."""

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from portal.deadlines import Deadline, Step, sweep
from portal.models import ActivityLog, Notification
from portal.services import notification_queue, notifications_muted, notifications_queue_many
from portal.workflow import apply
from projects.models import Proposal
from projects.workflow import PROPOSAL, Status
from tests.projects.factories import approve, make_call, make_programme, make_proposal

DUE = date(2026, 8, 29)


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


DATED = Deadline(
    name="dated",
    label="Due on",
    model="projects.Proposal",
    due_field="final_report_due_on",
    states=frozenset({Status.IN_PROGRESS}),
    due=lambda proposal, now: proposal.ends_on + timedelta(days=10),
    steps=(
        Step(flag="final_report_overdue_notified", verb="dated.overdue"),
        Step(
            flag="final_report_reminded", verb="dated.reminder", ahead=timedelta(days=3), only_before_due=True
        ),
    ),
)


@pytest.fixture
def running(db, municipality):
    call = make_call(make_programme())
    proposal = make_proposal(call, municipality, requested=Decimal("1000"))
    approve(proposal, Decimal("1000"), status=Status.IN_PROGRESS)
    Proposal.objects.filter(pk=proposal.pk).update(final_report_due_on=DUE, ends_on=date(2026, 8, 19))
    proposal.refresh_from_db()
    return proposal


def test_a_date_passes_at_the_end_of_its_day():
    assert DATED.due_is_date
    assert DATED.due_moment(DUE) == _local(DUE + timedelta(days=1), 0)
    moment = _local(DUE, 12)
    assert DATED.due_moment(moment) is moment  # a datetime is its own moment


@pytest.mark.django_db
def test_a_date_deadline_is_overdue_the_day_after_and_reminded_ahead(running):
    overdue, reminder = DATED.steps
    assert not DATED.due_rows(overdue, _local(DUE, 23, 59)).exists()  # still due that day
    assert DATED.due_rows(overdue, _local(DUE + timedelta(days=1), 0, 1)).exists()
    assert not DATED.due_rows(reminder, _local(DUE - timedelta(days=4), 12)).exists()
    assert DATED.due_rows(reminder, _local(DUE - timedelta(days=2), 12)).exists()

    result = sweep(DATED, now=_local(DUE - timedelta(days=2), 12))
    assert (result["dated.reminder"], result["dated.overdue"]) == (1, 0)
    result = sweep(DATED, now=_local(DUE + timedelta(days=1), 8))
    assert (result["dated.reminder"], result["dated.overdue"]) == (0, 1)
    assert sweep(DATED, now=_local(DUE + timedelta(days=5), 8)).total == 0


@pytest.mark.django_db
def test_a_reminder_for_a_date_already_past_is_dropped(running):
    result = sweep(replace(DATED, steps=DATED.steps[1:]), now=_local(DUE + timedelta(days=1), 8))
    assert result["dated.reminder"] == 0  # claimed, but past its day: no reminder
    assert Proposal.objects.get(pk=running.pk).final_report_reminded
    assert not ActivityLog.objects.filter(verb="dated.reminder").exists()


@pytest.mark.django_db
def test_a_deadline_computes_its_due_value_when_it_starts(running):
    changes = DATED.start_changes(running, _local(date(2026, 3, 1), 9))
    assert changes == {
        "final_report_due_on": date(2026, 8, 29),
        "final_report_overdue_notified": False,
        "final_report_reminded": False,
    }


@pytest.mark.django_db
def test_the_current_deadline_of_a_date_is_overdue_after_its_day(running):
    # The proposal workflow's own deadline: the final report, due on a date
    shown = PROPOSAL.current_deadline(running, now=_local(DUE, 20))
    assert shown["due"] == DUE and not shown["overdue"]
    assert PROPOSAL.current_deadline(running, now=_local(DUE + timedelta(days=1), 1))["overdue"]


@pytest.mark.django_db
def test_an_applied_transition_is_logged_when_it_happened(running, make_user):
    from portal import roles

    manager = make_user(email="m@example.org", roles=[roles.PROGRAMME_MANAGER])
    Proposal.objects.filter(pk=running.pk).update(status=Status.FINAL_REPORT)
    back_then = _local(date(2012, 5, 14), 11)
    apply(PROPOSAL, Proposal.objects.get(pk=running.pk), "complete", actor=manager, now=back_then)
    entry = ActivityLog.objects.get(verb="proposal.complete")
    assert entry.at == back_then and "at" not in entry.data


@pytest.mark.django_db
def test_a_muted_outbox_queues_nothing_and_unmutes_after(make_user):
    user = make_user(email="someone@example.org")
    item = {"kind": "roles_changed", "to_email": user.email, "recipient": user, "context": {"role_codes": []}}
    with notifications_muted():
        assert notification_queue(**item) is None
        assert notifications_queue_many([item]) == 0
    assert not Notification.objects.exists()
    assert notification_queue(**item) is not None
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_row_upsert_creates_then_updates_and_checks_before_saving():
    from django.core.exceptions import ValidationError

    from portal.models import Country, Municipality
    from portal.services import row_upsert

    lookup = {"country": Country.CZ, "code": "1"}
    town, created = row_upsert(Municipality, lookup=lookup, fields={"name": "Stod"})
    again, created_again = row_upsert(Municipality, lookup=lookup, fields={"name": "Stod u Plzně"})
    assert (created, created_again, again.pk) == (True, False, town.pk)
    assert Municipality.objects.get(pk=town.pk).name == "Stod u Plzně"

    def refuse(obj, created):
        raise ValidationError("no")

    with pytest.raises(ValidationError):
        row_upsert(Municipality, lookup=lookup, fields={"name": "Jiný"}, check=refuse)
    with pytest.raises(ValidationError):  # full_clean first: a name is required
        row_upsert(Municipality, lookup={"country": Country.CZ, "code": "2"}, fields={"name": ""})
    assert Municipality.objects.get(pk=town.pk).name == "Stod u Plzně"
    assert Municipality.objects.count() == 1
