"""Writes of the workshops app, one module per subdomain: initiatives and workshops, nominations,
registrations (capacity, waitlist, check-in, reminders), presentation offers (``workflow.OFFER``), outputs,
messages to registrants and the publication.

Every write asks the app's rules first (``common.authorize``), runs in one transaction with an activity-log
entry and queues the emails that belong to it in the outbox in the same transaction. Reads are in
``selectors``. This package exports what the views, tasks, demo and commands call.
"""

from .messages import workshop_message_send
from .nominations import nomination_save, nomination_withdraw
from .offers import offer_submit, offer_transition, offer_update, offer_withdraw
from .outputs import good_practice_save, output_delete, recommendation_save
from .publications import (
    publication_build,
    publication_build_now,
    publication_publish,
    publication_request,
    publication_reset,
    publication_retry,
    publications_sweep,
)
from .registrations import (
    registration_cancel,
    registration_check_in,
    registration_create,
    registration_ics,
    reminders_send,
)
from .workshops import initiative_upsert, workshop_update, workshop_upsert

__all__ = [
    "good_practice_save",
    "initiative_upsert",
    "nomination_save",
    "nomination_withdraw",
    "offer_submit",
    "offer_transition",
    "offer_update",
    "offer_withdraw",
    "output_delete",
    "publication_build",
    "publication_build_now",
    "publication_publish",
    "publication_request",
    "publication_reset",
    "publication_retry",
    "publications_sweep",
    "recommendation_save",
    "registration_cancel",
    "registration_check_in",
    "registration_create",
    "registration_ics",
    "reminders_send",
    "workshop_message_send",
    "workshop_update",
    "workshop_upsert",
]
