from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = _("Workshops")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import (
            rules,  # noqa: F401 - registers the app's object rules
            tasks,  # noqa: F401 - registers its Celery tasks (the services queue them by name)
        )
        from .retention import register_workshops

        register_workshops()
