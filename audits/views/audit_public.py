"""The public side of the audit cycle: a town's page with its published audits, each audit's summary (the
report's content as a page) and its PDF. Audits that are not published do not exist for the public."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render

from portal.models import Municipality

from ..models import Audit, AuditReport
from ..report import report_context
from ..workflow import AuditPhase
from .audit_staff import _pdf


def _published(pk) -> Audit:
    return get_object_or_404(Audit.objects.select_related("municipality"), pk=pk, phase=AuditPhase.PUBLISHED)


def _latest_pdf(audit: Audit, language: str) -> AuditReport | None:
    done = AuditReport.objects.filter(audit=audit, status=AuditReport.Status.DONE)
    return (
        done.filter(language=language).order_by("-edition").first() or done.order_by("-finished_at").first()
    )


def town(request, pk):
    municipality = get_object_or_404(Municipality, pk=pk)
    audits = list(
        Audit.objects.filter(municipality=municipality, phase=AuditPhase.PUBLISHED)
        .prefetch_related("priorities")
        .order_by("-published_at")
    )
    return render(request, "audits/audit/town.html", {"town": municipality, "audits": audits})


def summary(request, pk):
    audit = _published(pk)
    context = report_context(audit=audit, language=request.LANGUAGE_CODE)
    return render(
        request, "audits/audit/public.html", {**context, "pdf": _latest_pdf(audit, request.LANGUAGE_CODE)}
    )


def pdf(request, pk, report_pk):
    audit = _published(pk)
    report = AuditReport.objects.filter(pk=report_pk, audit=audit, status=AuditReport.Status.DONE).first()
    if report is None:
        raise Http404
    return _pdf(report)
