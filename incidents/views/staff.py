"""Pages of the police and the partner bodies: the queue, the report page with its workflow actions, the
attachments, the coordinator dashboard and the exports of the filtered queue.

A report the user may not see answers 404, exactly like one that does not exist: the pages never reveal
which reports exist."""

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal.exports import Table, csv_response
from portal.web import add_form_errors, error_messages, safe_next

from .. import selectors, services
from ..models import Report, Status
from ..staff_forms import ActionForm, BulkTakeUpForm, DashboardFilterForm, QueueFilterForm
from ..workflow import REPORT, TRANSITIONS

PAGE_SIZE = 25
BULK_ACTION = "take_up"  # what the queue's checkboxes do

# Timeline entries that are not workflow actions (those take their label from workflow.TRANSITIONS)
EVENT_LABELS = {
    "submitted": gettext_lazy("Submitted by the citizen"),
    "supported": gettext_lazy("Another citizen supported the report"),
    "take_up_overdue": gettext_lazy("Take-up deadline missed"),
    "verify_overdue": gettext_lazy("Verification deadline missed"),
    "take_up_reminder": gettext_lazy("Reminder: the take-up deadline is near"),
    "verify_reminder": gettext_lazy("Reminder: the verification deadline is near"),
    "partner_resolve_overdue": gettext_lazy("The partner body's deadline missed"),
    "partner_resolve_reminder": gettext_lazy("Reminder: the partner body's deadline is near"),
}


def _event_label(action: str) -> str:
    if action in TRANSITIONS:
        return TRANSITIONS[action].label
    return EVENT_LABELS.get(action, action)


