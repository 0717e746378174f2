"""The audit's fieldwork: walking audits (route, time, participants by group, a checklist per stop,
photos), private interview and focus-group notes, uploaded police statistics, and the public consultation on
the draft findings (comments moderated before they are shown). Every write is the coordinator's, except a
resident's comment; every one checks its phase and bounds its input, and writes all or nothing."""

import csv
import io
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString, Point
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.services import activity_log, client_fingerprint
from portal.uploads import PDF, UnacceptableFile, clean_document_or_photo

from ..models import (
    Audit,
    ConsultationComment,
    FieldNote,
    PoliceFigure,
    PoliceFigures,
    SteeringMember,
    WalkPhoto,
    WalkSession,
    WalkStop,
)
from ..workflow import AuditPhase
from .audit_cycle import EARLIEST, LATEST, _coordinator, _in_phase, _long_text

FIELDWORK_PHASES = (AuditPhase.EVIDENCE, AuditPhase.DIAGNOSIS)
ROUTE_MAX_POINTS = 200
STOPS_MAX = 40
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTOS_PER_STOP = 6
PARTICIPANTS_MAX = 500
CSV_MAX_BYTES = 1024 * 1024
CSV_MAX_ROWS = 5000
POLICE_COLUMNS = ["district", "period", "offence", "count"]
CONSULTATION_MAX_DAYS = 90
COMMENTS_PER_IP_PER_DAY = 5

PARTICIPANT_GROUPS = {
    "residents": gettext_lazy("residents"),
    "women": gettext_lazy("women"),
    "seniors": gettext_lazy("seniors"),
    "young": gettext_lazy("young people"),
    "disabled": gettext_lazy("people with disabilities"),
    "police": gettext_lazy("police"),
    "town_staff": gettext_lazy("town staff"),
}
CHECKLIST = {
    "lighting": gettext_lazy("Lighting"),
    "visibility": gettext_lazy("Visibility (sight lines, hiding places)"),
    "maintenance": gettext_lazy("Maintenance (litter, graffiti, damage)"),
    "signage": gettext_lazy("Signage and orientation"),
    "isolation": gettext_lazy("Isolation (people around, help within reach)"),
    "escape": gettext_lazy("Escape routes"),
    "access": gettext_lazy("Access for all (steps, kerbs, prams)"),
}
RATINGS = {
    "good": gettext_lazy("good"),
    "fair": gettext_lazy("fair"),
    "poor": gettext_lazy("poor"),
    "na": gettext_lazy("not assessed"),
}


# --- walking audits ----


def parse_route(text: str) -> list[tuple[float, float]]:
    """A route typed or drawn as "latitude, longitude" pairs, one per line or separated by semicolons:
    [(longitude, latitude)], 2 to ROUTE_MAX_POINTS points inside the valid ranges; [] when empty."""
    text = (text or "").strip()
    if not text:
        return []
    parts = [p.strip() for p in text.replace("\n", ";").split(";") if p.strip()]
    if len(parts) > ROUTE_MAX_POINTS:
        raise ValidationError({"route": _("A route has at most %(max)d points.") % {"max": ROUTE_MAX_POINTS}})
    points = []
    for number, part in enumerate(parts, start=1):
        try:
            lat, lon = (float(v) for v in part.split(","))
        except ValueError:
            raise ValidationError(
                {
                    "route": _("Point %(n)d is not “latitude, longitude”, e.g. 49.4405, 12.9298.")
                    % {"n": number}
                }
            ) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError({"route": _("Point %(n)d lies outside the map.") % {"n": number}})
        points.append((lon, lat))
    if len(points) < 2:
        raise ValidationError({"route": _("A route needs at least two points.")})
    return points


def _participants(counts: dict) -> dict[str, int]:
    result = {}
    for group, value in (counts or {}).items():
        if group not in PARTICIPANT_GROUPS:
            raise ValidationError({"participants": _("Unknown group of participants.")})
        if value is None or value == "":
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if not 0 <= number <= PARTICIPANTS_MAX:
            raise ValidationError(
                {f"p_{group}": _("Give a number from 0 to %(max)d.") % {"max": PARTICIPANTS_MAX}}
            )
        if number:
            result[group] = number
    return result


def walk_add(
    *,
    actor,
    audit: Audit,
    title: str,
    held_at: datetime,
    after_dark: bool,
    route: str = "",
    route_description: str = "",
    participants: dict | None = None,
) -> WalkSession:
    _coordinator(actor, audit)
    _in_phase(audit, *FIELDWORK_PHASES)
    if not (EARLIEST <= held_at.date() <= LATEST):
        raise ValidationError({"held_at": _("Give a date between 2000 and 2100.")})
    points = parse_route(route)
    description = _long_text("route_description", route_description)
    if not points and not description:
        raise ValidationError(
            {"route": _("Draw the route on the map, type its points or describe it in words.")}
        )
    walk = WalkSession(
        audit=audit,
        title=(title or "").strip(),
        held_at=held_at,
        after_dark=bool(after_dark),
        route=LineString(points, srid=4326) if points else None,
        route_description=description,
        participants=_participants(participants or {}),
        created_by=actor,
    )
    walk.full_clean()
    with transaction.atomic():
        walk.save()
        activity_log(actor=actor, verb="audit.walk_added", target=audit, after_dark=walk.after_dark)
    return walk


