"""The presentation-offer workflow as data: statuses, the transitions between them, who may make each and
what each tells the author. ``services.offer_transition`` applies it and refuses anything else.

submitted → accepted | rejected (the organiser, with a message) ; submitted | accepted → withdrawn (the
author) ; accepted | rejected → submitted (the organiser reopens a decision).
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class OfferStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


ORGANISER = "organiser"
AUTHOR = "author"


@dataclass(frozen=True)
class OfferTransition:
    name: str
    label: object  # the button the actor presses
    sources: frozenset
    target: str
    actor: str  # ORGANISER or AUTHOR
    message_required: bool = False
    notify_author: bool = False


OFFER_TRANSITIONS: dict[str, OfferTransition] = {
    t.name: t
    for t in [
        OfferTransition(
            name="accept",
            label=_("Accept"),
            sources=frozenset({OfferStatus.SUBMITTED}),
            target=OfferStatus.ACCEPTED,
            actor=ORGANISER,
            notify_author=True,
        ),
        OfferTransition(
            name="reject",
            label=_("Reject"),
            sources=frozenset({OfferStatus.SUBMITTED}),
            target=OfferStatus.REJECTED,
            actor=ORGANISER,
            message_required=True,
            notify_author=True,
        ),
        OfferTransition(
            name="reopen",
            label=_("Reopen"),
            sources=frozenset({OfferStatus.ACCEPTED, OfferStatus.REJECTED}),
            target=OfferStatus.SUBMITTED,
            actor=ORGANISER,
            message_required=True,
            notify_author=True,
        ),
        OfferTransition(
            name="withdraw",
            label=_("Withdraw"),
            sources=frozenset({OfferStatus.SUBMITTED, OfferStatus.ACCEPTED}),
            target=OfferStatus.WITHDRAWN,
            actor=AUTHOR,
        ),
    ]
}


def offer_transitions_from(status: str, actor: str) -> list[OfferTransition]:
    return [t for t in OFFER_TRANSITIONS.values() if status in t.sources and t.actor == actor]
