"""Writes of the incidents app: submitting and supporting reports, the workflow, deadlines, districts.

Everything a citizen or an officer changes goes through here, in one transaction, with a timeline event, an
activity-log entry and the notifications that belong to it (written to the outbox in the same transaction).
"""

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.gis.geos import MultiPolygon, Point
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.deadlines import sweep
from portal.models import PartnerBody
from portal.retention import Retention
from portal.services import activity_log, client_fingerprint, create_once, notification_queue, row_upsert
from portal.uploads import PDF, UnacceptableFile, clean_documents_or_photos, photo_thumbnail
from portal.workflow import apply

from . import follow, map_cells, selectors
from .models import (
    OCCURRED_AT_RANGE,
    OPEN_STATUSES,
    Attachment,
    Category,
    District,
    RateCounter,
    Report,
    ReportEvent,
    Status,
    Support,
)
from .workflow import PARTNER_RESOLVE, REPORT, TAKE_UP, VERIFY, TrackingTokenHolder

logger = logging.getLogger(__name__)

MAX_DESCRIPTION = 500
MAX_ATTACHMENTS = 3
MAX_ATTACHMENTS_BYTES = 5 * 1024 * 1024
RELATED_READ = ["category", "police_unit", "district", "municipality", "assignee", "reporter"]
# When a report's event may have happened: not before 1970 (the database refuses anything outside
# ``models.OCCURRED_AT_RANGE`` too), and not later than a few minutes from now (a clock a little ahead is no
# reason to refuse a report).
OCCURRED_EARLIEST = OCCURRED_AT_RANGE[0]
OCCURRED_FUTURE_SLACK = timedelta(minutes=5)


# --- categories -----------------------------------------------------------------------------------------


@transaction.atomic
def category_upsert(*, code: str, **fields) -> tuple[Category, bool]:
    """Create the category ``code`` or update its fields. Returns (category, created)."""
    return row_upsert(Category, lookup={"code": code}, fields=fields)


# --- districts ------------------------------------------------------------------------------------------


@transaction.atomic
def district_upsert(
    *, code: str, name: str, area: MultiPolygon, police_unit, municipality=None
) -> tuple[District, bool]:
    """Create or update the district ``code`` (imports are idempotent by code)."""
    fields = {"name": name, "area": area, "police_unit": police_unit}
    if municipality is not None:
        fields["municipality"] = municipality
    result = row_upsert(District, lookup={"code": code}, fields=fields)
    cache.delete(selectors.report_area_cache_key())  # the report form's choice of towns and districts
    return result


# --- submitting -----------------------------------------------------------------------------------------


def occurred_at_problem(value: datetime | None, *, now: datetime) -> str | None:
    """Why ``value`` cannot be a report's time of occurrence (a translated message), or None if it can.
    The report form asks this too, so a citizen hears it before anything else is checked."""
    if value is None:
        return None
    if timezone.is_naive(value):  # a caller's naive time is the portal's local time, as Django saves it
        value = timezone.make_aware(value)
    # Aware datetimes compare by their UTC instants without building one, so year 1 cannot overflow here
    if value < OCCURRED_EARLIEST:
        return _("The time of occurrence cannot be before 1 January 1970.")
    if value > now + OCCURRED_FUTURE_SLACK:
        return _("The time of occurrence cannot be in the future.")
    return None


@dataclass
class CleanAttachment:
    name: str
    content: bytes
    content_type: str
    thumbnail: bytes | None = None  # photos: the small JPEG the report page shows

    @classmethod
    def of(cls, name: str, content: bytes, content_type: str) -> "CleanAttachment":
        thumbnail = None if content_type == PDF else photo_thumbnail(content)
        return cls(name, content, content_type, thumbnail)


def _clean_attachments(files: list[UploadedFile]) -> list[CleanAttachment]:
    """Accept up to 3 JPEG/PNG/PDF files of at most 5 MB together. Photos are decoded and re-encoded, which
    drops EXIF (GPS included) and anything hidden in the file; anything else is refused."""
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("At most %(count)d files can be attached.") % {"count": MAX_ATTACHMENTS}}
        )
    if sum(f.size for f in files) > MAX_ATTACHMENTS_BYTES:
        raise ValidationError({"attachments": _("The attachments may have at most 5 MB together.")})
    uploads = [
        ((upload.name or "attachment")[-100:], upload.read(MAX_ATTACHMENTS_BYTES + 1)) for upload in files
    ]
    try:  # every file's type and size is checked before any is decoded
        return [CleanAttachment.of(*item) for item in clean_documents_or_photos(uploads)]
    except UnacceptableFile as refused:
        raise ValidationError(
            {
                "attachments": refused.message
                or _("“%(name)s” is not a photo (JPEG, PNG) or a PDF document we can accept.")
                % {"name": refused.name}
            }
        ) from None


