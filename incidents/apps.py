from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Threat reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from portal.retention import register

        from . import rules  # noqa: F401 - registers the app's object rules
        from .retention import register_incidents
        from .services import RATE_COUNTERS_RETENTION

        register(RATE_COUNTERS_RETENTION)
        register_incidents()
