"""Checks behind /healthz. Each returns "ok" or a short reason; none raises."""

import logging
import os

from django.conf import settings
from django.db import connection
from kombu import Connection

logger = logging.getLogger(__name__)


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001
        logger.warning("Health check: database failed: %s", exc)
        return f"error: {type(exc).__name__}"
    return "ok"


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    try:
        if url.startswith("filesystem://"):
            folder = options["data_folder_in"]
            if not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
                return "error: queue folder missing or not writable"
            return "ok"
        with Connection(url, connect_timeout=2, transport_options=options) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001
        logger.warning("Health check: broker failed: %s", exc)
        return f"error: {type(exc).__name__}"
    return "ok"
