"""Small web helpers every app's views share: service errors on forms, safe redirects, absolute URLs."""

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def error_messages(exc: ValidationError) -> list[str]:
    """A service's ValidationError as a flat list of messages."""
    if hasattr(exc, "error_dict"):
        return [str(message) for messages in exc.message_dict.values() for message in messages]
    return [str(message) for message in exc.messages]


def add_form_errors(form, exc: ValidationError, *, fields: Mapping[str, str] | None = None) -> None:
    """Show a service's ValidationError on ``form``: each message at the field it names (``fields`` maps a
    service's name to the form's, e.g. "point" → "latitude"), else at the top of the form."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, messages in exc.message_dict.items():
        name = (fields or {}).get(key, key)
        for message in messages:
            form.add_error(name if name in form.fields else None, message)


def safe_next(request, value: str | None, fallback: str) -> str:
    """``value`` if it is a URL on this site (no other host, no ``//evil``, no ``/\\evil``), else
    ``fallback``."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return fallback


def redirect_next(request, fallback: str, *, field: str = "next"):
    """Redirect to the ``next`` the form sent, if it is safe, else to ``fallback`` (a URL or URL name)."""
    target = request.POST.get(field) or request.GET.get(field)
    if "/" not in fallback:
        fallback = reverse(fallback)
    return redirect(safe_next(request, target, fallback))


def absolute_url(path: str) -> str:
    """``path`` on the public site address (``SITE_URL``): for emails, feeds and the API."""
    return settings.SITE_URL + path


def absolute_reverse(name: str, *args, **kwargs) -> str:
    return absolute_url(reverse(name, args=args or None, kwargs=kwargs or None))