def walk_stop_add(
    *, actor, walk: WalkSession, label: str, checklist: dict, comment: str = "", lat=None, lon=None
) -> WalkStop:
    audit = walk.audit
    _coordinator(actor, audit)
    _in_phase(audit, *FIELDWORK_PHASES)
    answers = {}
    for item, rating in (checklist or {}).items():
        if item not in CHECKLIST or (rating and rating not in RATINGS):
            raise ValidationError(_("Choose a rating from the list."))
        if rating:
            answers[item] = rating
    if not answers:
        raise ValidationError(_("Rate at least one item of the checklist."))
    point = None
    if lat is not None or lon is not None:
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError({"lat": _("Give both latitude and longitude, or neither.")})
        point = Point(lon, lat, srid=4326)
    with transaction.atomic():
        locked = WalkSession.objects.select_for_update().get(pk=walk.pk)
        count = locked.stops.count()
        if count >= STOPS_MAX:
            raise ValidationError(_("A walk has at most %(max)d stops.") % {"max": STOPS_MAX})
        stop = WalkStop(
            walk=locked,
            order=count + 1,
            label=(label or "").strip(),
            point=point,
            checklist=answers,
            comment=_long_text("comment", comment, 1000),
        )
        stop.full_clean()
        stop.save()
    return stop


def walk_photo_add(*, actor, stop: WalkStop, upload) -> WalkPhoto:
    """A JPEG/PNG photo, re-encoded without its metadata, geotagged with the stop's location."""
    audit = stop.walk.audit
    _coordinator(actor, audit)
    _in_phase(audit, *FIELDWORK_PHASES)
    data = upload.read(PHOTO_MAX_BYTES + 1)
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _("A photo may have at most 5 MB.")})
    name = (upload.name or "photo").replace("/", "_").replace("\\", "_")[-100:]
    try:
        name, data, content_type = clean_document_or_photo(name, data)
    except UnacceptableFile as refused:
        raise ValidationError(
            {"photo": refused.message or _("“%(name)s” is not a photo (JPEG, PNG).") % {"name": name}}
        ) from None
    if content_type == PDF:
        raise ValidationError({"photo": _("“%(name)s” is not a photo (JPEG, PNG).") % {"name": name}})
    with transaction.atomic():
        locked = WalkStop.objects.select_for_update().get(pk=stop.pk)
        if locked.photos.count() >= PHOTOS_PER_STOP:
            raise ValidationError(
                {"photo": _("A stop has at most %(max)d photos.") % {"max": PHOTOS_PER_STOP}}
            )
        photo = WalkPhoto(stop=locked, content_type=content_type, point=locked.point)
        photo.file.save(name, ContentFile(data), save=False)
        photo.save()
    return photo


# --- private notes and the steering group's accounts ----


def note_add(*, actor, audit: Audit, kind: str, held_on: date, title: str, text: str) -> FieldNote:
    _coordinator(actor, audit)
    _in_phase(audit, *FIELDWORK_PHASES)
    if not (EARLIEST <= held_on <= LATEST):
        raise ValidationError({"held_on": _("Give a date between 2000 and 2100.")})
    note = FieldNote(
        audit=audit,
        kind=kind,
        held_on=held_on,
        title=(title or "").strip(),
        text=_long_text("text", text, 5000),
        author=actor,
    )
    note.full_clean()
    with transaction.atomic():
        note.save()
        activity_log(actor=actor, verb="audit.note_added", target=audit)  # no text in the log: it is private
    return note


def steering_member_link(*, actor, member: SteeringMember, email: str) -> SteeringMember:
    """Link a steering group member to their Okrsek account (by its email), so they can read the private
    notes; an empty email removes the link."""
    _coordinator(actor, member.audit)
    email = (email or "").strip()
    user = None
    if email:
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise ValidationError({"email": _("No Okrsek account has this email address.")})
    SteeringMember.objects.filter(pk=member.pk).update(user=user)
    activity_log(actor=actor, verb="audit.member_linked", target=member.audit, linked=user is not None)
    member.user = user
    return member


# --- police statistics ----


