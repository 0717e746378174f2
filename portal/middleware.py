"""A write that still finds the SpatiaLite file locked answers a "try again" page, never a traceback.

With WAL, IMMEDIATE transactions and a busy timeout (portal/settings.py) a writer waits for its turn; only a
lock held longer than the timeout still ends in ``OperationalError: database is locked``. The view's
transaction is rolled back then, so nothing is half-written. This middleware catches that one error for every
view of every app (rather than each form handling it) and answers 503 in the site's layout with a form that
holds what the person sent: "Try again" posts it unchanged to the same address, where the view validates and
saves it as usual. Passwords and files are not put back into the page: the page says so.

RequestBodyLimitMiddleware (below) refuses a request body over MAX_REQUEST_BODY before it is read.
"""

import logging

from django.conf import settings
from django.db.utils import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
NOT_KEPT = ("csrfmiddlewaretoken",)
# The names of the site's submit buttons: kept (the view needs to know which was pressed), not shown as typed.
BUTTONS = {"action", "submit", "save", "publish", "build", "cancel", "undo"}


def database_is_busy(exception: BaseException) -> bool:
    return isinstance(exception, OperationalError) and "database is locked" in str(exception)


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_is_busy(exception):
            return None
        logger.warning("Database busy on %s %s: answered 503 (try again)", request.method, request.path)
        fields, passwords_dropped = [], False
        if request.method == "POST":
            for name in request.POST:
                if name in NOT_KEPT:
                    continue
                if "password" in name:
                    passwords_dropped = True
                    continue
                fields += [(name, value) for value in request.POST.getlist(name)]
        response = render(
            request,
            "portal/database_busy.html",
            {
                "fields": fields,
                "typed": [value for name, value in fields if value.strip() and name not in BUTTONS],
                "passwords_dropped": passwords_dropped,
                "files_dropped": request.method == "POST" and bool(request.FILES),
                "retry_after": RETRY_AFTER_SECONDS,
            },
            status=503,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


class RequestBodyLimitMiddleware:
    """A request whose body is larger than ``settings.MAX_REQUEST_BODY`` gets a 413 page before any of it is
    read: Django's DATA_UPLOAD_MAX_MEMORY_SIZE does not count files, so a 60 MB upload would otherwise be
    written to a temporary file first, then refused by the form.

    The declared Content-Length is all that is needed: Django reads no more than it (``LimitedStream``), and
    nothing at all of a body sent without one (chunked), so neither can bring in more than the cap. Gunicorn
    has no limit of its own on a body; a proxy in front should refuse it too (README: deployment)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.MAX_REQUEST_BODY
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0  # Django reads no body then
        if not limit or declared <= limit:
            return self.get_response(request)
        logger.warning(
            "Request body of %d bytes on %s %s refused (MAX_REQUEST_BODY %d)",
            declared,
            request.method,
            request.path,
            limit,
        )
        response = render(
            request,
            "portal/request_too_large.html",
            {"limit": limit},
            status=413,
        )
        response["Cache-Control"] = "no-store"
        return response
