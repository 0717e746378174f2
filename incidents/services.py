"""Writes of the incidents app: submitting and supporting reports, the workflow, deadlines, districts.

Everything a citizen or an officer changes goes through here, in one transaction, with a timeline event, an
activity-log entry and the notifications that belong to it (written to the outbox in the same transaction).
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.gis.geos import MultiPolygon, Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import PartnerBody
from portal.roles import role_names
from portal.services import activity_log, client_fingerprint, notification_queue
from portal.uploads import UnacceptableFile, clean_document_or_photo

from . import selectors
from .models import Attachment, Category, District, Report, ReportEvent, Support
from .workflow import OPEN_STATUSES, TRANSITIONS, Status

logger = logging.getLogger(__name__)

MAX_DESCRIPTION = 500
MAX_ATTACHMENTS = 3
MAX_ATTACHMENTS_BYTES = 5 * 1024 * 1024
REMINDER_BEFORE = timedelta(hours=6)


# --- categories -----------------------------------------------------------------------------------------


@transaction.atomic
def category_upsert(*, code: str, **fields) -> tuple[Category, bool]:
    """Create the category ``code`` or update its fields. Returns (category, created)."""
    category = Category.objects.select_for_update().filter(code=code).first()
    created = category is None
    if created:
        category = Category(code=code)
    for name, value in fields.items():
        setattr(category, name, value)
    category.full_clean()
    category.save()
    return category, created


# --- districts ------------------------------------------------------------------------------------------


@transaction.atomic
def district_upsert(
    *, code: str, name: str, area: MultiPolygon, police_unit, municipality=None
) -> tuple[District, bool]:
    """Create or update the district ``code`` (imports are idempotent by code)."""
    district = District.objects.select_for_update().filter(code=code).first()
    created = district is None
    if created:
        district = District(code=code)
    district.name, district.area, district.police_unit = name, area, police_unit
    if municipality is not None:
        district.municipality = municipality
    district.full_clean()
    district.save()
    return district, created


# --- submitting -----------------------------------------------------------------------------------------


@dataclass
class CleanAttachment:
    name: str
    content: bytes
    content_type: str


def _clean_attachments(files: list[UploadedFile]) -> list[CleanAttachment]:
    """Accept up to 3 JPEG/PNG/PDF files of at most 5 MB together. Photos are decoded and re-encoded, which
    drops EXIF (GPS included) and anything hidden in the file; anything else is refused."""
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("At most %(count)d files can be attached.") % {"count": MAX_ATTACHMENTS}}
        )
    if sum(f.size for f in files) > MAX_ATTACHMENTS_BYTES:
        raise ValidationError({"attachments": _("The attachments may have at most 5 MB together.")})
    cleaned = []
    for upload in files:
        data = upload.read(MAX_ATTACHMENTS_BYTES + 1)
        name = (upload.name or "attachment")[-100:]
        try:
            cleaned.append(CleanAttachment(*clean_document_or_photo(name, data)))
        except UnacceptableFile:
            raise ValidationError(
                {
                    "attachments": _("“%(name)s” is not a photo (JPEG, PNG) or a PDF document we can accept.")
                    % {"name": name}
                }
            ) from None
    return cleaned


def _route(point: Point) -> tuple:
    """(police unit, district, municipality) for a point, or ValidationError outside the served area."""
    district = selectors.district_at(point=point)
    municipality = selectors.municipality_at(point=point)
    if district is not None:
        return district.police_unit, district, municipality
    unit = selectors.police_unit_serving(municipality=municipality) if municipality else None
    if unit is None:
        raise ValidationError(
            {
                "point": _(
                    "This place is outside the area Okrsek serves. Please call the police on 158 "
                    "(in Poland 112) if it is urgent."
                )
            }
        )
    return unit, None, municipality


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


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
    now: datetime | None = None,
) -> tuple[Report, str]:
    """File a citizen's report. Returns the report and its private tracking token (only its hash is kept).

    Raises ValidationError (field → message) for anything wrong; nothing is saved then."""
    now = now or timezone.now()
    description = (description or "").strip()
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
    if occurred_at is not None and occurred_at > now + timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("The time of occurrence cannot be in the future.")})
    if not (-180 <= point.x <= 180 and -90 <= point.y <= 90):
        raise ValidationError({"point": _("These coordinates are not a place on Earth.")})
    ip_hash = client_fingerprint(ip=ip)
    limit = settings.REPORTS_PER_CLIENT_CATEGORY_DAY
    recent = Report.objects.filter(
        ip_hash=ip_hash, category=category, created_at__gte=now - timedelta(hours=24)
    )
    if limit and recent.count() >= limit:
        raise ValidationError(
            {
                "category": _(
                    "You have already reported this kind of problem today. If you saw it again, add your "
                    "support to your earlier report, or call the police if it is urgent."
                )
            }
        )
    police_unit, district, municipality = _route(point)
    clean_files = _clean_attachments(list(attachments))
    token = secrets.token_urlsafe(24)
    assignee = selectors.district_default_officer(district=district) if district else None

    with transaction.atomic():
        report = Report(
            token_hash=_token_hash(token),
            category=category,
            point=point,
            description=description,
            occurred_at=occurred_at,
            reporter_email=(reporter_email or "").strip(),
            reporter_language=language,
            ip_hash=ip_hash,
            police_unit=police_unit,
            district=district,
            municipality=municipality,
            assignee=assignee,
            created_at=now,
            updated_at=now,
            take_up_due_at=now + timedelta(hours=category.take_up_hours),
        )
        report.due_at = report.take_up_due_at
        report.full_clean(exclude=["token_hash", "reference"])
        report.save()
        for item in clean_files:
            attachment = Attachment(
                report=report, content_type=item.content_type, size=len(item.content), original_name=item.name
            )
            attachment.file.save(item.name, ContentFile(item.content), save=False)
            attachment.save()
        ReportEvent.objects.create(report=report, at=now, action="submitted", to_status=Status.NEW)
        activity_log(verb="report.submitted", target=report, category=category.code)
        _notify_police(report, kind="incident_new", event_key="new")
        if report.reporter_email:
            notification_queue(
                kind="incident_received",
                to_email=report.reporter_email,
                language=report.reporter_language,
                context={"report": report, "tracking_url": tracking_url(token)},
                dedup_key=f"report:{report.pk}:received",
            )
    return report, token


def report_support(*, report: Report, ip: str) -> bool:
    """Add a citizen's support to an open report. Returns False if this client already supported it."""
    if report.status not in OPEN_STATUSES:
        raise ValidationError(_("This report is already closed."))
    with transaction.atomic():
        support, created = Support.objects.get_or_create(report=report, ip_hash=client_fingerprint(ip=ip))
        if created:
            Report.objects.filter(pk=report.pk).update(support_count=models.F("support_count") + 1)
            ReportEvent.objects.create(report=report, action="supported")
            activity_log(verb="report.supported", target=report)
    return created


