from celery import shared_task

from . import services


@shared_task(name="portal.tasks.notification_send", ignore_result=True)
def notification_send(notification_id: int) -> bool:
    return services.notification_send(notification_id=notification_id)


@shared_task(name="portal.tasks.notifications_send", ignore_result=True)
def notifications_send(notification_ids: list[int]) -> int:
    return services.notifications_send(notification_ids=notification_ids)


@shared_task(name="portal.tasks.notifications_send_due", ignore_result=True)
def notifications_send_due() -> int:
    return services.notifications_send_due()


@shared_task(name="portal.tasks.personal_data_purge", ignore_result=True)
def personal_data_purge() -> dict:
    from .retention import purge

    return purge()
