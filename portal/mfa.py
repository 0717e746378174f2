"""The second factor for staff (allauth.mfa: TOTP and recovery codes).

A user with a role in ``settings.MFA_REQUIRED_ROLES`` (officers, coordinators, partner bodies, programme
managers, commission members) — and a superuser when ``settings.MFA_REQUIRED_SUPERUSER`` — who has not set up
an authenticator app is sent to the setup page before any page other than the account pages. With an app set
up, allauth asks for its code at every login (also for /admin/, which logs in through allauth).
"""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .roles import role_names

# Paths a user without a second factor may still open: the account pages (login, logout, the setup itself,
# password), the language switch, static files and the health check.
_OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz")


def mfa_enforced() -> bool:
    return bool(getattr(settings, "MFA_REQUIRED_ROLES", ())) or getattr(
        settings, "MFA_REQUIRED_SUPERUSER", False
    )


def mfa_required(user) -> bool:
    if not mfa_enforced() or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser and getattr(settings, "MFA_REQUIRED_SUPERUSER", False):
        return True
    return bool(role_names(user) & set(getattr(settings, "MFA_REQUIRED_ROLES", ())))


def mfa_set_up(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class MfaRequiredMiddleware:
    """Sends staff without a second factor to its setup page (after AuthenticationMiddleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not request.path.startswith(_OPEN_PREFIXES)
            and mfa_required(request.user)
            and not mfa_set_up(request.user)
        ):
            messages.warning(
                request,
                _("Your role needs a second factor. Set up an authenticator app to continue."),
                fail_silently=True,
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