def tracking_url(token: str) -> str:
    from django.urls import reverse

    return settings.SITE_URL + reverse("incidents:track", args=[token])


def staff_url(report: Report) -> str:
    from django.urls import reverse

    return settings.SITE_URL + reverse("incidents:staff_report", args=[report.pk])


def report_by_token(token: str) -> Report | None:
    return Report.objects.filter(token_hash=_token_hash(token)).select_related("category").first()


# --- the workflow ---------------------------------------------------------------------------------------


def transition_allowed(*, report: Report, action: str, user) -> bool:
    transition = TRANSITIONS.get(action)
    if transition is None or report.status not in transition.sources:
        return False
    if getattr(user, "is_superuser", False):
        return True
    if not (role_names(user) & transition.roles):
        return False
    if transition.partner_may:
        return user.has_perm("incidents.answer_report", report)
    if action == "reassign" or action == "reopen":
        return user.has_perm("incidents.coordinate_report", report)
    return user.has_perm("incidents.act_on_report", report)


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
    """Apply one workflow action. Refuses, with a clear message, anything the workflow does not allow; when
    two people act on the same report at once, the first wins and the second is told the report changed."""
    now = now or timezone.now()
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("Unknown action."))
    if expected_version is not None and expected_version != report.version:
        # The page the user acted on is stale: say so rather than what the new state does not allow
        raise ValidationError(
            _("Someone else has just changed this report. Reload the page to see its current state.")
        )
    if report.status not in transition.sources:
        raise ValidationError(
            _("“%(action)s” is not possible for a report that is %(status)s.")
            % {"action": transition.label, "status": report.get_status_display()}
        )
    if not transition_allowed(report=report, action=action, user=actor):
        raise PermissionDenied(_("You may not do this with this report."))
    public_answer, internal_note = (public_answer or "").strip(), (internal_note or "").strip()
    if transition.answer_required and not public_answer:
        raise ValidationError({"public_answer": _("Please write a public answer for the reporter.")})
    if len(public_answer) > 2000 or len(internal_note) > 4000:
        raise ValidationError(_("The answer or the note is too long."))
    if transition.needs_partner_body and partner_body is None:
        raise ValidationError({"partner_body": _("Choose the body the report is handed over to.")})
    if transition.needs_assignee and assignee is None and district is None:
        raise ValidationError({"assignee": _("Choose the officer or the district.")})

    before = report.status
    version = report.version if expected_version is None else expected_version
    changes: dict = {"version": models.F("version") + 1, "updated_at": now}
    target = transition.target or report.status
    changes["status"] = target
    for stamp, value in transition.sets.items():
        changes[stamp] = now if value is True else value
    if public_answer:
        changes["public_answer"] = public_answer
    if transition.needs_partner_body:
        changes["partner_body"] = partner_body
    if action == "take_up":
        changes["assignee"] = report.assignee or actor
        changes["verify_due_at"] = now + timedelta(hours=report.category.verify_hours)
    if action == "reopen":
        changes.update(
            verify_due_at=now + timedelta(hours=report.category.verify_hours),
            verify_overdue=False,
            verify_reminded=False,
        )
    if action == "reassign":
        if district is not None:
            changes["district"] = district
            changes["assignee"] = assignee or selectors.district_default_officer(district=district)
        else:
            changes["assignee"] = assignee
    # The deadline the queue orders by
    if target == Status.NEW:
        changes["due_at"] = report.take_up_due_at
    elif target == Status.VERIFYING:
        changes["due_at"] = changes.get("verify_due_at", report.verify_due_at)
    else:
        changes["due_at"] = None

    with transaction.atomic():
        won = Report.objects.filter(pk=report.pk, version=version, status=before).update(**changes)
        if won != 1:
            raise ValidationError(
                _("Someone else has just changed this report. Reload the page to see its current state.")
            )
        report.refresh_from_db()
        ReportEvent.objects.create(
            report=report,
            at=now,
            actor=actor,
            action=action,
            from_status=before,
            to_status=target,
            public_answer=public_answer,
            internal_note=internal_note,
            data={
                "partner_body": partner_body.pk if partner_body else None,
                "assignee": changes.get("assignee").pk
                if getattr(changes.get("assignee"), "pk", None)
                else None,
            },
        )
        activity_log(actor=actor, verb=f"report.{action}", target=report, status=target)
        if report.reporter_email and (target != before or public_answer):
            notification_queue(
                kind="incident_status",
                to_email=report.reporter_email,
                language=report.reporter_language,
                context={
                    "report": report,
                    "public_label": str(transition.public_label),
                    "public_answer": public_answer,
                },
                dedup_key=f"report:{report.pk}:{action}:{report.version}",
            )
        if action == "hand_over":
            for user in selectors.partner_body_staff(partner_body=partner_body):
                notification_queue(
                    kind="incident_handed_over",
                    to_email=user.email,
                    recipient=user,
                    context={"report": report, "note": internal_note, "staff_url": staff_url(report)},
                    dedup_key=f"report:{report.pk}:handed_over:{report.version}:{user.pk}",
                )
        if action == "reassign" and report.assignee_id:
            _notify_police(
                report, kind="incident_new", event_key=f"reassigned:{report.version}", coordinators=False
            )
    return report


