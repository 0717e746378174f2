"""Writes of the workshops app: initiatives and workshops, nominations, registrations with capacity and
waitlist, presentation offers, outputs (good practices, recommendations), messages and the publication.

Every write runs in one transaction with an activity-log entry and the emails that belong to it (queued in
the outbox in the same transaction). Capacity is decided under a row lock on the workshop (pretix's pattern):
concurrent registrations for the last seat are serialised by the database, exactly one gets it.
"""

import logging
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.services import activity_log, notification_queue

from .models import (
    GoodPractice,
    Initiative,
    Nomination,
    OrganisationType,
    PresentationOffer,
    Publication,
    Recommendation,
    Registration,
    Workshop,
    WorkshopMessage,
    registration_token,
    token_hash,
)
from .workflow import AUTHOR, OFFER_TRANSITIONS, OfferStatus

logger = logging.getLogger(__name__)

REMINDER_DAYS_BEFORE = 3
STALE_BUILD = timedelta(minutes=30)
TAKEN = (Registration.Status.CONFIRMED, Registration.Status.ATTENDED)


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


# --- initiatives and workshops --------------------------------------------------------------------------


@transaction.atomic
def initiative_upsert(*, code: str, **fields) -> tuple[Initiative, bool]:
    initiative = Initiative.objects.select_for_update().filter(code=code).first()
    created = initiative is None
    if created:
        initiative = Initiative(code=code)
    for name, value in fields.items():
        setattr(initiative, name, value)
    initiative.full_clean()
    initiative.save()
    return initiative, created


@transaction.atomic
def workshop_upsert(*, initiative: Initiative, number: int, **fields) -> tuple[Workshop, bool]:
    workshop = Workshop.objects.select_for_update().filter(initiative=initiative, number=number).first()
    created = workshop is None
    if created:
        workshop = Workshop(initiative=initiative, number=number)
    for name, value in fields.items():
        setattr(workshop, name, value)
    workshop.full_clean()
    workshop.save()
    return workshop, created


def workshop_update(*, workshop: Workshop, actor, **fields) -> tuple[Workshop, list[Registration]]:
    """The organiser changes a workshop's details. More seats promote people from the waitlist; fewer seats
    than people already confirmed are refused."""
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        errors = {}
        for partner, field in ((False, "capacity"), (True, "partner_seats")):
            taken = _taken(locked, partner)
            if taken > locked.seats_for(partner):
                errors[field] = _(
                    "Confirmed places of this kind: %(count)d. Cancel some registrations before lowering "
                    "the number of seats."
                ) % {"count": taken}
        if errors:
            raise ValidationError(errors)
        locked.save()
        activity_log(actor=actor, verb="workshop.updated", target=locked, fields=sorted(fields))
        promoted = _promote(locked, partner=False) + _promote(locked, partner=True)
    return locked, promoted


# --- nominations ----------------------------------------------------------------------------------------


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
    """Create the town's nomination, or update its active one. Only before the deadline."""
    now = now or timezone.now()
    if not initiative.nominations_open(now):
        raise ValidationError(_("The nomination deadline has passed; nominations can no longer be changed."))
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
    if not nomination.initiative.nominations_open(now):
        raise ValidationError(_("The nomination deadline has passed; nominations can no longer be changed."))
    with transaction.atomic():
        changed = Nomination.objects.filter(pk=nomination.pk, status=Nomination.Status.ACTIVE).update(
            status=Nomination.Status.WITHDRAWN, updated_at=now
        )
        if changed:
            activity_log(actor=actor, verb="nomination.withdrawn", target=nomination)
    nomination.refresh_from_db()
    return nomination


# --- registrations --------------------------------------------------------------------------------------


def _taken(workshop: Workshop, partner: bool) -> int:
    return Registration.objects.filter(workshop=workshop, partner_seat=partner, status__in=TAKEN).count()


