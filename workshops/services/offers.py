"""Presentation offers: anybody with an account offers a talk; its author edits it until the deadline; the
organiser decides (``workflow.OFFER``, applied by the shared engine)."""

import uuid
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.services import activity_log, create_once, notification_queue
from portal.workflow import apply

from .. import selectors
from ..models import PresentationOffer, Workshop
from ..workflow import OFFER, OfferStatus
from .common import authorize, stripped


def offer_submit(
    *,
    workshop: Workshop,
    author,
    speaker_name: str,
    speaker_organisation: str,
    speaker_email: str,
    title: str,
    abstract: str,
    minutes: int,
    submission_key: uuid.UUID | None = None,
    now: datetime | None = None,
) -> PresentationOffer:
    """Offer a presentation at a workshop while it takes offers. The same form sent twice (a double click,
    a reload: the same ``submission_key``) gives the offer the first one saved."""
    now = now or timezone.now()
    authorize(author, "workshops.offer_presentation")

    def create() -> PresentationOffer:
        if not workshop.offers_open(now):
            raise ValidationError(_("Presentation offers for this workshop are closed."))
        offer = PresentationOffer(
            workshop=workshop,
            author=author,
            speaker_name=speaker_name.strip(),
            speaker_organisation=speaker_organisation.strip(),
            speaker_email=speaker_email.strip().lower(),
            title=title.strip(),
            abstract=abstract.strip(),
            minutes=minutes,
            submission_key=submission_key,
            created_at=now,
            updated_at=now,
        )
        offer.full_clean(exclude=["submission_key"])
        offer.save()
        activity_log(actor=author, verb="offer.submitted", target=offer, workshop=workshop.pk)
        notification_queue(
            kind="workshop_offer_received",
            to_email=author.email,
            recipient=author,
            context=selectors.offer_email_context(offer),
        )
        return offer

    with transaction.atomic():
        offer, _created = create_once(
            PresentationOffer, submission_key=submission_key, create=create, author=author
        )
    return offer


def offer_update(
    *, offer: PresentationOffer, actor, now: datetime | None = None, **fields
) -> PresentationOffer:
    """The author edits an offer not yet decided, until the deadline for offers."""
    now = now or timezone.now()
    authorize(actor, "workshops.change_offer", offer)
    if offer.status != OfferStatus.SUBMITTED:
        raise ValidationError(_("Only an offer that has not been decided yet can be edited."))
    if not offer.workshop.offers_open(now):
        raise ValidationError(
            _("The deadline for presentation offers has passed; the offer can no longer be edited.")
        )
    with transaction.atomic():
        locked = PresentationOffer.objects.select_for_update().get(pk=offer.pk)
        if locked.status != OfferStatus.SUBMITTED:
            raise ValidationError(_("Only an offer that has not been decided yet can be edited."))
        for name, value in fields.items():
            setattr(locked, name, stripped(value))
        locked.updated_at = now
        locked.full_clean(exclude=["submission_key"])
        locked.save()
        activity_log(actor=actor, verb="offer.updated", target=locked, fields=sorted(fields))
    return locked


def offer_transition(
    *, offer: PresentationOffer, action: str, actor, message: str = "", now: datetime | None = None
) -> PresentationOffer:
    """The organiser's decision on an offer (``workflow.OFFER``: accept, reject, reopen), with a message to
    the author. Refuses anything the workflow does not allow, and the author's own steps."""
    return apply(OFFER, offer, action, actor=actor, inputs={"message": message}, direct_only=True, now=now)


def offer_withdraw(*, offer: PresentationOffer, actor, now: datetime | None = None) -> PresentationOffer:
    """The author takes their offer back (before or after it was accepted)."""
    return apply(OFFER, offer, "withdraw", actor=actor, now=now)
