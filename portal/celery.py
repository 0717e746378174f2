"""The Celery app of Okrsek. Its configuration is the CELERY_* part of ``portal.settings``."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("okrsek")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """Create the folders under var/: the ``filesystem://`` broker's, the beat schedule's, static files'."""
    from django.conf import settings

    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    keys = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")
    folders = [options[key] for key in keys if key in options]
    folders += [os.path.dirname(settings.CELERY_BEAT_SCHEDULE_FILENAME), str(settings.STATIC_ROOT)]
    for folder in folders:
        os.makedirs(folder, exist_ok=True)
