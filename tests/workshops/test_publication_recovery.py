"""Publication builds never stay stuck (issue 12, item 4): the beat's sweep queues a waiting edition again
once (the broker was down) and then fails it, fails a build whose worker stopped giving signs of life, each
exactly once; the organiser sees why and retries; the administrator resets a build. Time moves with
time-machine, the PDF is built for real by WeasyPrint (tasks run eagerly once the broker "is back")."""

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from portal.celery import app as celery_app
from portal.models import ActivityLog
from workshops import services
from workshops.models import Publication

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INTERRUPTED = "The build stopped: the background worker was interrupted. Try again."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def broker_down():
    """The broker refuses connections (nothing listens on port 1) until the test calls the returned
    function; then tasks run in-process again (the suite's eager mode)."""
    conf, amqp = celery_app.conf, celery_app.amqp
    before = (conf.broker_url, conf.task_publish_retry, conf.task_always_eager)
    pools = (celery_app._pool, amqp._producer_pool)  # connections an earlier test opened to the real broker
    conf.broker_url, conf.task_publish_retry, conf.task_always_eager = "redis://127.0.0.1:1/0", False, False
    celery_app._pool = amqp._producer_pool = None

    def back():
        conf.broker_url, conf.task_publish_retry, conf.task_always_eager = before
        celery_app._pool, amqp._producer_pool = pools

    yield back
    back()


def _page(client, initiative) -> str:
    return client.get(reverse("workshops:publication_manage", args=[initiative.code])).content.decode()


def _sweep_at(when: datetime) -> dict[str, int]:
    with time_machine.travel(when, tick=True):
        return services.publications_sweep()


def _building(initiative, organiser, *, heartbeat: datetime, progress: int = 22) -> Publication:
    """An edition as a killed worker leaves it: building, its last progress step at ``heartbeat``."""
    with time_machine.travel(heartbeat - timedelta(seconds=30), tick=True):
        edition, _created = services.publication_request(
            initiative=initiative, language="cs", actor=organiser
        )
    Publication.objects.filter(pk=edition.pk).update(
        status=Publication.Status.BUILDING,
        started_at=heartbeat - timedelta(seconds=20),
        heartbeat_at=heartbeat,
        progress=progress,
    )
    return edition


def test_broker_down_at_request_time_is_queued_again_and_built(
    client, organiser, initiative, broker_down, caplog, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("workshops:publication_manage", args=[initiative.code]), {"language": "cs"})
    assert "Could not queue the build" in caplog.text
    edition = Publication.objects.get()
    assert edition.status == Publication.Status.QUEUED
    T0 = edition.created_at  # noqa: N806 - the request's time

    broker_down()  # the broker is back; nobody asks again
    assert _sweep_at(T0 + timedelta(minutes=1))["publication.requeued"] == 0  # still patient
    assert _sweep_at(T0 + timedelta(minutes=2, seconds=5))["publication.requeued"] == 1
    edition.refresh_from_db()
    assert edition.status == Publication.Status.DONE and edition.pages >= 1 and edition.file
    assert "Download PDF" in _page(client, initiative)
    assert sum(_sweep_at(T0 + timedelta(minutes=10)).values()) == 0


def test_still_waiting_after_the_second_try_fails_visibly_and_retry_builds(
    client, organiser, initiative, broker_down, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    with time_machine.travel(T0, tick=True):
        edition, _created = services.publication_request(
            initiative=initiative, language="cs", actor=organiser
        )
    counts = _sweep_at(T0 + timedelta(minutes=3))
    assert counts["publication.requeued"] == 1  # once: the broker is still down
    assert _sweep_at(T0 + timedelta(minutes=4))["publication.requeued"] == 0
    assert _sweep_at(T0 + timedelta(minutes=5, seconds=5))["publication.not_queued"] == 1
    edition.refresh_from_db()
    assert edition.status == Publication.Status.FAILED
    assert edition.failure == Publication.Failure.NOT_QUEUED
    html = _page(client, initiative)
    assert "The build never started: the background worker did not take it up." in html
    assert reverse("workshops:publication_retry", args=[edition.pk]) in html

    broker_down()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("workshops:publication_retry", args=[edition.pk]))
    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.status == Publication.Status.DONE and edition.edition == 1 and not edition.failure


def test_build_without_a_sign_of_life_is_failed_then_retried(
    client, organiser, initiative, django_capture_on_commit_callbacks
):
    edition = _building(initiative, organiser, heartbeat=T0)
    client.force_login(organiser)
    assert _sweep_at(T0 + timedelta(minutes=2, seconds=50))["publication.interrupted"] == 0
    with time_machine.travel(T0 + timedelta(minutes=2, seconds=50), tick=True):
        assert 'value="22"' in _page(client, initiative)  # still shown as being built, 22 %

    assert _sweep_at(T0 + timedelta(minutes=3, seconds=5))["publication.interrupted"] == 1
    edition.refresh_from_db()
    assert edition.status == Publication.Status.FAILED and edition.failure == Publication.Failure.INTERRUPTED
    html = _page(client, initiative)
    assert INTERRUPTED in html and 'value="22"' not in html

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("workshops:publication_retry", args=[edition.pk]))
    edition.refresh_from_db()
    assert edition.status == Publication.Status.DONE and edition.progress == 100
    assert ActivityLog.objects.filter(verb="publication.interrupted").count() == 1
    assert ActivityLog.objects.filter(verb="publication.retried", actor=organiser).count() == 1


