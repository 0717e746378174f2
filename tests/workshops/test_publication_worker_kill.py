"""The fault test of issue 12, item 4: a real Celery worker (its own process, on the real Redis broker and the
PostGIS test database) is killed with SIGKILL in the middle of a publication build. Its progress steps were
visible until then; afterwards the edition stays "being built" only until the beat's sweep sees no sign of
life for HEARTBEAT_PATIENCE and fails it with its reason; the organiser's retry builds it. The sweep's later
minutes are reached with time-machine, not by waiting. Runs where REDIS_URL is set on PostgreSQL (.ci/run)."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import time_machine
from django.conf import settings
from django.db import connection

from portal.celery import app
from tests.conftest import redis_url
from workshops import services
from workshops.models import GoodPractice, Publication, Recommendation, Workshop
from workshops.services.publications import HEARTBEAT_PATIENCE

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not redis_url(), reason="needs REDIS_URL (run by .ci/run on PostGIS + Redis)"),
]
BEAT_EVERY = timedelta(seconds=settings.CELERY_BEAT_SCHEDULE["workshops-publications-sweep"]["schedule"])


def _long_publication(initiative, workshop) -> None:
    """Enough text for a build of some seconds, so that it can be killed in the middle of the layout."""
    for number in range(2, 5):
        Workshop.objects.create(
            initiative=initiative, number=number, theme_cs=f"Téma {number}", held_on=workshop.held_on
        )
    paragraph = "Obec a policie sdílejí informace o místech, kde se lidé necítí bezpečně. " * 12
    for item in initiative.workshops.all():
        GoodPractice.objects.bulk_create(
            GoodPractice(workshop=item, title=f"Praxe {n}", town="Plzeň", description=paragraph, contact="")
            for n in range(25)
        )
        Recommendation.objects.bulk_create(
            Recommendation(workshop=item, addressee="towns", priority=1 + n % 3, text=paragraph)
            for n in range(25)
        )


def _worker_env() -> dict:
    url = urlsplit(os.environ["DATABASE_URL"])  # the same server, the test database
    test_db = urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))
    return {**os.environ, "DATABASE_URL": test_db, "REDIS_URL": redis_url(), "DEBUG": "1"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker process needs a shared server DB")
def test_worker_killed_mid_build_fails_visibly_and_retry_builds(
    initiative, workshop, organiser, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    _long_publication(initiative, workshop)
    app.control.purge()
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO"]
        + ["--without-mingle", "--without-gossip", "--without-heartbeat"],
        cwd=settings.BASE_DIR,
        env=_worker_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    started = time.monotonic()
    seen: list[int] = []
    try:
        app.conf.task_always_eager = False
        edition, _created = services.publication_request(
            initiative=initiative, language="cs", actor=organiser
        )
        row = {}
        while time.monotonic() - started < 45:
            row = Publication.objects.values("status", "progress", "heartbeat_at").get(pk=edition.pk)
            if row["status"] == Publication.Status.BUILDING and (not seen or seen[-1] != row["progress"]):
                seen.append(row["progress"])
            if row["status"] in (Publication.Status.DONE, Publication.Status.FAILED) or seen[-1:] >= [30]:
                break
            time.sleep(0.05)
        assert row["status"] == Publication.Status.BUILDING, (row, (tmp_path / "worker.log").read_text())
        worker.send_signal(signal.SIGKILL)  # kill -9, mid-build
        worker.wait(timeout=10)
        killed_after = time.monotonic() - started
    finally:
        app.conf.task_always_eager = True
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        log.close()
        # The killed worker's unacknowledged message: not for later tests' workers
        redis.Redis.from_url(redis_url()).delete("unacked", "unacked_index", "unacked_mutex")
    assert len(seen) >= 3 and seen[-1] >= 30, seen  # the organiser saw the build advance, step by step

    # The worker may have written one more step between the last look and the kill; after it, nothing moves
    edition.refresh_from_db()
    at_kill = edition.progress
    assert edition.status == Publication.Status.BUILDING and seen[-1] <= at_kill < 100
    time.sleep(1)
    edition.refresh_from_db()  # the worker is gone: nothing finishes it
    assert edition.status == Publication.Status.BUILDING and edition.progress == at_kill
    heartbeat = edition.heartbeat_at

    def sweep(after: timedelta) -> dict:
        with time_machine.travel(heartbeat + after, tick=True):
            return services.publications_sweep()

    assert sweep(HEARTBEAT_PATIENCE - timedelta(seconds=30))["publication.interrupted"] == 0
    # The first beat after HEARTBEAT_PATIENCE fails it: at most HEARTBEAT_PATIENCE + a beat after the kill
    assert sweep(HEARTBEAT_PATIENCE + BEAT_EVERY)["publication.interrupted"] == 1
    assert timedelta(minutes=5) > HEARTBEAT_PATIENCE + BEAT_EVERY
    edition.refresh_from_db()
    assert edition.status == Publication.Status.FAILED and edition.failure == Publication.Failure.INTERRUPTED

    retried, queued = services.publication_retry(publication=edition, actor=organiser)  # built in-process
    retried.refresh_from_db()
    assert queued and retried.status == Publication.Status.DONE and retried.pages > 20
    print(f"killed {killed_after:.1f} s after the worker started; progress seen: {seen}")  # noqa: T201
