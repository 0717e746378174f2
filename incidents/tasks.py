"""Celery tasks of this app (discovered by portal.celery)."""
