"""The reminder 3 days before: sent once per confirmed participant, whatever how often or where the beat
task runs, and not at all to the waitlist or the cancelled."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from portal.models import ActivityLog, Notification
from workshops import services, tasks
from workshops.models import Registration


def _at(day, hour=8):
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.mark.django_db(transaction=True)
def test_reminder_three_days_before_once_only(workshop, register):
    confirmed = [register(workshop, f"p{i}@example.org") for i in range(3)]
    register(workshop, "waiting@example.org")  # waitlisted: no reminder
    services.registration_cancel(
        registration=confirmed[2], token=confirmed[2].cancel_token
    )  # promotes the waiting person
    mail.outbox.clear()

    with time_machine.travel(_at(workshop.held_on - timedelta(days=4))):
        assert tasks.reminders_send.apply().result == 0  # too early (through the Celery task)
    with time_machine.travel(_at(workshop.held_on - timedelta(days=3))):
        assert services.reminders_send() == 3
        assert services.reminders_send() == 0  # a second run (or a second worker) sends nothing
    with time_machine.travel(_at(workshop.held_on - timedelta(days=1))):
        assert services.reminders_send() == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@example.org", "p1@example.org", "waiting@example.org"]
    assert Notification.objects.filter(kind="workshop_reminder").count() == 3
    assert not Registration.objects.filter(status="confirmed", reminder_sent_at__isnull=True).exists()


def test_late_registration_within_three_days_gets_no_separate_reminder(workshop, register):
    with time_machine.travel(_at(workshop.held_on - timedelta(days=2))):
        registration = register(workshop, "late@example.org")
        assert registration.reminder_sent_at is not None  # the confirmation says it all
        assert services.reminders_send() == 0


def test_catch_up_after_downtime_and_no_reminder_after_the_day(workshop, register):
    register(workshop, "p@example.org")
    with time_machine.travel(_at(workshop.held_on + timedelta(days=1))):
        assert services.reminders_send() == 0  # the workshop is over
    with time_machine.travel(_at(workshop.held_on - timedelta(days=1))):
        assert services.reminders_send() == 1  # the beat was down on day -3: still reminded


def test_claimed_row_is_not_reminded_again_by_a_racing_worker(workshop, register):
    registration = register(workshop, "p@example.org")
    with time_machine.travel(_at(workshop.held_on - timedelta(days=3))):
        Registration.objects.filter(pk=registration.pk).update(
            reminded=True, reminder_sent_at=timezone.now()
        )  # the other won
        assert services.reminders_send() == 0
    assert not Notification.objects.filter(kind="workshop_reminder").exists()


def test_beat_schedule_runs_the_reminders(settings):
    entries = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "workshops.tasks.reminders_send" in entries


def test_the_migration_flags_every_registration_reminded_before(workshop, register):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("workshops.migrations.0003_registration_reminded")
    reminded, other = register(workshop, "r@example.org"), register(workshop, "o@example.org")
    Registration.objects.filter(pk=reminded.pk).update(reminder_sent_at=timezone.now(), reminded=False)
    migration.flag_the_reminded(apps, None)
    assert set(Registration.objects.filter(reminded=True).values_list("pk", flat=True)) == {reminded.pk}
    assert not Registration.objects.get(pk=other.pk).reminded


def test_the_reminder_sweep_costs_the_same_for_one_or_many(workshop, register, django_assert_max_num_queries):
    for i in range(3):
        register(workshop, f"p{i}@example.org")
    with time_machine.travel(_at(workshop.held_on - timedelta(days=3))), django_assert_max_num_queries(12):
        assert services.reminders_send() == 3
    log = ActivityLog.objects.filter(verb="registration.reminded")
    assert log.count() == 3