def waitlist_place(registration: Registration) -> int | None:
    """1 for the first person on the waitlist of their kind of seat; None if not waitlisted."""
    if registration.status != Registration.Status.WAITLISTED:
        return None
    ahead = Registration.objects.filter(
        workshop_id=registration.workshop_id,
        partner_seat=registration.partner_seat,
        status=Registration.Status.WAITLISTED,
    ).filter(
        models.Q(waitlisted_at__lt=registration.waitlisted_at)
        | models.Q(waitlisted_at=registration.waitlisted_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def registration_url(registration: Registration) -> str:
    return absolute_url(reverse("workshops:registration", args=[registration.cancel_token]))


def _registration_context(registration: Registration) -> dict:
    workshop = registration.workshop
    return {
        "registration": registration,
        "workshop": workshop,
        "initiative": workshop.initiative,
        "manage_url": registration_url(registration),
        "workshop_url": absolute_url(reverse("workshops:workshop", args=[workshop.pk])),
        "place": waitlist_place(registration),
    }


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
    event.add("url", absolute_url(reverse("workshops:workshop", args=[workshop.pk])))
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _ics_attachment(registration: Registration) -> list[dict]:
    if registration.workshop.held_on is None:
        return []
    return [
        {
            "filename": f"workshop-{registration.workshop.number}.ics",
            "content_type": "text/calendar",
            "content": registration_ics(registration),
        }
    ]


def _notify_registration(registration: Registration, kind: str, key: str | None = None) -> None:
    with_invitation = kind in ("workshop_registration_confirmed", "workshop_registration_promoted")
    notification_queue(
        kind=kind,
        to_email=registration.email,
        recipient=registration.user
        if registration.user and registration.user.email == registration.email
        else None,
        language=registration.language,
        context=_registration_context(registration),
        attachments=_ics_attachment(registration) if with_invitation else None,
        dedup_key=key,
    )


def _within_reminder_window(workshop: Workshop, now: datetime) -> bool:
    if workshop.held_on is None:
        return False
    return workshop.held_on <= timezone.localtime(now).date() + timedelta(days=REMINDER_DAYS_BEFORE)


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

    Safe against double submits (one row per workshop and email, also in the database) and against
    concurrent registrations (the workshop row is locked while the seats are counted)."""
    now = now or timezone.now()
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
        confirmed = _taken(locked, partner) < locked.seats_for(partner)
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
        registration.status = Registration.Status.CONFIRMED if confirmed else Registration.Status.WAITLISTED
        registration.confirmed_at = now if confirmed else None
        registration.waitlisted_at = None if confirmed else now
        registration.cancelled_at = registration.attended_at = None
        registration.reminder_sent_at = now if confirmed and _within_reminder_window(locked, now) else None
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
        _notify_registration(
            registration,
            "workshop_registration_confirmed" if confirmed else "workshop_registration_waitlisted",
        )
    return registration


def _promote(workshop: Workshop, *, partner: bool, now: datetime | None = None) -> list[Registration]:
    """Fill the free seats of one kind from its waitlist, in order. Call with the workshop row locked."""
    now = now or timezone.now()
    free = workshop.seats_for(partner) - _taken(workshop, partner)
    if free <= 0:
        return []
    waiting = list(
        Registration.objects.select_for_update()
        .filter(workshop=workshop, partner_seat=partner, status=Registration.Status.WAITLISTED)
        .order_by("waitlisted_at", "pk")[:free]
    )
    for registration in waiting:
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = now
        if _within_reminder_window(workshop, now):
            registration.reminder_sent_at = now
        registration.save(update_fields=["status", "confirmed_at", "reminder_sent_at"])
        registration.workshop = workshop
        activity_log(verb="registration.promoted", target=registration, workshop=workshop.pk)
        _notify_registration(registration, "workshop_registration_promoted")
    return waiting


def registration_cancel(
    *, registration: Registration, actor=None, by_organiser: bool = False, now: datetime | None = None
) -> list[Registration]:
    """Cancel a registration; a freed seat goes to the next person on the waitlist, who is emailed.
    Returns the promoted registrations."""
    now = now or timezone.now()
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
        _notify_registration(current, "workshop_registration_cancelled")
        promoted = _promote(workshop, partner=current.partner_seat, now=now) if held_seat else []
    registration.refresh_from_db()
    return promoted


def registration_check_in(
    *, registration: Registration, actor, undo: bool = False, now: datetime | None = None
) -> bool:
    """Mark a confirmed participant as present (or take it back). Returns whether anything changed; a
    second click on the same button changes nothing."""
    now = now or timezone.now()
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


def registration_by_token(token: str) -> Registration | None:
    if not token or len(token) > 100:
        return None
    return (
        Registration.objects.select_related("workshop__initiative")
        .filter(cancel_token_hash=token_hash(token))
        .first()
    )


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind confirmed participants 3 days before their workshop. Each registration is claimed with a
    conditional UPDATE before its email is queued (with a dedup key), so two workers, a rerun or a catch-up
    after downtime never send a reminder twice. Returns how many were queued."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    due = Registration.objects.filter(
        status=Registration.Status.CONFIRMED,
        reminder_sent_at__isnull=True,
        workshop__held_on__gte=today,
        workshop__held_on__lte=today + timedelta(days=REMINDER_DAYS_BEFORE),
    )
    sent = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            claimed = Registration.objects.filter(
                pk=pk, status=Registration.Status.CONFIRMED, reminder_sent_at__isnull=True
            ).update(reminder_sent_at=now)
            if claimed != 1:
                continue
            registration = Registration.objects.select_related("workshop__initiative", "user").get(pk=pk)
            key = f"registration:{pk}:{registration.cancel_nonce}:reminder"
            _notify_registration(registration, "workshop_reminder", key=key)
            sent += 1
    return sent


# --- presentation offers --------------------------------------------------------------------------------


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
    now = now or timezone.now()
    if submission_key is not None:
        existing = PresentationOffer.objects.filter(submission_key=submission_key, author=author).first()
        if existing is not None:
            return existing  # the same form sent twice (double click, reload)
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
    with transaction.atomic():
        try:
            with transaction.atomic():
                offer.save()
        except IntegrityError:
            return PresentationOffer.objects.get(submission_key=submission_key)
        activity_log(actor=author, verb="offer.submitted", target=offer, workshop=workshop.pk)
        notification_queue(
            kind="workshop_offer_received",
            to_email=author.email,
            recipient=author,
            context=_offer_context(offer),
        )
    return offer


def offer_update(
    *, offer: PresentationOffer, actor, now: datetime | None = None, **fields
) -> PresentationOffer:
    now = now or timezone.now()
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
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
        locked.updated_at = now
        locked.full_clean(exclude=["submission_key"])
        locked.save()
        activity_log(actor=actor, verb="offer.updated", target=locked, fields=sorted(fields))
    return locked


def _offer_context(offer: PresentationOffer) -> dict:
    return {
        "offer": offer,
        "workshop": offer.workshop,
        "initiative": offer.workshop.initiative,
        "my_url": absolute_url(reverse("workshops:my")),
        "workshop_url": absolute_url(reverse("workshops:workshop", args=[offer.workshop_id])),
    }


def offer_transition(
    *, offer: PresentationOffer, action: str, actor, message: str = "", now: datetime | None = None
) -> PresentationOffer:
    """Apply one step of the offer workflow (workflow.OFFER_TRANSITIONS). The caller has checked that the
    actor is the organiser or, for the author's steps, the author."""
    now = now or timezone.now()
    transition = OFFER_TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("Unknown action."))
    message = (message or "").strip()
    if len(message) > 2000:
        raise ValidationError({"message": _("The message may have at most 2000 characters.")})
    if transition.message_required and not message:
        raise ValidationError({"message": _("Please write a message to the author.")})
    if offer.status not in transition.sources:
        raise ValidationError(
            _("This offer is %(status)s; it cannot be changed this way.")
            % {"status": offer.get_status_display()}
        )
    changes = {"status": transition.target, "updated_at": now}
    if transition.actor != AUTHOR:
        changes.update(decision_message=message, decided_by=actor, decided_at=now)
    with transaction.atomic():
        won = PresentationOffer.objects.filter(pk=offer.pk, status=offer.status).update(**changes)
        if won != 1:
            raise ValidationError(_("Someone has just changed this offer. Reload the page to see its state."))
        offer.refresh_from_db()
        activity_log(actor=actor, verb=f"offer.{action}", target=offer, status=offer.status)
        if transition.notify_author and offer.author is not None:
            notification_queue(
                kind="workshop_offer_decided",
                to_email=offer.author.email,
                recipient=offer.author,
                context={**_offer_context(offer), "message": message},
                dedup_key=f"offer:{offer.pk}:{action}:{now.timestamp():.0f}",
            )
    return offer


# --- outputs: good practices and recommendations --------------------------------------------------------


def _output_save(model, *, instance, workshop, actor, submission_key, verb: str, **fields):
    if instance is None and submission_key is not None:
        existing = model.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    obj = instance or model(workshop=workshop, created_by=actor, submission_key=submission_key)
    for name, value in fields.items():
        setattr(obj, name, value.strip() if isinstance(value, str) else value)
    obj.full_clean(exclude=["submission_key"])
    with transaction.atomic():
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            return model.objects.get(submission_key=submission_key)
        activity_log(actor=actor, verb=f"{verb}.{'created' if instance is None else 'updated'}", target=obj)
    return obj


def good_practice_save(
    *, workshop: Workshop, actor, instance: GoodPractice | None = None, submission_key=None, **fields
) -> GoodPractice:
    return _output_save(
        GoodPractice,
        instance=instance,
        workshop=workshop,
        actor=actor,
        submission_key=submission_key,
        verb="good_practice",
        **fields,
    )


def recommendation_save(
    *, workshop: Workshop, actor, instance: Recommendation | None = None, submission_key=None, **fields
) -> Recommendation:
    return _output_save(
        Recommendation,
        instance=instance,
        workshop=workshop,
        actor=actor,
        submission_key=submission_key,
        verb="recommendation",
        **fields,
    )


@transaction.atomic
def output_delete(*, obj: GoodPractice | Recommendation, actor) -> None:
    verb = "good_practice" if isinstance(obj, GoodPractice) else "recommendation"
    activity_log(actor=actor, verb=f"{verb}.deleted", target=obj.workshop, id=obj.pk, text=str(obj)[:200])
    obj.delete()


# --- messages to registrants ----------------------------------------------------------------------------


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
    if submission_key is not None:
        existing = WorkshopMessage.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing, False
    statuses = [Registration.Status.CONFIRMED, Registration.Status.ATTENDED]
    if audience == WorkshopMessage.Audience.ALL:
        statuses.append(Registration.Status.WAITLISTED)
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
    with transaction.atomic():
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError:
            return WorkshopMessage.objects.get(submission_key=submission_key), False
        recipients = list(
            Registration.objects.filter(workshop=workshop, status__in=statuses).select_related("user")
        )
        for registration in recipients:
            registration.workshop = workshop
            notification_queue(
                kind="workshop_message",
                to_email=registration.email,
                language=registration.language,
                context={**_registration_context(registration), "message": message},
                dedup_key=f"workshop-message:{message.pk}:{registration.pk}",
            )
        message.recipients = len(recipients)
        message.save(update_fields=["recipients"])
        activity_log(actor=actor, verb="workshop.message_sent", target=workshop, recipients=len(recipients))
    return message, True


# --- the publication ------------------------------------------------------------------------------------


def publication_request(
    *, initiative: Initiative, language: str, actor, enqueue: bool = True, now: datetime | None = None
) -> tuple[Publication, bool]:
    """Ask for a new edition of the publication; the PDF is built by a Celery task after commit. While an
    edition in this language is waiting or being built, asking again returns it (a double click builds
    once). Returns (publication, created)."""
    now = now or timezone.now()
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValidationError({"language": _("Unknown language.")})
    with transaction.atomic():
        Initiative.objects.select_for_update().get(pk=initiative.pk)
        editions = Publication.objects.filter(initiative=initiative, language=language)
        # A build whose worker died long ago does not block new ones forever.
        editions.filter(status=Publication.Status.BUILDING, started_at__lt=now - STALE_BUILD).update(
            status=Publication.Status.FAILED, error="interrupted", finished_at=now
        )
        running = editions.filter(status__in=[Publication.Status.QUEUED, Publication.Status.BUILDING]).first()
        if running is not None:
            return running, False
        last = editions.aggregate(last=models.Max("edition"))["last"] or 0
        publication = Publication.objects.create(
            initiative=initiative, language=language, edition=last + 1, requested_by=actor, created_at=now
        )
        activity_log(actor=actor, verb="publication.requested", target=publication, language=language)
        if enqueue:
            transaction.on_commit(lambda: _enqueue_build(publication.pk))
    return publication, True


def _enqueue_build(publication_id: int) -> None:
    from .tasks import publication_build

    try:
        publication_build.delay(publication_id)
    except Exception:  # noqa: BLE001 - broker down: the edition stays queued and is shown as waiting
        logger.exception("Could not queue the build of publication %s", publication_id)


def _progress(publication_id: int, progress: int) -> None:
    Publication.objects.filter(pk=publication_id).update(progress=progress)


def publication_build(*, publication_id: int) -> bool:
    """Build one edition's PDF. Claims the row with a conditional UPDATE (queued → building), so a duplicate
    task does nothing. Returns whether this call built it."""
    from . import publication as renderer

    now = timezone.now()
    claimed = Publication.objects.filter(pk=publication_id, status=Publication.Status.QUEUED).update(
        status=Publication.Status.BUILDING, started_at=now, progress=5
    )
    if claimed != 1:
        return False
    publication = Publication.objects.select_related("initiative", "requested_by").get(pk=publication_id)
    try:
        pdf, pages = renderer.render_pdf(
            initiative=publication.initiative,
            language=publication.language,
            edition=publication,
            progress=lambda value: _progress(publication_id, value),
        )
        publication.file.save(publication.filename, ContentFile(pdf), save=False)
    except Exception as exc:  # noqa: BLE001 - any failure is shown to the organiser, who may build again
        logger.exception("Building publication %s failed", publication_id)
        Publication.objects.filter(pk=publication_id).update(
            status=Publication.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return False
    with transaction.atomic():
        Publication.objects.filter(pk=publication_id).update(
            status=Publication.Status.DONE,
            progress=100,
            file=publication.file.name,
            pages=pages,
            size=len(pdf),
            finished_at=timezone.now(),
        )
        publication.refresh_from_db()
        activity_log(verb="publication.built", target=publication, pages=pages, size=len(pdf))
        if publication.requested_by is not None:
            notification_queue(
                kind="workshop_publication_ready",
                to_email=publication.requested_by.email,
                recipient=publication.requested_by,
                context={
                    "publication": publication,
                    "initiative": publication.initiative,
                    "url": absolute_url(
                        reverse("workshops:publication_manage", args=[publication.initiative.code])
                    ),
                },
                dedup_key=f"publication:{publication.pk}:ready",
            )
    return True


def publication_publish(*, publication: Publication, actor, publish: bool = True) -> Publication:
    """Make an edition the one everybody can download from the initiative's page (or take it back)."""
    if publication.status != Publication.Status.DONE:
        raise ValidationError(_("Only a finished edition can be published."))
    with transaction.atomic():
        Publication.objects.filter(pk=publication.pk).update(published_at=timezone.now() if publish else None)
        activity_log(
            actor=actor,
            verb="publication.published" if publish else "publication.unpublished",
            target=publication,
        )
    publication.refresh_from_db()
    return publication
