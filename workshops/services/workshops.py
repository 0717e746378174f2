"""Initiatives and workshops: the demo's and the admin's upserts, the organiser's changes."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.services import activity_log, row_upsert

from .. import selectors
from ..models import Initiative, Registration, Workshop
from .common import authorize
from .registrations import waitlist_promote

# A workshop's day and windows lie within this many years of today: a date typed as year 1 was saved and then
# broke every page that reads the workshop (PostgreSQL keeps it as a year BC that Python cannot load).
WORKSHOP_YEARS = 10
DATE_FIELDS = ("held_on", "registration_opens_at", "registration_closes_at", "offers_close_at")


def _date_errors(workshop: Workshop) -> dict:
    today = timezone.localdate()
    earliest, latest = today.year - WORKSHOP_YEARS, today.year + WORKSHOP_YEARS
    errors = {}
    for name in DATE_FIELDS:
        value = getattr(workshop, name, None)
        if isinstance(value, datetime.date) and not earliest <= value.year <= latest:
            errors[name] = _("Enter a date between the years %(earliest)d and %(latest)d.") % {
                "earliest": earliest,
                "latest": latest,
            }
    return errors


@transaction.atomic
def initiative_upsert(*, code: str, **fields) -> tuple[Initiative, bool]:
    return row_upsert(Initiative, lookup={"code": code}, fields=fields)


@transaction.atomic
def workshop_upsert(*, initiative: Initiative, number: int, **fields) -> tuple[Workshop, bool]:
    return row_upsert(Workshop, lookup={"initiative": initiative, "number": number}, fields=fields)


def workshop_update(*, workshop: Workshop, actor, **fields) -> tuple[Workshop, list[Registration]]:
    """The organiser changes a workshop's details. More seats promote people from the waitlist; fewer seats
    than people already confirmed are refused."""
    authorize(actor, "workshops.manage")
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        if errors := _date_errors(locked):
            raise ValidationError(errors)
        locked.full_clean()
        errors = {}
        for partner, field in ((False, "capacity"), (True, "partner_seats")):
            taken = selectors.seats_taken(locked, partner=partner)
            if taken > locked.seats_for(partner):
                errors[field] = _(
                    "Confirmed places of this kind: %(count)d. Cancel some registrations before lowering "
                    "the number of seats."
                ) % {"count": taken}
        if errors:
            raise ValidationError(errors)
        locked.save()
        activity_log(actor=actor, verb="workshop.updated", target=locked, fields=sorted(fields))
        promoted = waitlist_promote(workshop=locked, partner=False) + waitlist_promote(
            workshop=locked, partner=True
        )
    return locked, promoted
