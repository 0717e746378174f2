"""Area alert pages: subscribe (no account needed; prefilled for a logged-in user), confirm, one-click
unsubscribe (RFC 8058: a mail client POSTs without a CSRF token) and "my alerts" by a signed link."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from portal.confirm import confirm_page, confirmed
from portal.web import add_form_errors

from ..models import Alert
from ..selectors import served_extent_cached
from . import selectors, services, warnings
from .forms import AlertForm, SubscribeForm, WarningForm

AREA_FIELDS = {"center": "lat", "radius_m": "radius_custom"}


def _initial(request: HttpRequest) -> dict:
    initial = {}
    if request.user.is_authenticated:
        initial["email"] = request.user.email
    for name in ("district", "municipality", "lat", "lon"):
        if request.GET.get(name):
            initial[name] = request.GET[name]
    if request.GET.get("district"):
        initial["kind"] = Alert.Kind.DISTRICT
    elif request.GET.get("municipality"):
        initial["kind"] = Alert.Kind.MUNICIPALITY
    return initial


@never_cache
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    form = SubscribeForm(request.POST or None, initial=_initial(request))
    limited = False
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.alert_subscribe(
                email=form.cleaned_data["email"],
                language=get_language(),
                ip=request.META.get("REMOTE_ADDR", ""),
                **form.alert_input(),
            )
        except services.ValidationError as exc:
            add_form_errors(form, exc, fields=AREA_FIELDS)
        else:
            if outcome is services.Outcome.SENT:
                return redirect("incidents:alerts_sent")
            limited = True
    return render(
        request, "incidents/alerts/subscribe.html", {"form": form, "limited": limited, **_map_context()}
    )


def _map_context() -> dict:
    """Where the map picker opens (the served area) and its tiles."""
    extent = served_extent_cached()
    return {
        "map_bounds": ",".join(f"{v:.5f}" for v in extent) if extent else "",
        "tiles_url": settings.MAP_TILES_URL,
        "tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
        "radius_max": services.RADIUS_MAX_M,
        "radius_min": services.RADIUS_MIN_M,
    }


@require_http_methods(["GET"])
def sent(request: HttpRequest) -> HttpResponse:
    return render(request, "incidents/alerts/sent.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (link scanners open links too), POST starts the alert."""
    alert = selectors.alert_by_token(token)
    if alert is None:
        raise Http404
    if request.method == "POST":
        services.alert_confirm(token=token)
        return redirect("incidents:alerts_manage", selectors.manage_path_arg(alert.email))
    return render(request, "incidents/alerts/confirm.html", {"alert": alert})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks; POST (the page's button, or a mail client's RFC 8058 one-click POST) deletes the alert.
    An unknown or used link says the same as a successful one: nothing to tell about an address."""
    if request.method == "POST":
        services.alert_unsubscribe(token=token)
        return render(request, "incidents/alerts/unsubscribe.html", {"done": True})
    if selectors.alert_by_token(token) is None:
        return render(request, "incidents/alerts/unsubscribe.html", {"done": True})
    return render(request, "incidents/alerts/unsubscribe.html", {"done": False})


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def stop_digest(request: HttpRequest, signed: str) -> HttpResponse:
    """A digest's one-click unsubscribe (RFC 8058): POST stops every alert of the address in that digest."""
    if selectors.digest_by_stop(signed) is None:
        raise Http404
    if request.method == "POST":
        services.alerts_stop_digest(signed=signed)
        return render(request, "incidents/alerts/unsubscribe.html", {"done": True})
    return render(request, "incidents/alerts/unsubscribe.html", {"done": False})


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, signed: str) -> HttpResponse:
    """The address's alerts by the signed link of every alert email: change how often, or delete."""
    email = selectors.email_by_manage(signed)
    if email is None:
        raise Http404
    alerts = list(selectors.alerts_of(email))
    if request.method == "POST":
        alert = next((a for a in alerts if str(a.pk) == request.POST.get("alert", "")), None)
        if alert is None:
            raise Http404
        if request.POST.get("action") == "delete":
            if not confirmed(request):  # a second step, as every destructive action
                return confirm_page(
                    request,
                    question=_("Stop the alert for %(area)s?") % {"area": _alert_area(alert)},
                    explanation=_("You will get no more emails from it. You can add it again at any time."),
                    yes=_("Yes, stop the alert"),
                    no=_("No, keep it"),
                    back=reverse("incidents:alerts_manage", args=[signed]),
                    fields=[("alert", str(alert.pk)), ("action", "delete")],
                )
            services.alert_delete(alert=alert)
            messages.success(request, _("The alert was deleted."))
        else:
            try:
                services.alert_change(
                    alert=alert,
                    frequency=request.POST.get("frequency", ""),
                    warnings=request.POST.get("warnings") == "on",
                )
            except services.ValidationError:
                messages.error(request, _("Choose how often to get emails."))
            else:
                messages.success(request, _("The alert was changed."))
        return redirect(reverse("incidents:alerts_manage", args=[signed]))
    return render(
        request,
        "incidents/alerts/manage.html",
        {"alerts": alerts, "email": email, "frequencies": Alert.Frequency.choices, "signed": signed},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def manage_change(request: HttpRequest, signed: str, pk: int) -> HttpResponse:
    """Change one alert of the address (area, categories, events, how often) by the signed link: checked as
    when subscribing; on an error the page shows what was typed and the alert stays as it was."""
    email = selectors.email_by_manage(signed)
    alert = selectors.alert_of(email, pk) if email else None
    if alert is None:
        raise Http404
    form = AlertForm(request.POST or None, initial=AlertForm.initial_of(alert))
    if request.method == "POST" and form.is_valid():
        try:
            services.alert_update(alert=alert, **form.alert_input())
        except services.ValidationError as exc:
            add_form_errors(form, exc, fields=AREA_FIELDS)
        else:
            messages.success(request, _("The alert was changed."))
            return redirect(reverse("incidents:alerts_manage", args=[signed]))
    return render(
        request,
        "incidents/alerts/change.html",
        {
            "form": form,
            "alert": alert,
            "back": reverse("incidents:alerts_manage", args=[signed]),
            **_map_context(),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def staff_warnings(request: HttpRequest) -> HttpResponse:
    """A coordinator or a town's staff writes a warning; another person of the same unit or town reviews it.
    The services decide who may (a refusal is shown, nothing is written)."""
    if not request.user.has_perm("incidents.write_warnings"):
        raise PermissionDenied
    form = WarningForm(request.POST if request.POST.get("action") == "create" else None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "create":
                if form.is_valid():
                    data = form.cleaned_data
                    warnings.warning_create(
                        actor=request.user,
                        title=data["title"],
                        text=data["text"],
                        valid_until=data["valid_until"],
                        district=data.get("district"),
                        municipality=data.get("municipality"),
                        category_groups=data["category_groups"],
                    )
                    messages.success(request, _("The warning waits for a second person's review."))
                    return redirect("incidents:staff_warnings")
            else:
                warning = (
                    warnings.warnings_to_review(request.user).filter(pk=request.POST.get("warning")).first()
                )
                if warning is None:
                    raise Http404
                warnings.warning_review(
                    actor=request.user, warning=warning, approve=request.POST.get("action") == "approve"
                )
                messages.success(request, _("The warning was reviewed."))
                return redirect("incidents:staff_warnings")
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not do this."))
        except services.ValidationError as exc:
            add_form_errors(form, exc)
    return render(
        request,
        "incidents/alerts/staff_warnings.html",
        {"form": form, "to_review": list(warnings.warnings_to_review(request.user))},
    )


def _alert_area(alert: Alert) -> str:
    """The alert's area as the "my alerts" page names it."""
    if alert.district_id:
        return alert.district.name
    if alert.municipality_id:
        return alert.municipality.name
    if alert.radius_m:
        return _("%(radius)s m around a point") % {"radius": alert.radius_m}
    return str(alert.get_kind_display())