def _require(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _report_or_404(request: HttpRequest, pk: int) -> Report:
    report = selectors.staff_report(pk=pk)
    if report is None or not request.user.has_perm("incidents.view_report", report):
        raise Http404
    return report


def _deadline(report: Report, now) -> dict | None:
    """The deadline the report is waiting for, as the queue and the report page show it."""
    return REPORT.current_deadline(report, now=now)


# --- the queue ------------------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _require(request, "incidents.view_queue")
    form = QueueFilterForm(request.GET or None, user=request.user)
    reports = selectors.staff_queue(request.user, **form.filters()).select_related("assignee__profile")
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    police = request.user.has_perm("incidents.take_up_in_bulk")
    bulk = REPORT.transition(BULK_ACTION)
    for report in page.object_list:
        report.deadline = _deadline(report, now)
        report.selectable = police and report.status in bulk.sources
    context = {
        "form": form,
        "page": page,
        "police": police,
        "can_export": request.user.has_perm("incidents.export_reports"),
        "can_dashboard": request.user.has_perm("incidents.view_unit_dashboard"),
        "filter_query": _filter_query(request),
    }
    return render(request, "incidents/staff_queue.html", context)


def _filter_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _back(request: HttpRequest, value: str | None) -> str:
    """Where to go after a bulk action: the queue page it was sent from (if it is ours), else the queue."""
    return safe_next(request, value, reverse("incidents:staff_queue"))


@login_required
@require_POST
def bulk_take_up(request: HttpRequest) -> HttpResponse:
    """Take up the ticked reports, each through the workflow service; say which succeeded and which not."""
    _require(request, "incidents.view_queue")
    form = BulkTakeUpForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("report", []):
            messages.error(request, error)
        return redirect(_back(request, request.POST.get("next")))
    ids = form.cleaned_data["report"]
    visible = selectors.reports_for_staff(request.user).select_related("category").filter(pk__in=ids)
    reports = {report.pk: report for report in visible}
    done, failed = [], []
    for pk in ids:
        report = reports.get(pk)
        if report is None:
            failed.append(_("Report no. %(id)s: not found among your reports.") % {"id": pk})
            continue
        try:
            services.report_transition(report=report, action=BULK_ACTION, actor=request.user)
        except (ValidationError, PermissionDenied) as exc:
            reason = " ".join(error_messages(exc)) if isinstance(exc, ValidationError) else str(exc)
            failed.append(f"{report.reference}: {reason}")
        else:
            done.append(report.reference)
    if done:
        messages.success(
            request,
            _("Taken up (%(count)d): %(references)s.") % {"count": len(done), "references": ", ".join(done)},
        )
    for message in failed:
        messages.error(request, _("Not taken up – %(reason)s") % {"reason": message})
    return redirect(_back(request, form.cleaned_data.get("next")))


# --- the report page ------------------------------------------------------------------------------------


def _render_report(
    request: HttpRequest, report: Report, *, failed_form: ActionForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    police = user.has_perm("incidents.act_on_report", report)
    profile = getattr(user, "profile", None)
    timeline = selectors.staff_timeline(
        report=report, police=police, partner_body_id=getattr(profile, "partner_body_id", None)
    )
    status_labels = dict(Status.choices)
    for event in timeline:
        event.label = _event_label(event.action)
        event.from_label = status_labels.get(event.from_status, event.from_status)
        event.to_label = status_labels.get(event.to_status, event.to_status)
        event.actor_name = selectors.person_name(event.actor) if event.actor_id else ""
    forms, lost = [], None
    for transition in REPORT.available(report, user):
        if failed_form is not None and failed_form.transition.name == transition.name:
            forms.append(failed_form)
        else:
            forms.append(ActionForm(transition=transition, report=report))
    if failed_form is not None and failed_form not in forms:
        # The action is no longer possible (someone else changed the report): keep what was typed visible
        lost = {
            "public_answer": failed_form.data.get(failed_form.add_prefix("public_answer"), ""),
            "internal_note": failed_form.data.get(failed_form.add_prefix("internal_note"), ""),
        }
    context = {
        "report": report,
        "police": police,
        "deadline": _deadline(report, timezone.now()),
        "attachments": list(report.attachments.all()),
        "timeline": timeline,
        "forms": forms,
        "failed_form": failed_form,
        "lost": lost if lost and any(lost.values()) else None,
        "tiles_url": settings.MAP_TILES_URL,
        "tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
    }
    return render(request, "incidents/staff_report.html", context, status=status)


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_report(request, _report_or_404(request, pk))


@login_required
@require_POST
def report_act(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report_or_404(request, pk)
    transition = TRANSITIONS.get(request.POST.get("action", ""))
    if transition is None:
        messages.error(request, _("Unknown action."))
        return redirect("incidents:staff_report", pk=report.pk)
    form = ActionForm(request.POST, transition=transition, report=report)
    status = 200
    if form.is_valid():
        try:
            services.report_transition(report=report, actor=request.user, **form.service_kwargs())
        except ValidationError as exc:
            add_form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not do this with this report."))
            status = 403
        else:
            done = {"action": transition.label, "reference": report.reference}
            messages.success(request, _("Done: %(action)s (report %(reference)s).") % done)
            return redirect("incidents:staff_report", pk=report.pk)
    # Show the report as it is now, with what was typed and why it was not saved. The form is rendered with
    # the current version: the user has now seen the current state and may decide again.
    fresh = selectors.staff_report(pk=report.pk)
    data = request.POST.copy()
    data[form.add_prefix("version")] = str(fresh.version)
    form.data = data
    return _render_report(request, fresh, failed_form=form, status=status)


@never_cache
@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """A report's photo or PDF, for those who may see the report. Photos inline, anything else downloaded.

    ``?size=thumb``: the photo's small JPEG (made now if the photo was stored before thumbnails were made at
    upload); a document has none (404)."""
    item = selectors.staff_attachment(pk=pk)
    if item is None or not request.user.has_perm("incidents.view_report", item.report):
        raise Http404
    if request.GET.get("size") == "thumb":
        return _thumbnail(item)
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    inline = item.content_type in ("image/jpeg", "image/png")
    known = inline or item.content_type == "application/pdf"
    response = FileResponse(
        handle,
        content_type=item.content_type if known else "application/octet-stream",
        as_attachment=not inline,
        filename=item.original_name or f"attachment-{item.pk}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _protected(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _thumbnail(item) -> HttpResponse:
    if not services.attachment_thumbnail_ensure(attachment=item):
        raise Http404
    try:
        handle = item.thumbnail.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    stem = (item.original_name or f"attachment-{item.pk}").rsplit(".", 1)[0]
    return _protected(FileResponse(handle, content_type="image/jpeg", filename=f"{stem}-thumb.jpg"))


# --- the coordinator dashboard --------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    _require(request, "incidents.view_unit_dashboard")
    form = DashboardFilterForm(request.GET or None)
    since, until = form.period_bounds()
    unit = getattr(getattr(request.user, "profile", None), "police_unit", None)
    units = []
    if request.user.is_superuser:
        units = selectors.police_units()
        chosen = request.GET.get("unit", "")
        unit = next((u for u in units if str(u.pk) == chosen), unit or (units[0] if units else None))
    data = selectors.unit_dashboard(police_unit=unit, since=since, until=until) if unit else None
    context = {
        "form": form,
        "unit": unit,
        "units": units,
        "data": data,
        "since": since,
        "until_inclusive": until - timedelta(days=1),
    }
    return render(request, "incidents/staff_dashboard.html", context)


# --- exports of the filtered queue ----------------------------------------------------------------------


def _export_reports(request: HttpRequest):
    _require(request, "incidents.export_reports")
    form = QueueFilterForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return None  # never export more than was asked for
    return (
        selectors.staff_queue(request.user, **form.filters())
        .select_related("assignee__profile", "partner_body")
        .iterator(chunk_size=2000)
    )


def _export_fields(report: Report) -> dict:
    """A report's exported values (datetimes as they are: each format writes them its own way)."""
    return {
        "reference": report.reference,
        "submitted": report.created_at,
        "category": report.category.code,
        "category_name": str(report.category.name),
        "status": report.status,
        "status_name": str(report.get_status_display()),
        "district": report.district.name if report.district_id else "",
        "municipality": report.municipality.name if report.municipality_id else "",
        "officer": selectors.person_name(report.assignee) if report.assignee_id else "",
        "take_up_due": report.take_up_due_at,
        "taken_up": report.taken_up_at,
        "verify_due": report.verify_due_at,
        "verified": report.verified_at,
        "closed": report.closed_at,
        "take_up_overdue": report.take_up_overdue,
        "verify_overdue": report.verify_overdue,
        "supports": report.support_count,
        "partner_body": report.partner_body.name if report.partner_body_id else "",
        "description": report.description,
        "public_answer": report.public_answer,
        "url": selectors.staff_url(report),
    }


EXPORT_COLUMNS = [
    ("reference", gettext_lazy("Reference")),
    ("submitted", gettext_lazy("Submitted")),
    ("category", gettext_lazy("Category code")),
    ("category_name", gettext_lazy("Category")),
    ("status", gettext_lazy("Status code")),
    ("status_name", gettext_lazy("Status")),
    ("district", gettext_lazy("District")),
    ("municipality", gettext_lazy("Municipality")),
    ("officer", gettext_lazy("Officer")),
    ("latitude", gettext_lazy("Latitude")),
    ("longitude", gettext_lazy("Longitude")),
    ("take_up_due", gettext_lazy("Take up by")),
    ("taken_up", gettext_lazy("Taken up")),
    ("verify_due", gettext_lazy("Verify by")),
    ("verified", gettext_lazy("Verified")),
    ("closed", gettext_lazy("Closed")),
    ("take_up_overdue", gettext_lazy("Take-up overdue")),
    ("verify_overdue", gettext_lazy("Verification overdue")),
    ("supports", gettext_lazy("Supports")),
    ("partner_body", gettext_lazy("Partner body")),
    ("description", gettext_lazy("Description")),
    ("public_answer", gettext_lazy("Public answer")),
    ("url", gettext_lazy("Link")),
]


def _bad_filters() -> HttpResponse:
    return HttpResponseBadRequest(
        _("The filters were not understood. Go back to the queue and choose them again."),
        content_type="text/plain; charset=utf-8",
    )


def _filename() -> str:
    return f"reports-{timezone.localdate():%Y-%m-%d}"


def _csv_rows(reports) -> Iterator[list]:
    for report in reports:
        fields = _export_fields(report)
        fields["latitude"], fields["longitude"] = round(report.point.y, 6), round(report.point.x, 6)
        yield [fields[key] for key, _label in EXPORT_COLUMNS]


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    """The filtered queue as a spreadsheet (``portal.exports``: streamed row by row, formula-safe)."""
    reports = _export_reports(request)
    if reports is None:
        return _bad_filters()
    header = [str(label) for _key, label in EXPORT_COLUMNS]
    return csv_response(Table(name=_filename(), header=header, rows=_csv_rows(reports)), streaming=True)


def _json_value(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    return "" if value is None else value


@login_required
@require_GET
def export_geojson(request: HttpRequest) -> HttpResponse:
    reports = _export_reports(request)
    if reports is None:
        return _bad_filters()

    def chunks() -> Iterator[str]:
        yield '{"type": "FeatureCollection", "features": ['
        for index, report in enumerate(reports):
            feature = {
                "type": "Feature",
                "id": report.reference,
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(report.point.x, 6), round(report.point.y, 6)],
                },
                "properties": {key: _json_value(value) for key, value in _export_fields(report).items()},
            }
            yield ("," if index else "") + json.dumps(feature, ensure_ascii=False)
        yield "]}"

    response = StreamingHttpResponse(chunks(), content_type="application/geo+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename()}.geojson"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