def test_a_sweep_run_twice_acts_once(initiative, organiser):
    stale = _building(initiative, organiser, heartbeat=T0)
    with time_machine.travel(T0, tick=True):
        waiting, _created = services.publication_request(
            initiative=initiative, language="en", actor=organiser
        )
    later = T0 + timedelta(minutes=3, seconds=30)
    first, second = _sweep_at(later), _sweep_at(later)
    assert first == {"publication.not_queued": 0, "publication.interrupted": 1, "publication.requeued": 1}
    assert sum(second.values()) == 0
    swept = ActivityLog.objects.filter(verb__in=list(first)).values_list("verb", flat=True)
    assert sorted(swept) == ["publication.interrupted", "publication.requeued"]
    stale.refresh_from_db()
    waiting.refresh_from_db()
    assert stale.status == Publication.Status.FAILED and waiting.status == Publication.Status.DONE  # eager


def test_a_build_that_keeps_giving_signs_of_life_is_left_alone(initiative, organiser):
    edition = _building(initiative, organiser, heartbeat=T0)
    Publication.objects.filter(pk=edition.pk).update(started_at=T0 - timedelta(minutes=20))  # a long build
    assert _sweep_at(T0 + timedelta(minutes=2, seconds=59))["publication.interrupted"] == 0
    edition.refresh_from_db()
    assert edition.status == Publication.Status.BUILDING


def test_a_late_result_of_a_given_up_build_changes_nothing(initiative, organiser, monkeypatch):
    """The sweep failed the build while its worker was only very slow: its late PDF is not taken."""
    from workshops import publication as renderer

    real = renderer.render_pdf
    with time_machine.travel(T0, tick=True):
        edition, _created = services.publication_request(
            initiative=initiative, language="cs", actor=organiser
        )

    def slow(**kwargs):
        result = real(**kwargs)
        assert _sweep_at(T0 + timedelta(minutes=10))["publication.interrupted"] == 1
        return result

    monkeypatch.setattr(renderer, "render_pdf", slow)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=True):
        assert services.publication_build(publication_id=edition.pk) is False
    edition.refresh_from_db()
    assert edition.status == Publication.Status.FAILED and not edition.file and edition.pages is None


def test_retry_is_for_organisers_and_failed_editions_only(client, organiser, staff, initiative):
    edition, _created = services.publication_request(initiative=initiative, language="cs", actor=organiser)
    url = reverse("workshops:publication_retry", args=[edition.pk])
    client.force_login(staff)
    assert client.post(url).status_code == 403
    client.force_login(organiser)
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "This edition is already being built." in response.content.decode()  # it is waiting: no second
    Publication.objects.filter(pk=edition.pk).update(status=Publication.Status.DONE)
    response = client.post(url, follow=True)
    assert "Only a failed edition can be built again." in response.content.decode()


def test_admin_resets_a_stuck_build(client, organiser, initiative, settings):
    settings.MFA_REQUIRED_SUPERUSER = False
    stuck = _building(initiative, organiser, heartbeat=T0)
    admin = get_user_model().objects.create_superuser(email="root@example.org", password="x-Secret-12345")
    client.force_login(admin)
    response = client.post(
        reverse("admin:workshops_publication_changelist"),
        {"action": "reset", "_selected_action": [str(stuck.pk)]},
        follow=True,
    )
    assert "1 build stopped" in response.content.decode()
    stuck.refresh_from_db()
    assert stuck.status == Publication.Status.FAILED and stuck.failure == Publication.Failure.RESET
    assert ActivityLog.objects.filter(verb="publication.reset", actor=admin).count() == 1
    # Done editions are left alone; the organiser may build again at once
    response = client.post(
        reverse("admin:workshops_publication_changelist"),
        {"action": "reset", "_selected_action": [str(stuck.pk)]},
        follow=True,
    )
    assert "0 builds stopped" in response.content.decode()
    _new, created = services.publication_request(initiative=initiative, language="cs", actor=organiser)
    assert created
    client.force_login(organiser)
    assert "An administrator stopped this build. You may try again." in _page(client, initiative)


def test_the_beat_sweeps_every_minute(settings):
    entries = list(settings.CELERY_BEAT_SCHEDULE.values())
    sweep = [entry for entry in entries if entry["task"] == "workshops.tasks.publications_sweep"]
    assert sweep and sweep[0]["schedule"] <= 60
    assert "workshops.tasks.publications_sweep" in celery_app.tasks
