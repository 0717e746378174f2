"""The programme, its member towns and its region-wide projects."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from portal.models import Municipality
from portal.services import activity_log, row_upsert

from ..models import Call, Membership, Programme, RegionalProject
from ..money import ZERO, money_text


def _calls_fit(programme: Programme, created: bool) -> None:
    """A programme's total budget never drops below what its calls have been given."""
    if created:
        return
    allotted = Call.objects.filter(programme=programme).aggregate(s=Sum("budget"))["s"] or ZERO
    if programme.total_budget < allotted:
        raise ValidationError(
            {
                "total_budget": _("The calls already have %(amount)s; the total cannot be lower.")
                % {"amount": money_text(allotted)}
            }
        )


@transaction.atomic
def programme_upsert(*, slug: str, actor=None, **fields) -> tuple[Programme, bool]:
    """Create or update a programme. Its total budget never drops below what its calls have been given."""
    programme, created = row_upsert(Programme, lookup={"slug": slug}, fields=fields, check=_calls_fit)
    activity_log(actor=actor, verb="programme.created" if created else "programme.updated", target=programme)
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


@transaction.atomic
def regional_project_upsert(*, programme: Programme, slug: str, actor=None, **fields) -> RegionalProject:
    lookup = {"programme": programme, "slug": slug}
    project, created = row_upsert(RegionalProject, lookup=lookup, fields=fields)
    activity_log(
        actor=actor,
        verb="regional_project.created" if created else "regional_project.updated",
        target=project,
    )
    return project
