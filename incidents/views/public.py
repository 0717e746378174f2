"""Pages of the citizen, who has no account: the landing page, the report form (with the nearby check and
the support button), the "submitted" page and the private tracking page.

Decisions belong to ``services.report_submit`` / ``services.report_support``; these views parse the request,
call them and render. The client's address is ``REMOTE_ADDR``: behind a reverse proxy it must be the
citizen's address, not the proxy's (see README, "Client addresses"); only a salted hash of it is stored.
"""

import hashlib
import logging
import secrets
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.gis.geos import Point
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.web import add_form_errors, error_messages

from .. import selectors, services
from ..forms import DATETIME_LOCAL, SERVICE_FIELDS, ReportForm
from ..models import Category, Report, Status
from ..workflow import TAKE_UP, TRANSITIONS, VERIFY

logger = logging.getLogger(__name__)

NONCE_SALT = "incidents.report-form"
NONCE_MAX_AGE = 7 * 24 * 3600  # a form left open for a week can still be sent
SUBMITTED_SESSION_KEY = "incidents_submitted"
NEARBY_SHOWN = 5

# Timeline entries that are not workflow actions (those take their public label from workflow.TRANSITIONS)
PUBLIC_EVENT_LABELS = {
    "submitted": gettext_lazy("The report was submitted."),
    "take_up_overdue": gettext_lazy("The deadline for taking the report up has passed."),
    "verify_overdue": gettext_lazy("The deadline for verifying the report has passed."),
}


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


# --- landing page ---------------------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "incidents/index.html", {"groups": _groups()})


def _groups() -> list[tuple[str, str, list[Category]]]:
    """[(group code, group label, [category, …]), …] for the icons and fieldsets, in the order the groups are
    declared (road first, "other" last). One query."""
    order = {code: number for number, code in enumerate(Category.Group.values)}
    groups = [(items[0].group, label, items) for label, items in selectors.categories_active_grouped()]
    return sorted(groups, key=lambda group: order.get(group[0], len(order)))


# --- the report form ------------------------------------------------------------------------------------


def _new_nonce() -> str:
    return signing.dumps(secrets.token_urlsafe(16), salt=NONCE_SALT)


def _nonce_key(nonce: str) -> uuid.UUID | None:
    """The report's submission key for a form this site issued (``Report.submission_key``), or None for a
    missing, forged or very old one."""
    try:
        signing.loads(nonce or "", salt=NONCE_SALT, max_age=NONCE_MAX_AGE)
    except signing.BadSignature:
        return None
    return uuid.UUID(hex=hashlib.sha256(nonce.encode()).hexdigest()[:32])


def _map_context() -> dict:
    """Where the form's map opens: the whole served area, whatever the interface language."""
    extent = selectors.served_extent_cached()
    return {
        "map_bounds": ",".join(f"{v:.5f}" for v in extent) if extent else "",
        "map_center": "{:.5f},{:.5f}".format(*settings.LEAFLET_CONFIG["DEFAULT_CENTER"]),
        "map_zoom": settings.LEAFLET_CONFIG["DEFAULT_ZOOM"],
        "tiles_url": settings.MAP_TILES_URL,
        "tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
    }


