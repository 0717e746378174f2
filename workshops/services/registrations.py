"""Registrations: a place if one of the person's kind is free, else the waitlist; cancellation promotes the
next person; check-in; the reminder before the workshop.

Capacity is decided under a row lock on the workshop (pretix's pattern): concurrent registrations for the
last seat are serialised by the database, exactly one gets it.
"""

import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.deadlines import sweep
from portal.services import activity_log, notification_queue
from portal.web import absolute_reverse

from .. import selectors
from ..models import OrganisationType, Registration, Workshop, registration_token, token_hash
from ..workflow import REMINDER, REMINDER_DAYS_BEFORE
from .common import authorize

TAKEN = (Registration.Status.CONFIRMED, Registration.Status.ATTENDED)


# --- the emails -----------------------------------------------------------------------------------------


def registration_ics(registration: Registration) -> bytes:
    """An iCalendar (RFC 5545) invitation for the workshop, for the confirmation email and the download."""
    from icalendar import Calendar, Event

    workshop = registration.workshop
    calendar = Calendar()
    calendar.add("prodid", "-//Okrsek//Workshops//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    host = settings.SITE_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "okrsek"
    event.add("uid", f"okrsek-workshop-{workshop.pk}-registration-{registration.pk}@{host}")
    event.add("dtstamp", timezone.now())
    event.add("summary", f"{workshop.initiative.name_in(registration.language)}: {workshop}")
    if workshop.start_time and workshop.held_on:
        tz = timezone.get_current_timezone()
        event.add("dtstart", timezone.localtime(workshop.starts_at, tz))
        end = workshop.ends_at or workshop.starts_at + timedelta(hours=6)
        event.add("dtend", timezone.localtime(end, tz))
    elif workshop.held_on:
        event.add("dtstart", workshop.held_on)
        event.add("dtend", workshop.held_on + timedelta(days=1))
    if workshop.venue:
        event.add("location", workshop.venue)
    event.add("description", workshop.description or str(workshop))
    event.add("url", absolute_reverse("workshops:workshop", workshop.pk))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _notify(registration: Registration, kind: str, *, invitation: bool = False) -> None:
    """Email the participant about their registration (``invitation``: with the calendar file, only ever for
    a confirmed place: a place on the waitlist is no appointment)."""
    attachments = None
    confirmed = registration.status == Registration.Status.CONFIRMED
    if invitation and confirmed and registration.workshop.held_on is not None:
        attachments = [
            {
                "filename": f"workshop-{registration.workshop.number}.ics",
                "content_type": "text/calendar",
                "content": registration_ics(registration),
            }
        ]
    user = registration.user
    notification_queue(
        kind=kind,
        to_email=registration.email,
        recipient=user if user is not None and user.email == registration.email else None,
        language=registration.language,
        context=selectors.registration_email_context(registration),
        attachments=attachments,
    )


def _within_reminder_window(workshop: Workshop, now: datetime) -> bool:
    """Confirmed this close to the workshop: the confirmation is the reminder."""
    if workshop.held_on is None:
        return False
    return workshop.held_on <= timezone.localtime(now).date() + timedelta(days=REMINDER_DAYS_BEFORE)


def _confirm(registration: Registration, workshop: Workshop, now: datetime) -> None:
    registration.status = Registration.Status.CONFIRMED
    registration.confirmed_at = now
    reminded = _within_reminder_window(workshop, now)
    registration.reminded = reminded
    registration.reminder_sent_at = now if reminded else None


# --- registering and the waitlist -----------------------------------------------------------------------


def registration_create(
    *,
    workshop: Workshop,
    actor,
    full_name: str,
    organisation: str,
    organisation_type: str,
    email: str,
    consent: bool,
    position: str = "",
    phone: str = "",
    language: str = "cs",
    needs: str = "",
    by_organiser: bool = False,
    now: datetime | None = None,
) -> Registration:
    """Register a person for a workshop: a confirmed place if one of their kind is free, else the waitlist.
    People with a role register themselves while the window is open; the organiser registers anybody, also
    afterwards.

    Safe against double submits (one row per workshop and email, also in the database) and against
    concurrent registrations (the workshop row is locked while the seats are counted)."""
    now = now or timezone.now()
    authorize(actor, "workshops.manage" if by_organiser else "workshops.register")
    email = (email or "").strip().lower()
    if not consent:
        raise ValidationError({"consent": _("Please agree to the processing of your personal data.")})
    if not by_organiser and not workshop.registration_open(now):
        raise ValidationError(_("Registration for this workshop is closed."))
    partner = organisation_type == OrganisationType.PARTNER_COUNTRY
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        registration = Registration.objects.filter(workshop=locked, email=email).first()
        if registration is not None and registration.status != Registration.Status.CANCELLED:
            raise ValidationError(
                {
                    "email": _(
                        "%(email)s is already registered for this workshop (%(status)s). "
                        "The confirmation email has a link to view or cancel the registration."
                    )
                    % {"email": email, "status": registration.get_status_display()}
                }
            )
        confirmed = selectors.seats_taken(locked, partner=partner) < locked.seats_for(partner)
        registration = registration or Registration(workshop=locked, email=email)
        registration.user = actor if getattr(actor, "is_authenticated", False) else None
        registration.full_name = full_name.strip()
        registration.organisation = organisation.strip()
        registration.organisation_type = organisation_type
        registration.position = position.strip()
        registration.phone = phone.strip()
        registration.language = language
        registration.needs = needs.strip()
        registration.consent_at = now
        registration.partner_seat = partner
        registration.created_at = now
        registration.cancelled_at = registration.attended_at = None
        if confirmed:
            _confirm(registration, locked, now)
            registration.waitlisted_at = None
        else:
            registration.status = Registration.Status.WAITLISTED
            registration.confirmed_at = registration.reminder_sent_at = None
            registration.reminded = False
            registration.waitlisted_at = now
        registration.cancel_nonce = secrets.token_hex(16)
        registration.cancel_token_hash = token_hash(registration_token(registration.cancel_nonce))
        registration.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                registration.save()
        except IntegrityError:
            # Only without the row lock (SQLite ignores SELECT … FOR UPDATE): the twin request won.
            raise ValidationError(
                {"email": _("%(email)s is already registered for this workshop.") % {"email": email}}
            ) from None
        activity_log(
            actor=actor,
            verb="registration.created",
            target=registration,
            workshop=locked.pk,
            status=registration.status,
            by_organiser=by_organiser,
        )
        if confirmed:
            _notify(registration, "workshop_registration_confirmed", invitation=True)
        else:
            _notify(registration, "workshop_registration_waitlisted")
    return registration


def waitlist_promote(*, workshop: Workshop, partner: bool, now: datetime | None = None) -> list[Registration]:
    """Fill the free seats of one kind from its waitlist, in order. Call with the workshop row locked."""
    now = now or timezone.now()
    free = workshop.seats_for(partner) - selectors.seats_taken(workshop, partner=partner)
    if free <= 0:
        return []
    waiting = list(
        Registration.objects.select_for_update()
        .filter(workshop=workshop, partner_seat=partner, status=Registration.Status.WAITLISTED)
        .order_by("waitlisted_at", "pk")[:free]
    )
    for registration in waiting:
        _confirm(registration, workshop, now)
        registration.save(update_fields=["status", "confirmed_at", "reminded", "reminder_sent_at"])
        registration.workshop = workshop
        activity_log(verb="registration.promoted", target=registration, workshop=workshop.pk)
        _notify(registration, "workshop_registration_promoted", invitation=True)
    return waiting


def _holds_the_link(registration: Registration, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(token_hash(token), registration.cancel_token_hash)


def registration_cancel(
    *,
    registration: Registration,
    actor=None,
    token: str | None = None,
    by_organiser: bool = False,
    now: datetime | None = None,
) -> list[Registration]:
    """Cancel a registration: the participant through the secret link of their emails (``token``) until
    the workshop begins, the organiser at any time. A freed seat goes to the next person on the waitlist,
    who is emailed. Returns the promoted registrations."""
    now = now or timezone.now()
    if by_organiser:
        authorize(actor, "workshops.manage")
    elif not _holds_the_link(registration, token):
        raise PermissionDenied(_("You may not do this in the workshops."))
    with transaction.atomic():
        workshop = Workshop.objects.select_for_update().get(pk=registration.workshop_id)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status == Registration.Status.CANCELLED:
            raise ValidationError(_("This registration is already cancelled."))
        if current.status == Registration.Status.ATTENDED:
            raise ValidationError(_("This participant has already checked in; the registration stays."))
        if not by_organiser and workshop.starts_at and workshop.starts_at <= now:
            raise ValidationError(_("The workshop has already begun; please contact the organiser."))
        held_seat = current.status == Registration.Status.CONFIRMED
        current.status = Registration.Status.CANCELLED
        current.cancelled_at = now
        current.save(update_fields=["status", "cancelled_at"])
        current.workshop = workshop
        activity_log(actor=actor, verb="registration.cancelled", target=current, by_organiser=by_organiser)
        _notify(current, "workshop_registration_cancelled")
        promoted = (
            waitlist_promote(workshop=workshop, partner=current.partner_seat, now=now) if held_seat else []
        )
    registration.refresh_from_db()
    return promoted


def registration_check_in(
    *, registration: Registration, actor, undo: bool = False, now: datetime | None = None
) -> bool:
    """The organiser marks a confirmed participant as present (or takes it back). Returns whether anything
    changed; a second click on the same button changes nothing."""
    now = now or timezone.now()
    authorize(actor, "workshops.manage")
    source, target = (
        (Registration.Status.ATTENDED, Registration.Status.CONFIRMED)
        if undo
        else (Registration.Status.CONFIRMED, Registration.Status.ATTENDED)
    )
    with transaction.atomic():
        changed = Registration.objects.filter(pk=registration.pk, status=source).update(
            status=target, attended_at=None if undo else now
        )
        if changed:
            activity_log(
                actor=actor,
                verb="registration.check_in_undone" if undo else "registration.checked_in",
                target=registration,
            )
    if not changed and not undo and registration.status not in TAKEN:
        raise ValidationError(_("Only confirmed participants can be checked in."))
    registration.refresh_from_db()
    return bool(changed)


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind confirmed participants 3 days before their workshop (``workflow.REMINDER``, through the shared
    deadline engine): each registration is claimed before its email is queued (with a dedup key), so two
    workers, a rerun or a catch-up after downtime never send a reminder twice. Returns how many were sent."""
    return sweep(REMINDER, now=now).total
