"""A notification sent through a real Celery worker on a real Redis broker (runs where REDIS_URL is set,
i.e. the PostGIS + Redis run of .ci/run)."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction

from portal import services
from portal.celery import app
from portal.models import Notification
from tests.conftest import redis_url

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not redis_url(), reason="needs REDIS_URL (run by .ci/run on PostGIS + Redis)"),
]


@pytest.mark.django_db(transaction=True)
def test_notification_goes_through_redis_and_a_worker(make_user):
    assert app.conf.broker_url.startswith("redis://")
    app.conf.task_always_eager = False
    user = make_user(email="worker@example.org", language="pl")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        with transaction.atomic():
            notification = services.notification_queue(
                kind="roles_changed", to_email=user.email, recipient=user, context={"role_codes": ["officer"]}
            )
        for _ in range(100):
            notification.refresh_from_db()
            if notification.status == Notification.Status.SENT:
                break
            import time

            time.sleep(0.1)
    assert notification.status == Notification.Status.SENT
    assert [m.to for m in mail.outbox] == [["worker@example.org"]]