def _notify_police(
    report: Report, *, kind: str, event_key: str, officers: bool = True, coordinators: bool = True
) -> int:
    """Queue ``kind`` once per recipient for this event: the report's officers and the unit's coordinators."""
    recipients = {}
    if officers:
        for user in selectors.report_officers(report=report):
            recipients[user.pk] = user
    if coordinators or not recipients:  # unassigned reports go to the coordinators' queue
        for user in selectors.unit_coordinators(police_unit=report.police_unit):
            recipients[user.pk] = user
    count = 0
    for user in recipients.values():
        queued = notification_queue(
            kind=kind,
            to_email=user.email,
            recipient=user,
            context={"report": report, "staff_url": staff_url(report)},
            dedup_key=f"report:{report.pk}:{event_key}:{user.pk}",
        )
        count += queued is not None
    return count


# --- deadlines ------------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    take_up_overdue: int = 0
    verify_overdue: int = 0
    take_up_reminders: int = 0
    verify_reminders: int = 0

    @property
    def total(self) -> int:
        return self.take_up_overdue + self.verify_overdue + self.take_up_reminders + self.verify_reminders


# (result field, status, deadline column, flag column, how far ahead, event action, email kind)
_SWEEPS = [
    (
        "take_up_overdue",
        Status.NEW,
        "take_up_due_at",
        "take_up_overdue",
        timedelta(0),
        "take_up_overdue",
        "incident_overdue",
    ),
    (
        "verify_overdue",
        Status.VERIFYING,
        "verify_due_at",
        "verify_overdue",
        timedelta(0),
        "verify_overdue",
        "incident_overdue",
    ),
    (
        "take_up_reminders",
        Status.NEW,
        "take_up_due_at",
        "take_up_reminded",
        REMINDER_BEFORE,
        "take_up_reminder",
        "incident_reminder",
    ),
    (
        "verify_reminders",
        Status.VERIFYING,
        "verify_due_at",
        "verify_reminded",
        REMINDER_BEFORE,
        "verify_reminder",
        "incident_reminder",
    ),
]


