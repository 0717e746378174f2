"""The publication of recommendations: editions asked for by the organiser, built as a PDF by a Celery task
(or at once from the shell), published for everybody to download."""

import logging
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.services import activity_log, notification_queue
from portal.web import absolute_reverse

from ..models import Initiative, Publication
from .common import authorize

logger = logging.getLogger(__name__)

STALE_BUILD = timedelta(minutes=30)
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
    # A build whose worker died long ago does not block new ones forever.
    editions.filter(status=Publication.Status.BUILDING, started_at__lt=now - STALE_BUILD).update(
        status=Publication.Status.FAILED, error="interrupted", finished_at=now
    )
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


def _progress(publication_id: int, progress: int) -> None:
    Publication.objects.filter(pk=publication_id).update(progress=progress)


def publication_build(*, publication_id: int) -> bool:
    """Build one edition's PDF. Claims the row with a conditional UPDATE (queued → building), so a duplicate
    task does nothing. Returns whether this call built it."""
    from .. import publication as renderer

    now = timezone.now()
    claimed = Publication.objects.filter(pk=publication_id, status=Publication.Status.QUEUED).update(
        status=Publication.Status.BUILDING, started_at=now, progress=5
    )
    if claimed != 1:
        return False
    publication = Publication.objects.select_related("initiative", "requested_by").get(pk=publication_id)
    try:
        pdf, pages = renderer.render_pdf(
            initiative=publication.initiative,
            language=publication.language,
            edition=publication,
            progress=lambda value: _progress(publication_id, value),
        )
        publication.file.save(publication.filename, ContentFile(pdf), save=False)
    except Exception as exc:  # noqa: BLE001 - any failure is shown to the organiser, who may build again
        logger.exception("Building publication %s failed", publication_id)
        Publication.objects.filter(pk=publication_id).update(
            status=Publication.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return False
    with transaction.atomic():
        Publication.objects.filter(pk=publication_id).update(
            status=Publication.Status.DONE,
            progress=100,
            file=publication.file.name,
            pages=pages,
            size=len(pdf),
            finished_at=timezone.now(),
        )
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
