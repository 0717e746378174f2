"""Nominations: a town's staff name the town's representative for an initiative, until its deadline."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.services import activity_log, notification_queue

from ..models import Initiative, Nomination
from .common import authorize


def _check_open(initiative: Initiative, now: datetime) -> None:
    if not initiative.nominations_open(now):
        raise ValidationError(_("The nomination deadline has passed; nominations can no longer be changed."))


def nomination_save(
    *,
    initiative: Initiative,
    municipality,
    actor,
    representative_name: str,
    email: str,
    position: str = "",
    phone: str = "",
    note: str = "",
    now: datetime | None = None,
) -> tuple[Nomination, bool]:
    """Create the town's nomination, or update its active one. Only the town's staff, only before the
    deadline."""
    now = now or timezone.now()
    authorize(actor, "workshops.nominate", municipality)
    _check_open(initiative, now)
    with transaction.atomic():
        nomination = (
            Nomination.objects.select_for_update()
            .filter(initiative=initiative, municipality=municipality, status=Nomination.Status.ACTIVE)
            .first()
        )
        created = nomination is None
        if created:
            nomination = Nomination(initiative=initiative, municipality=municipality, created_at=now)
        nomination.representative_name = representative_name.strip()
        nomination.position = position.strip()
        nomination.email = email.strip().lower()
        nomination.phone = phone.strip()
        nomination.note = note.strip()
        nomination.submitted_by = actor
        nomination.updated_at = now
        nomination.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                nomination.save()
        except IntegrityError:
            raise ValidationError(
                _("A colleague has just nominated a representative of your town. Reload the page to see it.")
            ) from None
        activity_log(
            actor=actor,
            verb="nomination.created" if created else "nomination.updated",
            target=nomination,
            municipality=municipality.pk,
        )
        context = {"nomination": nomination, "initiative": initiative, "municipality": municipality}
        notification_queue(
            kind="workshop_nomination_saved",
            to_email=actor.email,
            recipient=actor,
            context=context,
        )
        if nomination.email != actor.email.lower():
            notification_queue(kind="workshop_nominated", to_email=nomination.email, context=context)
    return nomination, created


def nomination_withdraw(*, nomination: Nomination, actor, now: datetime | None = None) -> Nomination:
    now = now or timezone.now()
    authorize(actor, "workshops.nominate", nomination.municipality)
    _check_open(nomination.initiative, now)
    with transaction.atomic():
        changed = Nomination.objects.filter(pk=nomination.pk, status=Nomination.Status.ACTIVE).update(
            status=Nomination.Status.WITHDRAWN, updated_at=now
        )
        if changed:
            activity_log(actor=actor, verb="nomination.withdrawn", target=nomination)
    nomination.refresh_from_db()
    return nomination
