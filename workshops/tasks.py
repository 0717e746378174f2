"""Celery tasks of the workshops app (registered by ``WorkshopsConfig.ready``; the services queue them by
name, so that they need not import this module)."""

from celery import shared_task

from . import services


@shared_task(name="workshops.tasks.reminders_send", ignore_result=True)
def reminders_send() -> int:
    """Beat: remind confirmed participants 3 days before their workshop (idempotent)."""
    return services.reminders_send()


@shared_task(name="workshops.tasks.publication_build", ignore_result=True, acks_late=True)
def publication_build(publication_id: int) -> bool:
    """Build one edition of the publication (claimed, so a duplicate delivery does nothing)."""
    return services.publication_build(publication_id=publication_id)


@shared_task(name="workshops.tasks.publications_sweep", ignore_result=True)
def publications_sweep() -> dict:
    """Beat: queue again, or fail with a reason, the publication builds that are stuck (idempotent)."""
    return services.publications_sweep()
