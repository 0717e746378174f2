"""The error pages (403, 404, 500) in the site's layout and the visitor's language, each with the way on.

The 500 page must render when the database or the request is what failed: it is rendered without the
request's context processors (no session, user or navigation read), and falls back to a plain page if even
that fails.
"""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import get_language

from .roles import role_names, work_url_name

logger = logging.getLogger(__name__)

_FALLBACK_500 = (
    '<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>Okrsek</title></head>'
    '<body><h1>500</h1><p><a href="/">Okrsek</a></p></body></html>'
)


def _way_on(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    authenticated = getattr(user, "is_authenticated", False)
    return {
        "authenticated": authenticated,
        "has_roles": bool(role_names(user)) if authenticated else False,
        "work_url_name": work_url_name(user) if authenticated else "portal:home",
        "here": request.get_full_path(),
    }


def error_403(request: HttpRequest, exception=None) -> HttpResponse:
    """The refusal's own reason (the services' PermissionDenied messages are translated sentences for the
    person) above the way on."""
    reason = str(exception) if exception is not None and exception.args else ""
    return render(request, "403.html", {**_way_on(request), "reason": reason}, status=403)


def error_404(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", _way_on(request), status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    try:
        body = loader.get_template("500.html").render(
            {"static_safe": True, "map_data_attribution": settings.MAP_DATA_ATTRIBUTION}
        )
    except Exception:  # the error page itself must never fail
        logger.exception("The 500 page could not be rendered; serving the plain fallback")
        body = _FALLBACK_500.format(lang=get_language() or "cs")
    return HttpResponseServerError(body)
