"""Submitting a citizen's report: from the web form and from Open311 client applications.

One transaction with a constant number of statements, whatever the district: the client's lock, the daily
limit, the report, its "submitted" event, the activity-log entries (one insert) and the emails (one insert of
outbox rows the worker renders; ``portal.services.notifications_queue_many``). The place is routed with one
point-in-polygon query, and the officer and the coordinators who hear of it are read with one more.
"""

import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.services import activity_logs, client_fingerprint, notifications_queue_many
from portal.uploads import PDF, UnacceptableFile, clean_documents_or_photos, photo_thumbnail

from .. import map_cells, selectors
from ..models import OCCURRED_AT_RANGE, Attachment, Category, Report, ReportEvent, Status
from ..workflow import TAKE_UP
from .limits import client_lock

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


@dataclass
class Channel:
    """What a channel other than the web form adds to a submission (Open311): the note and data of the
    "submitted" event (police only) and further activity-log entries, written with the report's."""

    note: str = ""
    data: dict = field(default_factory=dict)
    log: list[tuple[str, dict]] = field(default_factory=list)  # (verb, data)


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
    channel: Channel | None = None,
    now: datetime | None = None,
) -> tuple[Report, str | None]:
    """File a citizen's report. Returns the report and its private tracking token (only its hash is kept).

    ``submission_key`` is the report form's one-time key: the same form sent again (a double click, a resent
    form, two requests at once) files nothing and returns the report the first one filed, with None for the
    token (the database's unique index decides, as in ``portal.services.create_once``). ``route`` is
    ``selectors.report_route(point=point)`` when the caller has looked it up already; ``reporter`` is the
    logged-in citizen ("My reports"); ``channel``: what an API client adds (``open311``).
    ``place_approximate``: the citizen chose a town or a district, not the point (the submitted event says so,
    for the police). A client (its salted IP hash) files at most ``REPORTS_PER_CLIENT_CATEGORY_DAY`` reports
    per category in 24 h; its submissions are handled one at a time, so concurrent ones are counted, not
    raced. Raises ValidationError (field → message) for anything wrong; nothing is saved then."""
    now = now or timezone.now()
    token = secrets.token_urlsafe(24)
    description, reporter_email = (description or "").strip(), (reporter_email or "").strip()
    _refuse_invalid(category=category, point=point, description=description, occurred_at=occurred_at, now=now)
    ip_hash = client_fingerprint(ip=ip)
    try:
        with transaction.atomic():
            # One client's submissions are handled one at a time, from the daily limit to the saved report:
            # concurrent ones cannot all pass the limit against the same count
            client_lock(ip_hash=ip_hash)
            if settings.REPORTS_PER_CLIENT_CATEGORY_DAY:  # before the files are decoded
                _refuse_over_daily_limit(ip_hash=ip_hash, category=category, now=now, key=submission_key)
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
            clean_files = _clean_attachments(list(attachments))
            assignee, police = selectors.new_report_police(
                district=route.district, police_unit=route.police_unit
            )
            report = Report(
                token_hash=selectors.token_hash(token),
                submission_key=submission_key,
                category=category,
                point=point,
                description=description,
                occurred_at=occurred_at,
                reporter_email=reporter_email,
                reporter_language=language,
                reporter=reporter if getattr(reporter, "is_authenticated", False) else None,
                ip_hash=ip_hash,
                police_unit=route.police_unit,
                district=route.district,
                municipality=route.municipality,
                assignee=assignee,
                created_at=now,
                updated_at=now,
            )
            for name, value in TAKE_UP.start_changes(report, now).items():  # the KMZB clock starts now
                setattr(report, name, value)
            report.due_at = report.take_up_due_at
            # The related rows were just read (the category, the route, the officer): not looked up once
            # more; the time of occurrence's range was checked above (and the database checks it again). The
            # form's key is unique: a concurrent twin is refused by the database, not by a read here
            report.full_clean(
                exclude=["token_hash", "reference", "submission_key", *RELATED_READ],
                validate_constraints=False,
            )
            report.save()
            _write_the_rest(report, clean_files, police, token, place_approximate, channel or Channel(), now)
    except IntegrityError:
        existing = _filed_with(submission_key)  # a twin request (a double click) filed it first
        if existing is None:
            raise
        return existing, None
    except _FiledAlready as filed:
        return filed.report, None
    return report, token


class _FiledAlready(Exception):  # noqa: N818 - not an error: the form's report exists
    def __init__(self, report: Report):
        self.report = report


def _filed_with(key: uuid.UUID | None) -> Report | None:
    return Report.objects.filter(submission_key=key).first() if key is not None else None


def _refuse_invalid(*, category, point, description, occurred_at, now) -> None:
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


def _refuse_over_daily_limit(
    *, ip_hash: str, category: Category, now: datetime, key: uuid.UUID | None = None
) -> None:
    """KMZB's abuse limit: ``REPORTS_PER_CLIENT_CATEGORY_DAY`` reports per client and category in 24 h.
    A form sent again whose first sending filed the limit's last report gets that report, not a refusal."""
    recent = Report.objects.filter(
        ip_hash=ip_hash, category=category, created_at__gte=now - timedelta(hours=24)
    )
    if recent.count() >= settings.REPORTS_PER_CLIENT_CATEGORY_DAY:
        if (existing := _filed_with(key)) is not None:
            raise _FiledAlready(existing)
        raise ValidationError(
            {
                "category": _(
                    "You have already reported this kind of problem today. If you saw it again, add your "
                    "support to your earlier report, or call the police if it is urgent."
                )
            }
        )


def _write_the_rest(
    report: Report,
    clean_files: list[CleanAttachment],
    police: list,
    token: str,
    place_approximate: bool,
    channel: Channel,
    now: datetime,
) -> None:
    """Attachments, the "submitted" event, the log entries and the emails of a saved report."""
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
        report=report,
        at=now,
        action="submitted",
        to_status=Status.NEW,
        internal_note=channel.note,
        data={**place, **channel.data},
    )
    map_cells.report_changed(report, before=None, after=report.status)  # the public map's clusters
    activity_logs(
        entries=[
            ("report.submitted", report, {"category": report.category.code, **place}),
            *((verb, report, data) for verb, data in channel.log),
        ],
        at=now,
    )
    # Rendered by the worker (the templates read the report's reference, category, district and take-up
    # time, which do not change in the seconds before it renders them)
    emails = [
        {
            "kind": "incident_new",
            "to_email": user.email,
            "recipient": user,
            "context": {"report": report},
            "dedup_key": f"report:{report.pk}:new:{user.pk}",
        }
        for user in police
        if user.email
    ]
    if report.reporter_email:
        emails.append(
            {
                "kind": "incident_received",
                "to_email": report.reporter_email,
                "language": report.reporter_language,
                # The first link, with the token itself (only its hash is kept)
                "context": {"report": report, "tracking_url": selectors.tracking_url(token)},
                "dedup_key": f"report:{report.pk}:received",
            }
        )
    notifications_queue_many(emails, render_later=True, new_keys=True)