def report_submit(
    *,
    category: Category,
    point: Point,
    description: str = "",
    occurred_at: datetime | None = None,
    attachments: list[UploadedFile] = (),
    reporter_email: str = "",
    language: str = "cs",
    ip: str,
    submission_key: uuid.UUID | None = None,
    route: selectors.Route | None = None,
    reporter=None,
    place_approximate: bool = False,
    now: datetime | None = None,
) -> tuple[Report, str | None]:
    """File a citizen's report. Returns the report and its private tracking token (only its hash is kept).

    ``submission_key`` is the report form's one-time key: the same form sent again (a double click, a resent
    form, two requests at once) files nothing and returns the report the first one filed, with None for the
    token (``portal.services.create_once``). ``route`` is ``selectors.report_route(point=point)`` when the
    caller has looked it up already; ``reporter`` is the logged-in citizen ("My reports").
    ``place_approximate``: the citizen chose a town or a district, not the point (the submitted event says so,
    for the police). A client (its salted IP hash) files at most ``REPORTS_PER_CLIENT_CATEGORY_DAY`` reports
    per category in 24 h; its submissions are handled one at a time, so concurrent ones are counted, not
    raced. Raises ValidationError (field → message) for anything wrong; nothing is saved then."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(24)

    def file() -> Report:
        return _report_file(
            category=category,
            point=point,
            description=(description or "").strip(),
            occurred_at=occurred_at,
            attachments=list(attachments),
            reporter_email=(reporter_email or "").strip(),
            language=language,
            ip=ip,
            submission_key=submission_key,
            route=route,
            place_approximate=place_approximate,
            token=token,
            reporter=reporter if getattr(reporter, "is_authenticated", False) else None,
            now=now,
        )

    with transaction.atomic():
        # One client's submissions are handled one at a time, from the double-submit check to the saved
        # report: concurrent ones cannot all pass the daily limit against the same count
        client_lock(ip_hash=client_fingerprint(ip=ip))
        report, created = create_once(Report, submission_key=submission_key, create=file)
    return report, (token if created else None)


def _report_file(
    *,
    category: Category,
    point: Point,
    description: str,
    occurred_at: datetime | None,
    attachments: list[UploadedFile],
    reporter_email: str,
    language: str,
    ip: str,
    submission_key: uuid.UUID | None,
    route: selectors.Route | None,
    place_approximate: bool,
    token: str,
    reporter,
    now: datetime,
) -> Report:
    if not category.active:
        raise ValidationError({"category": _("This category can no longer be chosen.")})
    if len(description) > MAX_DESCRIPTION:
        raise ValidationError(
            {
                "description": _("The description may have at most %(max)d characters.")
                % {"max": MAX_DESCRIPTION}
            }
        )
    if category.description_required and not description:
        raise ValidationError({"description": _("Please describe the problem: this category needs it.")})
    if problem := occurred_at_problem(occurred_at, now=now):
        raise ValidationError({"occurred_at": problem})
    if not (-180 <= point.x <= 180 and -90 <= point.y <= 90):
        raise ValidationError({"point": _("These coordinates are not a place on Earth.")})
    ip_hash = client_fingerprint(ip=ip)
    if settings.REPORTS_PER_CLIENT_CATEGORY_DAY:  # under the client's lock (report_submit), before the files
        _refuse_over_daily_limit(ip_hash=ip_hash, category=category, now=now)
    route = route or selectors.report_route(point=point)
    if not route.served:
        raise ValidationError(
            {
                "point": _(
                    "This place is outside the area Okrsek serves. Please call the police on 158 "
                    "(in Poland 112) if it is urgent."
                )
            }
        )
    clean_files = _clean_attachments(attachments)
    district = route.district
    assignee = selectors.district_default_officer(district=district) if district else None

    with transaction.atomic():
        report = Report(
            token_hash=selectors.token_hash(token),
            submission_key=submission_key,
            category=category,
            point=point,
            description=description,
            occurred_at=occurred_at,
            reporter_email=reporter_email,
            reporter_language=language,
            reporter=reporter,
            ip_hash=ip_hash,
            police_unit=route.police_unit,
            district=district,
            municipality=route.municipality,
            assignee=assignee,
            created_at=now,
            updated_at=now,
        )
        for name, value in TAKE_UP.start_changes(report, now).items():  # the KMZB clock starts now
            setattr(report, name, value)
        report.due_at = report.take_up_due_at
        # The form's key is unique: a concurrent twin is refused by the database, not by a read here
        # The related rows were just read (the category, the route, the officer): not looked up once more
        report.full_clean(exclude=["token_hash", "reference", "submission_key", *RELATED_READ])
        report.save()
        for item in clean_files:
            attachment = Attachment(
                report=report, content_type=item.content_type, size=len(item.content), original_name=item.name
            )
            attachment.file.save(item.name, ContentFile(item.content), save=False)
            if item.thumbnail is not None:
                attachment.thumbnail.save("thumb.jpg", ContentFile(item.thumbnail), save=False)
            attachment.save()
        place = {"place": "approximate"} if place_approximate else {}
        ReportEvent.objects.create(
            report=report, at=now, action="submitted", to_status=Status.NEW, data=place
        )
        map_cells.report_changed(report, before=None, after=report.status)  # the public map's clusters
        activity_log(verb="report.submitted", target=report, category=category.code, **place)
        _notify_police(report, kind="incident_new", event_key="new")
        if report.reporter_email:
            notification_queue(
                kind="incident_received",
                to_email=report.reporter_email,
                language=report.reporter_language,
                context={"report": report, "tracking_url": selectors.tracking_url(token)},  # the first link
                dedup_key=f"report:{report.pk}:received",
            )
    return report


def _refuse_over_daily_limit(*, ip_hash: str, category: Category, now: datetime) -> None:
    """KMZB's abuse limit: ``REPORTS_PER_CLIENT_CATEGORY_DAY`` reports per client and category in 24 h."""
    recent = Report.objects.filter(
        ip_hash=ip_hash, category=category, created_at__gte=now - timedelta(hours=24)
    )
    if recent.count() >= settings.REPORTS_PER_CLIENT_CATEGORY_DAY:
        raise ValidationError(
            {
                "category": _(
                    "You have already reported this kind of problem today. If you saw it again, add your "
                    "support to your earlier report, or call the police if it is urgent."
                )
            }
        )


