"""Celery tasks of the incidents app (discovered by portal.celery)."""

from celery import shared_task

from . import map_cells, services


@shared_task(name="incidents.tasks.deadlines_sweep", ignore_result=True)
def deadlines_sweep() -> dict:
    result = services.deadlines_sweep()
    return {
        "take_up_overdue": result.take_up_overdue,
        "verify_overdue": result.verify_overdue,
        "take_up_reminders": result.take_up_reminders,
        "verify_reminders": result.verify_reminders,
    }


@shared_task(name="incidents.tasks.map_cells_age", ignore_result=True)
def map_cells_age() -> str:
    return map_cells.map_cells_age()


@shared_task(name="incidents.tasks.alerts_send", ignore_result=True)
def alerts_send() -> int:
    from .alerts.sender import alerts_send

    return alerts_send()


@shared_task(name="incidents.tasks.alert_digests_send", ignore_result=True)
def alert_digests_send() -> dict:
    from .alerts.sender import alert_digests_send

    return {frequency: alert_digests_send(frequency=frequency) for frequency in ("daily", "weekly")}