def _render_form(request: HttpRequest, form: ReportForm, *, files_lost: bool = False) -> HttpResponse:
    form.fields["occurred_at"].widget.attrs["max"] = timezone.localtime().strftime(DATETIME_LOCAL)
    context = {
        "form": form,
        "groups": _groups(),
        "selected_category": form["category"].value() or "",
        "place": form.place_values,
        "files_lost": files_lost and bool(form.errors),
        "description_max": services.MAX_DESCRIPTION,
        **_map_context(),
    }
    return render(request, "incidents/report_form.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _render_form(request, ReportForm(initial={"nonce": _new_nonce()}))

    # Forms that fail (invalid, refused, or crashing) are counted per client: after too many in an hour its
    # forms are refused before anything in them (files included) is processed.
    ip = _client_ip(request)
    refused_until = services.report_form_refusal(ip=ip)
    if refused_until is not None:
        return _render_limited(request, refused_until)
    try:
        response, failed = _report_post(request)
    except DatabaseError:
        raise  # the database's trouble (e.g. busy for too long), not the form's
    except Exception:
        services.report_form_failed(ip=ip)
        raise
    if failed:
        services.report_form_failed(ip=ip)
    return response


def _render_limited(request: HttpRequest, window: services.Window) -> HttpResponse:
    minutes = -(-window.reset_seconds // 60)  # rounded up
    response = render(request, "incidents/report_limited.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(window.reset_seconds)
    return response


def _report_post(request: HttpRequest) -> tuple[HttpResponse, bool]:
    """The report form sent: (the response, whether it failed)."""
    if request.POST.get("website"):
        # The honeypot was filled in: a robot. Pretend it worked, save nothing.
        logger.info("Report form honeypot filled in; nothing saved")
        request.session[SUBMITTED_SESSION_KEY] = {"honeypot": True}
        return redirect("incidents:report_submitted"), True

    key = _nonce_key(request.POST.get("nonce", ""))
    if selectors.report_filed_with(submission_key=key):
        return redirect("incidents:report_submitted"), False  # sent already (a double click, a resent form)

    form = ReportForm(request.POST, request.FILES)
    files_lost = bool(request.FILES.getlist("attachments"))
    if not form.is_valid():
        return _render_form(request, form, files_lost=files_lost), True
    if key is None:  # no nonce, or not one of ours: show the form again, with a fresh one
        data = request.POST.copy()
        data["nonce"] = _new_nonce()
        form = ReportForm(data, request.FILES)
        form.is_valid()
        form.add_error(None, _("This form has expired. Please check the details and send it again."))
        return _render_form(request, form, files_lost=files_lost), True

    data = form.cleaned_data
    category, point = data["category"], data["place"]
    if not data["nearby_seen"] and category.public:
        nearby = selectors.reports_nearby(category=category, point=point)
        if nearby:
            return _render_nearby(request, form, nearby, files_lost=files_lost), False

    try:
        report, token = services.report_submit(
            category=category,
            point=point,
            description=data["description"],
            occurred_at=data["occurred_at"],
            attachments=data["attachments"],
            reporter_email=data["reporter_email"],
            language=get_language(),
            ip=_client_ip(request),
            submission_key=key,
            reporter=request.user,
            route=data.get("place_route"),
            place_approximate=bool(data.get("place_approximate")),
        )
    except ValidationError as error:
        add_form_errors(form, error, fields=SERVICE_FIELDS)
        return _render_form(request, form, files_lost=files_lost), True
    if token is not None:  # None: an earlier request with this form filed the report and has its token
        # The token goes to the session (never into a URL before the citizen has seen it)
        request.session[SUBMITTED_SESSION_KEY] = {"token": token, "email": report.reporter_email}
        request.session.save()  # now, not after the response: a twin request may already show the page
    return redirect("incidents:report_submitted"), False


def _nearby_items(reports: list[Report], point) -> list[dict]:
    """What the public may know about a nearby report: never its description or its reporter."""
    return [
        {
            "reference": report.reference,
            "category": report.category.name,
            "status": report.status,
            "status_label": str(report.get_status_display()),
            "distance_m": round(selectors.haversine_m(point, report.point)),
            "created_at": report.created_at.isoformat(),
            "created": formats.date_format(timezone.localtime(report.created_at), "SHORT_DATE_FORMAT"),
            "support_count": report.support_count,
            "support_url": reverse("incidents:support", args=[report.reference]),
        }
        for report in reports[:NEARBY_SHOWN]
    ]


def _render_nearby(request: HttpRequest, form: ReportForm, nearby: list[Report], *, files_lost: bool):
    """The form's intermediate page without JavaScript: the open reports nearby, each with a support button,
    and the citizen's report carried along in hidden fields to be sent anyway."""
    skip = {"csrfmiddlewaretoken", "nearby_seen"}
    carried = [(name, value) for name, values in request.POST.lists() if name not in skip for value in values]
    context = {
        "form": form,
        "category": form.cleaned_data["category"],
        "items": _nearby_items(nearby, form.cleaned_data["place"]),
        "carried": carried,
        "files_lost": files_lost,
    }
    return render(request, "incidents/report_nearby.html", context)


@require_GET
def nearby(request: HttpRequest) -> JsonResponse:
    """For the form's map: is this place served, where is it, and which open reports of the chosen category
    are within ~150 m. Only what the public map may show; person-related categories list nothing."""
    try:
        lat, lon = float(request.GET.get("lat", "")), float(request.GET.get("lon", ""))
    except ValueError:
        return JsonResponse({"error": _("Give the place as lat and lon.")}, status=400)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return JsonResponse({"error": _("These coordinates are not a place on Earth.")}, status=400)
    point = Point(lon, lat, srid=4326)
    route = selectors.report_route(point=point)
    category = selectors.category_by_code(code=request.GET.get("category", ""), active_only=True)
    items = []
    if route.served and category is not None and category.public:
        items = _nearby_items(selectors.reports_nearby(category=category, point=point), point)
    html = (
        render_to_string("incidents/_nearby_list.html", {"items": items, "in_form": True}, request=request)
        if items
        else ""
    )
    response = JsonResponse(
        {
            "served": route.served,
            "municipality": route.municipality.name if route.municipality else "",
            "district": route.district.name if route.district else "",
            "reports": items,
            "html": html,
        }
    )
    response["Cache-Control"] = "private, max-age=30"
    return response


@require_GET
@cache_control(public=True, max_age=300)
def places(request: HttpRequest) -> JsonResponse:
    """ "Find a place" on the form's map: served municipalities and districts by name, with a point inside."""
    return JsonResponse({"places": selectors.places_search(query=request.GET.get("q", ""))})


@require_POST
def support(request: HttpRequest, reference: str) -> HttpResponse:
    """ "I see it too": add the citizen's support to an open report instead of filing a duplicate."""
    report = selectors.public_report_by_reference(reference=reference)
    if report is None:
        raise Http404
    try:
        # The report form's email (the support buttons are in that form), or the support form's own field
        email = request.POST.get("supporter_email") or request.POST.get("reporter_email") or ""
        added = services.report_support(
            report=report, ip=_client_ip(request), email=email, language=get_language()
        )
    except ValidationError as error:
        messages.error(request, " ".join(error_messages(error)))
        return redirect("incidents:index")
    if added:
        messages.success(
            request,
            _(
                "Thank you. Your support was added to report %(reference)s; the police see how many people "
                "reported the problem."
            )
            % {"reference": report.reference},
        )
    else:
        messages.info(
            request,
            _("You have already supported report %(reference)s. Thank you.")
            % {"reference": report.reference},
        )
    if email:
        messages.info(
            request,
            _("We will email you at %(email)s when the status of report %(reference)s changes.")
            % {"email": email, "reference": report.reference},
        )
    return redirect("incidents:index")


# --- after submitting -----------------------------------------------------------------------------------


@never_cache
@require_GET
def report_submitted(request: HttpRequest) -> HttpResponse:
    """The reference and the private tracking link, shown once: a reload shows them no more."""
    ticket = request.session.pop(SUBMITTED_SESSION_KEY, None) or {}
    context = {"report": None, "honeypot": bool(ticket.get("honeypot"))}
    if ticket.get("token"):
        report = selectors.report_by_token(ticket["token"])
        if report is not None:
            context.update(
                report=report,
                tracking_url=request.build_absolute_uri(reverse("incidents:track", args=[ticket["token"]])),
                email=ticket.get("email", ""),
                verify_days=round(report.category.verify_hours / 24),
            )
    response = render(request, "incidents/report_submitted.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


# --- tracking -------------------------------------------------------------------------------------------


def _deadline(due, done, *, open_now: bool, now) -> str:
    """met | late | overdue | pending | stopped (the clock stopped undone: a withdrawn report) | none"""
    if due is None:
        return "none"
    if done is not None:
        return "met" if done <= due else "late"
    if not open_now:
        return "stopped"
    return "overdue" if now > due else "pending"


@never_cache
@require_GET
def track(request: HttpRequest, token: str) -> HttpResponse:
    report = selectors.report_by_token(token) if 16 <= len(token) <= 64 else None
    if report is None:
        raise Http404
    return render_track(request, report, withdraw_url=reverse("incidents:track_withdraw", args=[token]))


def render_track(request: HttpRequest, report: Report, *, withdraw_url: str) -> HttpResponse:
    """The private tracking page, opened by the token link or by a signed link (``views.follow``)."""
    now = timezone.now()
    timeline = []
    events = list(selectors.report_timeline(report=report, public=True))
    bodies = selectors.partner_body_names({(e.data or {}).get("by_partner_body") for e in events} - {None})
    for event in events:
        transition = TRANSITIONS.get(event.action)
        text = transition.public_label if transition else PUBLIC_EVENT_LABELS.get(event.action)
        if text is None:
            continue
        who = _("you") if event.action == "submitted" else getattr(transition, "public_actor", "")
        who = bodies.get((event.data or {}).get("by_partner_body"), who)  # "resolved by <the body>"
        timeline.append(
            {
                "at": event.at,
                "action": event.action,
                "text": text,
                "who": who,
                "answer": event.public_answer,
                "status": event.to_status if event.to_status != event.from_status else "",
                "status_label": Status(event.to_status).label if event.to_status in Status.values else "",
            }
        )
    context = {
        "report": report,
        "timeline": timeline,
        "take_up": _deadline(
            report.take_up_due_at, report.taken_up_at, open_now=report.status in TAKE_UP.states, now=now
        ),
        "verify": _deadline(
            report.verify_due_at, report.verified_at, open_now=report.status in VERIFY.states, now=now
        ),
        "verify_days": round(report.category.verify_hours / 24),
        "may_withdraw": report.status in TRANSITIONS["withdraw"].sources,
        "withdraw_url": withdraw_url,
        "tiles_url": settings.MAP_TILES_URL,
        "tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
    }
    response = render(request, "incidents/track.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def track_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """The reporter withdraws a report not yet taken up: a confirmation page, then a POST (no script)."""
    report = selectors.report_by_token(token) if 16 <= len(token) <= 64 else None
    if report is None:
        raise Http404
    return withdraw_page(request, report, track_url=reverse("incidents:track", args=[token]))


def withdraw_page(request: HttpRequest, report: Report, *, track_url: str) -> HttpResponse:
    """Withdrawing, from the token link or a signed link: holding either authorizes (``services``)."""
    if request.method == "POST":
        try:
            services.report_withdraw(report=report)
        except ValidationError as error:
            for message in error_messages(error):
                messages.error(request, message)
        else:
            messages.success(request, _("Your report was withdrawn. The police will not deal with it."))
        return redirect(track_url)
    if report.status not in TRANSITIONS["withdraw"].sources:
        messages.error(request, services.WITHDRAW_TOO_LATE)
        return redirect(track_url)
    response = render(request, "incidents/track_withdraw.html", {"report": report, "track_url": track_url})
    response["X-Robots-Tag"] = "noindex"
    return response