def _notify_police(report: Report, *, kind: str, event_key: str) -> None:
    """Queue ``kind`` once per recipient for this event: the report's officers and the unit's coordinators."""
    for user in selectors.report_police_many([report], coordinators=True).get(report.pk, []):
        notification_queue(
            kind=kind,
            to_email=user.email,
            recipient=user,
            context={"report": report, "staff_url": selectors.staff_url(report)},
            dedup_key=f"report:{report.pk}:{event_key}:{user.pk}",
        )


def report_support(*, report: Report, ip: str, email: str = "", language: str = "") -> bool:
    """Add a citizen's support to an open report. Returns False if this client already supported it.

    ``email`` (optional): the supporter hears of the report's changes of status (``follow``); given again
    with a support this client made before, it is added to that support."""
    if report.status not in OPEN_STATUSES:
        raise ValidationError(_("This report is already closed."))
    email = (email or "").strip()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise ValidationError({"email": _("Enter a valid email address.")}) from None
    with transaction.atomic():
        support, created = Support.objects.get_or_create(
            report=report,
            ip_hash=client_fingerprint(ip=ip),
            defaults={"email": email, "language": language if email else ""},
        )
        if not created and email and support.email.lower() != email.lower():
            Support.objects.filter(pk=support.pk).update(email=email, language=language)
        if created:
            Report.objects.filter(pk=report.pk).update(support_count=models.F("support_count") + 1)
            ReportEvent.objects.create(report=report, action="supported")
            activity_log(verb="report.supported", target=report)
    return created


# --- abuse limits ----------------------------------------------------------------------------------------
# In the database, not in the cache (which fails open when Redis is down, and is per process without it):
# a limit holds across web workers and processes, with or without Redis.

CLIENT_LOCK_CLASS = 0x4F4B5231  # "OKR1": the first key of the per-client advisory locks on PostgreSQL


@dataclass(frozen=True)
class Window:
    """The clock hour a counter counts in at ``now``."""

    start: datetime
    reset_seconds: int  # until it ends

    @classmethod
    def at(cls, now: datetime) -> "Window":
        stamp = int(now.timestamp())
        return cls(datetime.fromtimestamp(stamp - stamp % 3600, tz=UTC), 3600 - stamp % 3600)


