from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("Safety surveys and audits")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            rules,  # noqa: F401 - registers the app's object rules
            tasks,  # noqa: F401 - registers its Celery tasks
        )
        from .retention import register_audits

        register_audits()
