"""Celery tasks of the projects app (discovered by portal.celery)."""

from celery import shared_task

from . import services


@shared_task(name="projects.tasks.final_reports_remind", ignore_result=True)
def final_reports_remind() -> dict:
    """Reminders of final reports due soon or overdue. Idempotent: safe on several workers."""
    result = services.final_reports_remind()
    return {"reminded": result.reminded, "overdue": result.overdue}


@shared_task(name="projects.tasks.advice_deadlines_sweep", ignore_result=True)
def advice_deadlines_sweep() -> dict:
    """The advice desk's reminders, overdue marks and escalations. Idempotent: safe on several workers."""
    from .advice import services as advice_services

    return advice_services.deadlines_sweep().counts
