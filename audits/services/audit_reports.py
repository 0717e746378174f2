"""The audit report as a PDF: an edition asked for by the coordinator, built by a Celery task after commit
(claimed with a conditional UPDATE, so a duplicate delivery builds nothing twice), or at once from the demo.
The same pattern as the workshops' publication (``workshops/services/publications.py``)."""

import logging
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.services import activity_log

from ..models import Audit, AuditReport
from ..workflow import AuditPhase
from .audit_cycle import _coordinator, _in_phase

logger = logging.getLogger(__name__)
BUILD_TASK = "audits.tasks.audit_report_build"
STALE = timedelta(minutes=5)  # a build without an end after this long lost its worker


def _edition(*, audit: Audit, language: str, actor) -> tuple[AuditReport, bool]:
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError({"language": _("Unknown language.")})
    locked = Audit.objects.select_for_update().get(pk=audit.pk)
    _in_phase(locked, AuditPhase.REPORT, AuditPhase.PUBLISHED)
    editions = AuditReport.objects.filter(audit=locked, language=language)
    now = timezone.now()
    editions.filter(status__in=[AuditReport.Status.QUEUED, AuditReport.Status.BUILDING]).filter(
        Q(started_at__lt=now - STALE) | Q(started_at__isnull=True, created_at__lt=now - STALE)
    ).update(status=AuditReport.Status.FAILED, error="stale", finished_at=now)
    running = editions.filter(status__in=[AuditReport.Status.QUEUED, AuditReport.Status.BUILDING]).first()
    if running is not None:
        return running, False
    last = editions.aggregate(last=models.Max("edition"))["last"] or 0
    report = AuditReport.objects.create(audit=locked, language=language, edition=last + 1, requested_by=actor)
    activity_log(actor=actor, verb="audit.report_requested", target=locked, language=language)
    return report, True


def audit_report_request(*, actor, audit: Audit, language: str) -> tuple[AuditReport, bool]:
    """A new edition of the report, built by a worker after commit; while one in this language is waiting
    or being built, that one is returned. Returns (edition, created)."""
    _coordinator(actor, audit)
    with transaction.atomic():
        report, created = _edition(audit=audit, language=language, actor=actor)
        if created:
            transaction.on_commit(lambda: _enqueue(report.pk))
    return report, created


def audit_report_build_now(*, actor, audit: Audit, language: str) -> AuditReport:
    """Build an edition at once in this process (the demo; a shell)."""
    _coordinator(actor, audit)
    with transaction.atomic():
        report, created = _edition(audit=audit, language=language, actor=actor)
    if created:
        audit_report_build(report_id=report.pk)
    report.refresh_from_db()
    return report


def _enqueue(report_id: int) -> None:
    try:
        current_app.signature(BUILD_TASK, args=(report_id,)).delay()
    except Exception:  # noqa: BLE001 - broker down: the edition stays queued; asking again after STALE helps
        logger.exception("Could not queue the build of audit report %s", report_id)


def audit_report_build(*, report_id: int) -> bool:
    """Build one edition's PDF (queued → building → done | failed). Returns whether this call built it."""
    from .. import report as renderer

    now = timezone.now()
    claimed = AuditReport.objects.filter(pk=report_id, status=AuditReport.Status.QUEUED).update(
        status=AuditReport.Status.BUILDING, started_at=now
    )
    if claimed != 1:
        return False
    build = AuditReport.objects.filter(pk=report_id, status=AuditReport.Status.BUILDING, started_at=now)
    report = AuditReport.objects.select_related("audit__municipality").get(pk=report_id)
    try:
        pdf, pages = renderer.render_pdf(audit=report.audit, language=report.language, edition=report)
        report.file.save(report.filename, ContentFile(pdf), save=False)
    except Exception as exc:  # noqa: BLE001 - shown to the coordinator, who may build again
        logger.exception("Building audit report %s failed", report_id)
        build.update(
            status=AuditReport.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=now
        )
        return False
    with transaction.atomic():
        done = build.update(
            status=AuditReport.Status.DONE,
            file=report.file.name,
            pages=pages,
            size=len(pdf),
            finished_at=timezone.now(),
        )
        if done != 1:
            report.file.delete(save=False)
            return False
        activity_log(verb="audit.report_built", target=report.audit, pages=pages, size=len(pdf))
    return True


def audit_reports_sweep(*, now=None) -> dict[str, int]:
    """Beat (every minute): no edition stays stuck. One waiting for a worker over a minute is queued again
    (the broker was down or the message lost; a duplicate is harmless, the build claims its row); one
    waiting or being built for over STALE is failed (its worker died), so the coordinator may build again."""
    now = now or timezone.now()
    stuck = AuditReport.objects.filter(
        status__in=[AuditReport.Status.QUEUED, AuditReport.Status.BUILDING]
    ).filter(Q(started_at__lt=now - STALE) | Q(started_at__isnull=True, created_at__lt=now - STALE))
    failed = stuck.update(status=AuditReport.Status.FAILED, error="stale", finished_at=now)
    waiting = list(
        AuditReport.objects.filter(
            status=AuditReport.Status.QUEUED, created_at__lt=now - timedelta(minutes=1)
        ).values_list("pk", flat=True)[:100]
    )
    for report_id in waiting:
        _enqueue(report_id)
    return {"failed": failed, "requeued": len(waiting)}
