"""Personal data expires: the retention engine (portal/retention.py) blanks or deletes what a policy names,
only once its days are up, in batches, per deployment overridable, and one broken policy stops no other."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Q

from portal import retention
from portal.models import Notification

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def _mail(status, days_ago, email="a@example.org"):
    return Notification.objects.create(
        to_email=email,
        language="cs",
        kind="k",
        subject="s",
        body_text="secret link",
        status=status,
        created_at=NOW - timedelta(days=days_ago),
    )


@pytest.mark.django_db
def test_the_outbox_forgets_delivered_emails_after_its_days(settings):
    old_sent, old_failed, recent, pending = (
        _mail("sent", 91),
        _mail("failed", 200),
        _mail("sent", 10),
        _mail("pending", 400),
    )
    done = retention.purge(now=NOW, batch=1)
    assert done["portal.outbox"] == 2
    assert set(Notification.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}
    assert not Notification.objects.filter(pk__in=[old_sent.pk, old_failed.pk]).exists()
    settings.RETENTION_DAYS = {"portal.outbox": 5}  # a deployment keeps less
    assert retention.purge(now=NOW)["portal.outbox"] == 1


@pytest.mark.django_db
def test_blanking_policies_run_once_and_a_broken_one_stops_no_other(caplog):
    blank = retention.Retention(
        name="test.blank",
        label="emails",
        model="portal.Notification",
        default_days=1,
        expired=lambda cutoff: Q(created_at__lte=cutoff) & ~Q(to_email="gone@example.org"),
        clear={"to_email": "gone@example.org", "body_text": ""},
    )
    broken = retention.Retention(
        name="test.broken",
        label="x",
        model="portal.Notification",
        default_days=1,
        expired=lambda cutoff: Q(no_such_field=1),
        delete=True,
    )
    retention.register(blank, broken)
    try:
        kept = _mail("pending", 0, email="kept@example.org")
        for _ in range(3):
            _mail("pending", 5)
        done = retention.purge(now=NOW, batch=2)
        assert done["test.blank"] == 3 and done["test.broken"] == 0
        assert "Retention test.broken failed" in caplog.text
        assert set(Notification.objects.exclude(pk=kept.pk).values_list("to_email", "body_text")) == {
            ("gone@example.org", "")
        }
        assert retention.purge(now=NOW)["test.blank"] == 0  # nothing twice
        looping = retention.Retention(
            name="test.loop",
            label="x",
            model="portal.Notification",
            default_days=0,
            expired=lambda cutoff: Q(created_at__lte=cutoff),
            clear={"body_text": ""},
        )
        retention.register(looping)
        assert retention.purge(now=NOW, batch=2)["test.loop"] == 0 and "still match" in caplog.text
    finally:
        for name in ("test.blank", "test.broken", "test.loop"):
            retention._POLICIES.pop(name, None)


@pytest.mark.django_db
def test_a_delivered_email_counts_from_its_delivery():
    late = _mail("sent", 100)  # retried for weeks, delivered 10 days ago
    Notification.objects.filter(pk=late.pk).update(sent_at=NOW - timedelta(days=10))
    delivered_long_ago = _mail("sent", 100)
    Notification.objects.filter(pk=delivered_long_ago.pk).update(sent_at=NOW - timedelta(days=91))
    assert retention.purge(now=NOW)["portal.outbox"] == 1
    assert list(Notification.objects.values_list("pk", flat=True)) == [late.pk]


def test_every_policy_is_documented_with_its_default():
    """docs/personal-data.md lists each policy with its default: the page cannot drift from the code."""
    from pathlib import Path

    from django.conf import settings

    page = (Path(settings.BASE_DIR) / "docs" / "personal-data.md").read_text()
    policies = retention.policies()
    assert {"incidents.reporter_contact", "workshops.registrations", "audits.invitation_codes"} <= {
        p.name for p in policies
    }
    for policy in policies:
        assert f"| `{policy.name}` | {policy.default_days} days |" in page, policy.name