def deadlines_sweep(*, now: datetime | None = None, batch: int = 500) -> SweepResult:
    """Mark overdue reports and send reminders 6 h before each deadline.

    Each due report is claimed with a conditional UPDATE (flag still False, status unchanged) and acted on
    only if this call changed the row: running the sweep twice, on two workers at once, or after a day of
    downtime gives each event exactly once. Reads go through partial indexes: the cost grows with what is due.
    """
    now = now or timezone.now()
    result = SweepResult()
    for field, status, deadline, flag, ahead, action, kind in _SWEEPS:
        while True:
            due = Report.objects.filter(**{"status": status, flag: False, f"{deadline}__lte": now + ahead})
            ids = list(due.order_by(deadline).values_list("pk", flat=True)[:batch])
            if not ids:
                break
            for pk in ids:
                with transaction.atomic():
                    # The deadline is checked again: a reopen may have moved it since the read above
                    claimed = Report.objects.filter(
                        pk=pk, status=status, **{flag: False, f"{deadline}__lte": now + ahead}
                    ).update(**{flag: True})
                    if claimed != 1:
                        continue  # another worker took it
                    report = Report.objects.select_related(
                        "category", "police_unit", "district", "assignee__profile"
                    ).get(pk=pk)
                    if action.endswith("reminder") and getattr(report, deadline) <= now:
                        continue  # already past the deadline: the overdue notice says it all
                    ReportEvent.objects.create(
                        report=report, at=now, action=action, data={"deadline": deadline}
                    )
                    activity_log(verb=f"report.{action}", target=report)
                    # Keyed by the deadline too: after a reopen, the new verification deadline is a new event
                    _notify_police(
                        report,
                        kind=kind,
                        event_key=f"{action}:{getattr(report, deadline):%Y%m%d%H%M%S}",
                        coordinators=action.endswith("overdue"),
                    )
                    setattr(result, field, getattr(result, field) + 1)
            if len(ids) < batch:
                break
    return result