def police_figures_import(*, actor, audit: Audit, data: bytes, filename: str, source: str) -> PoliceFigures:
    """A CSV of police statistics with the columns ``district,period,offence,count`` (UTF-8, comma or
    semicolon), with its source. All rows or none are saved."""
    _coordinator(actor, audit)
    _in_phase(audit, *FIELDWORK_PHASES)
    source = (source or "").strip()
    if not source:
        raise ValidationError({"source": _("Say where the figures come from.")})
    if len(source) > 300:
        raise ValidationError({"source": _("At most %(max)d characters.") % {"max": 300}})
    if len(data) > CSV_MAX_BYTES:
        raise ValidationError({"file": _("The file may have at most 1 MB.")})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            {"file": _("The file is not in UTF-8. Save it as CSV UTF-8 and try again.")}
        ) from None
    if "\x00" in text:
        raise ValidationError({"file": _("This is not a CSV file.")})
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if header != POLICE_COLUMNS:
        raise ValidationError(
            {"file": _("The columns must be: %(columns)s.") % {"columns": ", ".join(POLICE_COLUMNS)}}
        )
    if len(rows) - 1 > CSV_MAX_ROWS:
        raise ValidationError({"file": _("At most %(max)d lines.") % {"max": CSV_MAX_ROWS}})
    figures = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 4:
            raise ValidationError({"file": _("Line %(line)d does not have four columns.") % {"line": number}})
        district, period, offence, count = (cell.strip() for cell in row)
        if not district or not period or not offence:
            raise ValidationError({"file": _("Line %(line)d has an empty column.") % {"line": number}})
        if len(district) > 200 or len(period) > 20 or len(offence) > 200:
            raise ValidationError(
                {"file": _("Line %(line)d has a value that is too long.") % {"line": number}}
            )
        if not count.isdigit() or int(count) > 10_000_000:
            raise ValidationError(
                {"file": _("Line %(line)d: the count is not a whole number ≥ 0.") % {"line": number}}
            )
        figures.append(PoliceFigure(district=district, period=period, offence=offence, count=int(count)))
    if not figures:
        raise ValidationError({"file": _("The file has no figures.")})
    with transaction.atomic():
        upload = PoliceFigures.objects.create(
            audit=audit, source=source, filename=(filename or "")[-200:], uploaded_by=actor
        )
        for figure in figures:
            figure.upload = upload
        PoliceFigure.objects.bulk_create(figures)
        activity_log(actor=actor, verb="audit.police_figures", target=audit, rows=len(figures))
    return upload


# --- the public consultation on the draft findings ----


def consultation_set(*, actor, audit: Audit, opens_on: date, closes_on: date) -> Audit:
    _coordinator(actor, audit)
    _in_phase(audit, AuditPhase.DIAGNOSIS)
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("The consultation cannot close before it opens.")})
    if (closes_on - opens_on).days > CONSULTATION_MAX_DAYS:
        raise ValidationError(
            {"closes_on": _("A consultation lasts at most %(days)d days.") % {"days": CONSULTATION_MAX_DAYS}}
        )
    if not (EARLIEST <= opens_on <= LATEST):
        raise ValidationError({"opens_on": _("Give a date between 2000 and 2100.")})
    with transaction.atomic():
        Audit.objects.filter(pk=audit.pk).update(
            consultation_opens_on=opens_on, consultation_closes_on=closes_on
        )
        activity_log(actor=actor, verb="audit.consultation_set", target=audit)
    audit.consultation_opens_on, audit.consultation_closes_on = opens_on, closes_on
    return audit


def consultation_open(audit: Audit, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(
        audit.phase == AuditPhase.DIAGNOSIS
        and audit.consultation_opens_on
        and audit.consultation_closes_on
        and audit.consultation_opens_on <= today <= audit.consultation_closes_on
    )


def comment_add(*, audit: Audit, text: str, finding=None, ip: str = "") -> ConsultationComment:
    """A resident's comment (no account needed), kept for moderation; a few per network a day."""
    if not consultation_open(audit):
        raise ValidationError(_("The consultation is not open."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write your comment.")})
    if len(text) > 1000:
        raise ValidationError({"text": _("At most %(max)d characters.") % {"max": 1000}})
    if finding is not None and finding.audit_id != audit.pk:
        raise ValidationError({"finding": _("Choose a finding of this audit.")})
    fingerprint = client_fingerprint(ip=ip)
    since = timezone.now() - timedelta(days=1)
    with transaction.atomic():
        recent = ConsultationComment.objects.filter(audit=audit, ip_hash=fingerprint, created_at__gte=since)
        if recent.count() >= COMMENTS_PER_IP_PER_DAY:
            raise ValidationError(_("Too many comments from this network today. Try again tomorrow."))
        comment = ConsultationComment.objects.create(
            audit=audit, finding=finding, text=text, ip_hash=fingerprint
        )
    return comment


def comment_moderate(*, actor, comment: ConsultationComment, status: str) -> ConsultationComment:
    _coordinator(actor, comment.audit)
    if status not in (ConsultationComment.Status.APPROVED, ConsultationComment.Status.REJECTED):
        raise ValidationError(_("Choose a status from the list."))
    with transaction.atomic():
        ConsultationComment.objects.filter(pk=comment.pk).update(status=status)
        activity_log(actor=actor, verb="audit.comment_moderated", target=comment.audit, status=status)
    comment.status = status
    return comment
