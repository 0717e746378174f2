"""The notification outbox: rows in the same transaction as the change, sent by a task, retried, never twice,
rendered in the recipient's language."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from portal import roles, services
from portal.models import Notification


class BrokenBackend:
    """An SMTP server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


def _queue(user, **kwargs):
    return services.notification_queue(
        kind="roles_changed",
        to_email=user.email,
        recipient=user,
        context={"role_codes": [roles.OFFICER]},
        **kwargs,
    )


@pytest.mark.django_db(transaction=True)
def test_notification_is_sent_after_commit_in_recipients_language(make_user):
    czech = make_user(email="cz@example.org", language="cs")
    polish = make_user(email="pl@example.org", language="pl")
    with transaction.atomic():
        _queue(czech)
        _queue(polish)
        assert mail.outbox == []  # nothing leaves before the change is committed
    assert [m.to for m in mail.outbox] == [["cz@example.org"], ["pl@example.org"]]
    cz_mail, pl_mail = mail.outbox
    assert cz_mail.extra_headers["Content-Language"] == "cs"
    assert pl_mail.extra_headers["Content-Language"] == "pl"
    assert cz_mail.subject != pl_mail.subject  # rendered in two languages
    assert "/accounts/login/" in cz_mail.body
    assert cz_mail.alternatives and cz_mail.alternatives[0][1] == "text/html"
    assert set(Notification.objects.values_list("status", flat=True)) == {Notification.Status.SENT}


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_sends_nothing(make_user):
    user = make_user()
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue(user)
        raise RuntimeError("the change failed")
    assert Notification.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_failed_send_is_retried_with_backoff_then_sent(make_user, settings):
    user = make_user()
    settings.EMAIL_BACKEND = "tests.portal.test_notifications.BrokenBackend"
    notification = _queue(user)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING
    assert notification.attempts == 1
    assert "SMTP server down" in notification.last_error
    assert notification.next_attempt_at > timezone.now()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.notifications_send_due() == 0  # not due yet: back-off
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert services.notifications_send_due() == 1
        assert services.notifications_send_due() == 0  # and never twice
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_gives_up_after_max_attempts(make_user, settings):
    settings.EMAIL_BACKEND = "tests.portal.test_notifications.BrokenBackend"
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    notification = _queue(make_user())
    now = timezone.now()
    for hours in (1, 2, 3, 4):
        with time_machine.travel(now + timedelta(hours=hours)):
            services.notifications_send_due()
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED
    assert notification.attempts == 3


@pytest.mark.django_db(transaction=True)
def test_claim_prevents_double_send(make_user):
    notification = _queue(make_user())
    assert len(mail.outbox) == 1
    # A second task for the same row (duplicate delivery, or the sweep racing the task) sends nothing.
    assert services.notification_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_dedup_key_keeps_one_notification(make_user):
    user = make_user()
    assert _queue(user, dedup_key="report:1:overdue") is not None
    assert _queue(user, dedup_key="report:1:overdue") is None
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_stuck_sending_row_is_recovered(make_user, settings):
    notification = _queue(make_user())
    Notification.objects.filter(pk=notification.pk).update(status=Notification.Status.SENDING, sent_at=None)
    assert services.notifications_send_due() == 0  # a worker may still be sending it
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert services.notifications_send_due() == 1


@pytest.mark.django_db(transaction=True)
def test_role_change_logs_and_notifies(make_user):
    user = make_user(language="pl")
    services.user_set_roles(user=user, roles=[roles.OFFICER, roles.COORDINATOR])
    services.user_set_roles(user=user, roles=[roles.OFFICER, roles.COORDINATOR])  # no change, no email
    assert len(mail.outbox) == 1
    from portal.selectors import activity_for

    entry = activity_for(target=user).get()
    assert entry.verb == "user.roles_set"
    assert entry.data["roles"] == ["coordinator", "officer"]


@pytest.mark.django_db(transaction=True)
def test_attachment_is_kept_in_the_row_and_sent_with_the_email(make_user, settings):
    ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    settings.EMAIL_BACKEND = "tests.portal.test_notifications.BrokenBackend"
    notification = _queue(
        make_user(),
        attachments=[{"filename": "invite.ics", "content_type": "text/calendar", "content": ics}],
    )
    notification.refresh_from_db()
    assert notification.status == Notification.Status.PENDING  # first attempt failed: the row keeps the file
    assert [a["filename"] for a in notification.attachments] == ["invite.ics"]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert services.notifications_send_due() == 1
    (message,) = mail.outbox
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == ("invite.ics", "text/calendar")
    assert content == ics  # Django decodes text/* attachments back to str
