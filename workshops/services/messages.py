"""Messages from the organiser to a workshop's registrants, one email each through the outbox."""

import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from portal.services import activity_log, create_once, notification_queue

from .. import selectors
from ..models import Workshop, WorkshopMessage
from .common import authorize


def workshop_message_send(
    *,
    workshop: Workshop,
    actor,
    subject: str,
    body: str,
    audience: str,
    submission_key: uuid.UUID | None = None,
    now: datetime | None = None,
) -> tuple[WorkshopMessage, bool]:
    """Send a message to the workshop's registrants through the outbox (one email each, in their language's
    frame). The same form sent twice sends once. Returns (message, sent now)."""
    now = now or timezone.now()
    authorize(actor, "workshops.manage")

    def send() -> WorkshopMessage:
        message = WorkshopMessage(
            workshop=workshop,
            subject=subject.strip(),
            body=body.strip(),
            audience=audience,
            sent_by=actor,
            submission_key=submission_key,
            created_at=now,
        )
        message.full_clean(exclude=["submission_key"])
        message.save()
        recipients = selectors.message_recipients(workshop=workshop, audience=audience)
        for registration in recipients:
            notification_queue(
                kind="workshop_message",
                to_email=registration.email,
                language=registration.language,
                context={**selectors.registration_email_context(registration), "message": message},
                dedup_key=f"workshop-message:{message.pk}:{registration.pk}",
            )
        message.recipients = len(recipients)
        message.save(update_fields=["recipients"])
        activity_log(actor=actor, verb="workshop.message_sent", target=workshop, recipients=len(recipients))
        return message

    with transaction.atomic():
        return create_once(WorkshopMessage, submission_key=submission_key, create=send)
