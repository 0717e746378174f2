"""The publication of recommendations: editions asked for by the organiser, built as a PDF by a Celery task
(or at once from the shell), published for everybody to download."""

import logging
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.deadlines import claim_batch
from portal.services import activity_log, activity_log_many, notification_queue
from portal.web import absolute_reverse

from ..models import Initiative, Publication
from .common import authorize

logger = logging.getLogger(__name__)

# A waiting edition no worker took up within QUEUE_PATIENCE is queued once more by the beat, and failed if it
# still waits QUEUE_PATIENCE later; a build without a sign of life (progress) for HEARTBEAT_PATIENCE lost its
# worker and is failed. With the beat every minute, a stuck edition shows "failed" within ~5 minutes.
QUEUE_PATIENCE = timedelta(minutes=2)
HEARTBEAT_PATIENCE = timedelta(minutes=3)
BUILD_TASK = "workshops.tasks.publication_build"  # by name: the tasks module imports the services


def _edition_create(
    *, initiative: Initiative, language: str, actor, now: datetime
) -> tuple[Publication, bool]:
    """A new edition waiting to be built, or the one of this language already waiting or being built (a
    double click builds once). Returns (publication, created)."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError({"language": _("Unknown language.")})
    Initiative.objects.select_for_update().get(pk=initiative.pk)
    editions = Publication.objects.filter(initiative=initiative, language=language)
    # A build whose worker died does not block new ones (also when the beat is not running).
    _stale_building(editions, now).update(**_failed(Publication.Failure.INTERRUPTED, now))
    running = editions.filter(status__in=[Publication.Status.QUEUED, Publication.Status.BUILDING]).first()
    if running is not None:
        return running, False
    last = editions.aggregate(last=models.Max("edition"))["last"] or 0
    publication = Publication.objects.create(
        initiative=initiative, language=language, edition=last + 1, requested_by=actor, created_at=now
    )
    activity_log(actor=actor, verb="publication.requested", target=publication, language=language)
    return publication, True


def publication_request(
    *, initiative: Initiative, language: str, actor, now: datetime | None = None
) -> tuple[Publication, bool]:
    """The organiser asks for a new edition of the publication; the PDF is built by a Celery task after
    commit. While an edition in this language is waiting or being built, asking again returns
    it. Returns (publication, created)."""
    now = now or timezone.now()
    authorize(actor, "workshops.manage")
    with transaction.atomic():
        publication, created = _edition_create(initiative=initiative, language=language, actor=actor, now=now)
        if created:
            transaction.on_commit(lambda: _enqueue_build(publication.pk))
    return publication, created


def publication_build_now(*, initiative: Initiative, language: str) -> tuple[Publication, bool]:
    """Build a new edition at once, from the shell (``manage.py build_publication``: whoever runs it runs
    the server). Returns (publication, created); not created while another edition is being built."""
    with transaction.atomic():
        publication, created = _edition_create(
            initiative=initiative, language=language, actor=None, now=timezone.now()
        )
    if created:
        publication_build(publication_id=publication.pk)
        publication.refresh_from_db()
    return publication, created


def _enqueue_build(publication_id: int) -> None:
    try:
        current_app.signature(BUILD_TASK, args=(publication_id,)).delay()
    except Exception:  # noqa: BLE001 - broker down: the edition stays queued and is shown as waiting
        logger.exception("Could not queue the build of publication %s", publication_id)


def _progress(build: models.QuerySet, progress: int) -> None:
    """How far the build got, which is also its sign of life (``heartbeat_at``)."""
    build.update(progress=progress, heartbeat_at=timezone.now())


def _failed(failure: str, now: datetime, error: str = "") -> dict:
    return {
        "status": Publication.Status.FAILED,
        "failure": failure,
        "error": error or failure,
        "finished_at": now,
    }


def _stale_building(editions: models.QuerySet, now: datetime) -> models.QuerySet:
    """Editions being built without a sign of life for HEARTBEAT_PATIENCE (the worker died or hangs)."""
    old = now - HEARTBEAT_PATIENCE
    return editions.filter(status=Publication.Status.BUILDING).filter(
        Q(heartbeat_at__lt=old) | Q(heartbeat_at__isnull=True, started_at__lt=old)
    )


def publications_sweep(*, now: datetime | None = None, batch: int = 100) -> dict[str, int]:
    """Beat (every minute): builds never stay stuck. A waiting edition older than QUEUE_PATIENCE is queued
    once more (the broker was down, or the message was lost); one still waiting QUEUE_PATIENCE after that is
    failed, as is a build without a sign of life for HEARTBEAT_PATIENCE (its worker was killed). Each step
    claims its rows with one conditional UPDATE (``portal.deadlines.claim_batch``), so a second sweep, or two
    at once, acts on nothing twice. Returns how many editions each step acted on."""
    now = now or timezone.now()
    waiting = Publication.objects.filter(status=Publication.Status.QUEUED)
    steps = {
        "publication.not_queued": (
            waiting.filter(requeued_at__lt=now - QUEUE_PATIENCE),
            _failed(Publication.Failure.NOT_QUEUED, now),
        ),
        "publication.interrupted": (
            _stale_building(Publication.objects.all(), now),
            _failed(Publication.Failure.INTERRUPTED, now),
        ),
        "publication.requeued": (
            waiting.filter(requeued_at__isnull=True, created_at__lt=now - QUEUE_PATIENCE),
            {"requeued_at": now},
        ),
    }
    counts, requeued = {}, []
    for verb, (due, sets) in steps.items():
        with transaction.atomic():
            ids = claim_batch(
                due, sets=sets, order_by="created_at", batch=batch, claimed=Publication.objects.filter(**sets)
            )
            activity_log_many(verb=verb, targets=list(Publication.objects.filter(pk__in=ids)), at=now)
        counts[verb] = len(ids)
        if verb == "publication.requeued":
            requeued = ids
    for publication_id in requeued:
        _enqueue_build(publication_id)
    return counts


def publication_retry(
    *, publication: Publication, actor, now: datetime | None = None
) -> tuple[Publication, bool]:
    """The organiser builds a failed edition again: it waits for a worker as if just asked for. While another
    edition in its language is waiting or being built, that one is returned instead (one build per language
    at a time). Returns (the edition waiting or being built, whether this call queued it)."""
    now = now or timezone.now()
    authorize(actor, "workshops.manage")
    with transaction.atomic():
        Initiative.objects.select_for_update().get(pk=publication.initiative_id)
        editions = Publication.objects.filter(
            initiative_id=publication.initiative_id, language=publication.language
        )
        _stale_building(editions, now).update(**_failed(Publication.Failure.INTERRUPTED, now))
        running = editions.filter(status__in=[Publication.Status.QUEUED, Publication.Status.BUILDING]).first()
        if running is not None:
            return running, False
        retried = editions.filter(pk=publication.pk, status=Publication.Status.FAILED).update(
            status=Publication.Status.QUEUED,
            failure="",
            error="",
            progress=0,
            created_at=now,
            started_at=None,
            heartbeat_at=None,
            requeued_at=None,
            finished_at=None,
            requested_by=actor,
        )
        if retried != 1:
            raise ValidationError(_("Only a failed edition can be built again."))
        activity_log(actor=actor, verb="publication.retried", target=publication)
        transaction.on_commit(lambda: _enqueue_build(publication.pk))
    publication.refresh_from_db()
    return publication, True


def publication_reset(*, publication: Publication, actor, now: datetime | None = None) -> bool:
    """The administrator stops an edition that waits or is being built (it shows as failed, the organiser may
    build it again). Returns whether it was stopped (False if it had already finished)."""
    now = now or timezone.now()
    if actor is None or not actor.has_perm("workshops.change_publication"):  # the admin's model permission
        authorize(actor, "workshops.manage")
    with transaction.atomic():
        reset = Publication.objects.filter(
            pk=publication.pk, status__in=[Publication.Status.QUEUED, Publication.Status.BUILDING]
        ).update(**_failed(Publication.Failure.RESET, now))
        if reset:
            activity_log(actor=actor, verb="publication.reset", target=publication)
    publication.refresh_from_db()
    return reset == 1


def publication_build(*, publication_id: int) -> bool:
    """Build one edition's PDF. Claims the row with a conditional UPDATE (queued → building), so a duplicate
    task does nothing. Returns whether this call built it."""
    from .. import publication as renderer

    now = timezone.now()
    claimed = Publication.objects.filter(pk=publication_id, status=Publication.Status.QUEUED).update(
        status=Publication.Status.BUILDING, started_at=now, heartbeat_at=now, progress=5
    )
    if claimed != 1:
        return False
    # This build of the edition: once failed by the sweep or reset (and perhaps queued again), a late
    # progress step or result of this build changes nothing.
    build = Publication.objects.filter(pk=publication_id, status=Publication.Status.BUILDING, started_at=now)
    publication = Publication.objects.select_related("initiative", "requested_by").get(pk=publication_id)
    try:
        pdf, pages = renderer.render_pdf(
            initiative=publication.initiative,
            language=publication.language,
            edition=publication,
            progress=lambda value: _progress(build, value),
        )
        publication.file.save(publication.filename, ContentFile(pdf), save=False)
    except Exception as exc:  # noqa: BLE001 - any failure is shown to the organiser, who may build again
        logger.exception("Building publication %s failed", publication_id)
        build.update(
            **_failed(Publication.Failure.ERROR, timezone.now(), f"{type(exc).__name__}: {exc}"[:2000])
        )
        return False
    with transaction.atomic():
        finished = build.update(
            status=Publication.Status.DONE,
            progress=100,
            file=publication.file.name,
            pages=pages,
            size=len(pdf),
            finished_at=timezone.now(),
        )
        if finished != 1:  # failed meanwhile (the sweep gave up on it, or the administrator reset it)
            publication.file.delete(save=False)
            return False
        publication.refresh_from_db()
        activity_log(verb="publication.built", target=publication, pages=pages, size=len(pdf))
        if publication.requested_by is not None:
            notification_queue(
                kind="workshop_publication_ready",
                to_email=publication.requested_by.email,
                recipient=publication.requested_by,
                context={
                    "publication": publication,
                    "initiative": publication.initiative,
                    "url": absolute_reverse("workshops:publication_manage", publication.initiative.code),
                },
                dedup_key=f"publication:{publication.pk}:ready",
            )
    return True


def publication_publish(*, publication: Publication, actor, publish: bool = True) -> Publication:
    """Make an edition the one everybody can download from the initiative's page (or take it back)."""
    authorize(actor, "workshops.manage")
    if publication.status != Publication.Status.DONE:
        raise ValidationError(_("Only a finished edition can be published."))
    with transaction.atomic():
        Publication.objects.filter(pk=publication.pk).update(published_at=timezone.now() if publish else None)
        activity_log(
            actor=actor,
            verb="publication.published" if publish else "publication.unpublished",
            target=publication,
        )
    publication.refresh_from_db()
    return publication
