"""Writes of the projects app (calls, proposals, reviews and decisions come with their issue)."""

from datetime import date

from django.db import transaction

from portal.models import Municipality
from portal.services import activity_log

from .models import Membership, Programme


@transaction.atomic
def programme_upsert(*, slug: str, **fields) -> tuple[Programme, bool]:
    programme = Programme.objects.select_for_update().filter(slug=slug).first()
    created = programme is None
    if created:
        programme = Programme(slug=slug)
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.full_clean()
    programme.save()
    return programme, created


@transaction.atomic
def membership_join(
    *, programme: Programme, municipality: Municipality, joined_on: date, actor=None
) -> tuple[Membership, bool]:
    """Record that ``municipality`` joined ``programme`` on ``joined_on``. Idempotent."""
    membership, created = Membership.objects.select_for_update().get_or_create(
        programme=programme,
        municipality=municipality,
        defaults={"status": Membership.Status.JOINED, "joined_on": joined_on},
    )
    if created or membership.status != Membership.Status.JOINED or membership.joined_on != joined_on:
        membership.status = Membership.Status.JOINED
        membership.joined_on = joined_on
        membership.full_clean()
        membership.save()
        activity_log(
            actor=actor,
            verb="programme.member_joined",
            target=programme,
            municipality=municipality.code,
            joined_on=joined_on.isoformat(),
        )
        return membership, True
    return membership, False
