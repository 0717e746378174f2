"""Pages for citizens who follow reports: the signed tracking link of the status emails (the same page as
the token link), look-up by reference and email, a supporter's unsubscribe link, and "My reports".

Every private link here (``/reports/follow/…``, ``/reports/unsubscribe/…``) is kept out of the logs by
``portal.logs``."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .. import follow, selectors
from .public import _client_ip, render_track, withdraw_page


def _report_by_link(signed: str):
    report = selectors.report_by_link(signed)
    if report is None:
        raise Http404
    return report


@never_cache
@require_http_methods(["GET"])
def track_link(request: HttpRequest, signed: str) -> HttpResponse:
    """The tracking page by a signed link (status emails, look-up, "My reports")."""
    report = _report_by_link(signed)
    return render_track(request, report, withdraw_url=reverse("incidents:track_link_withdraw", args=[signed]))


@never_cache
@require_http_methods(["GET", "POST"])
def track_link_withdraw(request: HttpRequest, signed: str) -> HttpResponse:
    report = _report_by_link(signed)
    return withdraw_page(request, report, track_url=reverse("incidents:track_link", args=[signed]))


class LookupForm(forms.Form):
    reference = forms.CharField(label=gettext_lazy("Reference"), max_length=12, strip=True)
    email = forms.EmailField(label=gettext_lazy("The email you gave in the report"), max_length=254)


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """ "Find my report": the same answer whether or not the reference and the email match; on a match the
    link goes to that address (never onto the page), so nobody learns which reports exist or who sent them."""
    form = LookupForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        allowed = follow.report_lookup(
            reference=form.cleaned_data["reference"],
            email=form.cleaned_data["email"],
            ip=_client_ip(request),
            language=get_language(),
        )
        if not allowed:
            response = render(request, "incidents/lookup.html", {"form": form, "limited": True}, status=429)
            response["Retry-After"] = "3600"
            return response
        sent = True
        form = LookupForm()
    response = render(request, "incidents/lookup.html", {"form": form, "sent": sent})
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, signed: str) -> HttpResponse:
    """A supporter stops the status emails: a confirmation page, then a POST (mail scanners open links)."""
    support = selectors.support_by_unsubscribe(signed)
    if support is None:
        raise Http404
    done = False
    if request.method == "POST":
        follow.support_unsubscribe(signed=signed)
        done = True
    context = {"reference": support.report.reference, "done": done or not support.email}
    response = render(request, "incidents/unsubscribe.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@never_cache
@login_required
@require_http_methods(["GET"])
def my_reports(request: HttpRequest) -> HttpResponse:
    page = selectors.my_reports_page(request.user)
    rows = [
        (report, reverse("incidents:track_link", args=[selectors.tracking_link_path_arg(report)]))
        for report in page["reports"]
    ]
    return render(request, "incidents/my_reports.html", {"rows": rows, "claimable": page["claimable"]})


@login_required
@require_POST
def my_reports_claim(request: HttpRequest) -> HttpResponse:
    claimed = follow.reports_claim(user=request.user)
    if claimed:
        messages.success(request, _("The reports sent from your addresses are now among your reports."))
    return redirect("incidents:my_reports")
