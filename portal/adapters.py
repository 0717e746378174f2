import time
from types import SimpleNamespace

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core import context as allauth_context
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from . import roles, services


class AccountAdapter(DefaultAccountAdapter):
    """Account emails go through the notification outbox, rendered in the language the user is using."""

    def send_mail(self, template_prefix, email, context):
        request = allauth_context.request
        site = SimpleNamespace(name="Okrsek", domain=request.get_host() if request else settings.SITE_URL)
        message = self.render_mail(
            template_prefix, email, {"request": request, "email": email, "current_site": site, **context}
        )
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        user = context.get("user")
        services.notification_queue_rendered(
            kind=template_prefix.rsplit("/", 1)[-1],
            to_email=email,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            language=translation.get_language() or "cs",
            recipient=user if getattr(user, "pk", None) else None,
        )

    def get_login_redirect_url(self, request):
        """Each role lands on its work page (allauth has already taken a safe ``next`` when there is one)."""
        return reverse(roles.work_url_name(request.user))

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Staff sent to set up their first second factor right after logging in are not asked for their
        password again; changing an existing one still is."""
        request = allauth_context.request
        if app == "allauth.mfa" and request is not None and request.user.is_authenticated:
            from allauth.mfa.models import Authenticator

            records = get_authentication_records(request, request.user)
            recent = [
                r for r in records if time.time() - r.get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT
            ]
            if recent and not Authenticator.objects.filter(user=request.user).exists():
                return False
        return super().is_reauthentication_required(app=app, **kwargs)

    @transaction.atomic
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.profile_ensure(user=user)
        return user