def client_lock(*, ip_hash: str) -> None:
    """Hold a lock on the client (its salted IP hash) until the current transaction ends, so that its
    submissions are checked against its limits and saved one after the other. PostgreSQL: an advisory
    transaction lock (two clients whose hashes share 32 bits only wait for each other); SQLite: the
    transaction began IMMEDIATE (settings), holding the database's one write lock already."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("client_lock() outside a transaction would release the lock at once")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [CLIENT_LOCK_CLASS, int(ip_hash[:8], 16) - 2**31]
            )


def rate_counter_hit(*, scope: str, key: str, limit: int, now: datetime | None = None) -> tuple[bool, Window]:
    """Count one hit of ``key`` in the current hour of ``scope``, unless the hour has ``limit`` hits already:
    then the hit is refused and not counted. Returns (allowed, window). A conditional UPDATE (``count <
    limit``) decides, so processes and threads sharing the database never let more than ``limit`` through
    together. ``limit`` 0: no limit, nothing is counted."""
    now = now or timezone.now()
    window = Window.at(now)
    if not limit:
        return True, window
    lookup = {"scope": scope, "key": key, "window_start": window.start}
    with_room = RateCounter.objects.filter(**lookup, count__lt=limit)
    if with_room.update(count=models.F("count") + 1, updated_at=now):
        return True, window
    if not RateCounter.objects.filter(**lookup).exists() and _rate_counter_create(lookup, now):
        return True, window  # the hour's first hit
    # Full, or created by a concurrent first hit a moment ago
    return bool(with_room.update(count=models.F("count") + 1, updated_at=now)), window


def rate_counter_add(*, scope: str, key: str, now: datetime | None = None) -> None:
    """Count one hit of ``key`` in the current hour of ``scope`` (e.g. a failed report form)."""
    now = now or timezone.now()
    lookup = {"scope": scope, "key": key, "window_start": Window.at(now).start}
    counter = RateCounter.objects.filter(**lookup)
    one_more = {"count": models.F("count") + 1, "updated_at": now}
    if not counter.update(**one_more) and not _rate_counter_create(lookup, now):
        counter.update(**one_more)  # a concurrent first hit created it a moment ago


def _rate_counter_create(lookup: dict, now: datetime) -> bool:
    """Create the counter with its first hit; False if a concurrent request created it first."""
    try:
        with transaction.atomic():
            RateCounter.objects.create(**lookup, count=1, updated_at=now)
    except IntegrityError:
        return False
    return True


def report_form_refusal(*, ip: str, now: datetime | None = None) -> Window | None:
    """The window until which this client's report forms are refused (it sent
    ``REPORT_FORM_FAILURES_PER_HOUR`` forms that failed this hour), or None. One query, before anything in
    the form is processed."""
    limit = settings.REPORT_FORM_FAILURES_PER_HOUR
    window = Window.at(now or timezone.now())
    if (
        limit
        and RateCounter.objects.filter(
            scope=RateCounter.Scope.FORM_FAILURES,
            key=client_fingerprint(ip=ip),
            window_start=window.start,
            count__gte=limit,
        ).exists()
    ):
        return window
    return None


def report_form_failed(*, ip: str, now: datetime | None = None) -> None:
    """Count a report form of this client that failed (invalid, refused, or crashed)."""
    rate_counter_add(scope=RateCounter.Scope.FORM_FAILURES, key=client_fingerprint(ip=ip), now=now)


def _rate_counters_expired(cutoff: datetime) -> models.Q:
    return models.Q(updated_at__lte=cutoff)


RATE_COUNTERS_RETENTION = Retention(
    name="incidents.rate_counters",
    label=gettext_lazy("Abuse-limit counters (salted IP hashes, api key ids)"),
    model="incidents.RateCounter",
    default_days=2,  # the counters count clock hours
    expired=_rate_counters_expired,
    delete=True,
)


# --- the workflow ---------------------------------------------------------------------------------------


def report_transition(
    *,
    report: Report,
    action: str,
    actor,
    public_answer: str = "",
    internal_note: str = "",
    partner_body: PartnerBody | None = None,
    assignee=None,
    district: District | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Report:
    """Apply one workflow action (``workflow.REPORT``). Refuses, with a clear message, anything the workflow
    does not allow; when two people act on the same report at once, the first wins and the second is told
    the report changed. Supporters who left an email hear of it like the reporter (``follow``).

    A report is handed over only to a body that serves its place (``selectors.hand_over_targets``),
    whatever form the body came from."""
    if partner_body is not None and not _serves(partner_body, report):
        raise ValidationError(
            {
                "partner_body": _(
                    "%(body)s does not serve the place of this report. Choose one of the bodies offered."
                )
                % {"body": partner_body.name}
            }
        )
    with transaction.atomic():
        updated = _apply_report(
            report,
            action,
            actor,
            public_answer=public_answer,
            internal_note=internal_note,
            partner_body=partner_body,
            assignee=assignee,
            district=district,
            expected_version=expected_version,
            now=now,
        )
        follow.supporters_notify(updated, follow.latest_event(updated))
    return updated


def _apply_report(
    report,
    action,
    actor,
    *,
    public_answer,
    internal_note,
    partner_body,
    assignee,
    district,
    expected_version,
    now,
) -> Report:
    return apply(
        REPORT,
        report,
        action,
        actor=actor,
        inputs={
            "public_answer": public_answer,
            "internal_note": internal_note,
            "partner_body": partner_body,
            "assignee": assignee,
            "district": district,
        },
        expected_version=expected_version,
        now=now,
    )


def _serves(partner_body: PartnerBody, report: Report) -> bool:
    return selectors.hand_over_targets(report=report).bodies.filter(pk=partner_body.pk).exists()


WITHDRAW_TOO_LATE = gettext_lazy(
    "The police have already taken up this report; it can no longer be withdrawn."
)


def report_withdraw(*, token: str = "", report: Report | None = None, now: datetime | None = None) -> Report:
    """The reporter takes their report back (``workflow`` "withdraw"), by the private tracking link: holding
    the token is the authorization. Only a report the police have not taken up yet: the engine's conditional
    update decides when the police act at the same moment. ``report``: the report a signed tracking link
    (``selectors.report_by_link``) opened, which authorizes like the token."""
    report = report if report is not None else selectors.report_by_token(token) if token else None
    if report is None:
        raise ValidationError(_("This tracking link is not valid."))
    if report.status not in REPORT.transitions["withdraw"].sources:
        raise ValidationError(WITHDRAW_TOO_LATE)
    with transaction.atomic():
        updated = apply(REPORT, report, "withdraw", actor=TrackingTokenHolder(report_id=report.pk), now=now)
        follow.supporters_notify(updated, follow.latest_event(updated))
    return updated


# --- deadlines ------------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    take_up_overdue: int = 0
    verify_overdue: int = 0
    take_up_reminders: int = 0
    verify_reminders: int = 0
    partner_overdue: int = 0
    partner_reminders: int = 0

    @property
    def total(self) -> int:
        return sum(vars(self).values())


def deadlines_sweep(*, now: datetime | None = None, batch: int = 500) -> SweepResult:
    """Mark overdue reports and send reminders before each deadline (``workflow.TAKE_UP``, ``VERIFY``,
    ``PARTNER_RESOLVE``) through the shared deadline engine: exactly once per event, whatever runs it twice,
    after a downtime or on two workers at once; the cost grows with what is due."""
    now = now or timezone.now()
    take_up, verify = sweep(TAKE_UP, now=now, batch=batch), sweep(VERIFY, now=now, batch=batch)
    partner = sweep(PARTNER_RESOLVE, now=now, batch=batch)
    return SweepResult(
        partner_overdue=partner["report.partner_resolve_overdue"],
        partner_reminders=partner["report.partner_resolve_reminder"],
        take_up_overdue=take_up["report.take_up_overdue"],
        verify_overdue=verify["report.verify_overdue"],
        take_up_reminders=take_up["report.take_up_reminder"],
        verify_reminders=verify["report.verify_reminder"],
    )


# --- attachments ----------------------------------------------------------------------------------------


def attachment_thumbnail_ensure(*, attachment: Attachment) -> bool:
    """Make the small JPEG of a photo stored before thumbnails were made at upload. True when the attachment
    has a thumbnail now. A PDF, a missing or unreadable file has none; two requests at once may both make
    one, the last one written is kept (the other file is removed)."""
    if attachment.thumbnail:
        return True
    if attachment.content_type == PDF:
        return False
    try:
        with attachment.file.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError):
        return False
    thumbnail = photo_thumbnail(data)
    if thumbnail is None:
        return False
    attachment.thumbnail.save("thumb.jpg", ContentFile(thumbnail), save=False)
    missing = Q(thumbnail__isnull=True) | Q(thumbnail="")
    if Attachment.objects.filter(missing, pk=attachment.pk).update(thumbnail=attachment.thumbnail.name) != 1:
        attachment.thumbnail.delete(save=False)  # another request made it first
        attachment.refresh_from_db(fields=["thumbnail"])
    return bool(attachment.thumbnail)
