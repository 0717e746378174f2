from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers the portal's rules and the shared predicates
        from .celery import ensure_broker_folders
        from .retention import register_portal

        register_portal()

        ensure_broker_folders()
