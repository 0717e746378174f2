"""The staff's reads: which reports a staff member works on, the queue, the report page and its timeline,
the filters and the choices of the action forms."""

from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from portal import roles
from portal.models import PartnerBody, PoliceUnit
from portal.roles import role_names

from ..models import OPEN_STATUSES, Attachment, District, Report, Status
from .reports import REMINDER_ACTIONS


def reports_for_staff(user) -> QuerySet[Report]:
    """The reports ``user`` works on: an officer's districts and assignments, a coordinator's whole unit, a
    partner body's handed-over reports."""
    names = role_names(user)
    profile = getattr(user, "profile", None)
    q = Q(pk__in=[])
    if roles.OFFICER in names:
        # The officer's districts are read first (one small query), so the filter is a plain IN list served by
        # the indexes on district and assignee; a subquery made PostgreSQL scan all reports at 1 M rows.
        district_ids = list(District.objects.filter(officers=user).values_list("pk", flat=True))
        q |= Q(assignee=user) | Q(district_id__in=district_ids)
    if roles.COORDINATOR in names and profile and profile.police_unit_id:
        q |= Q(police_unit_id=profile.police_unit_id)
    if roles.PARTNER_BODY in names and profile and profile.partner_body_id:
        # Only while it is handed over to them: a report the police took back leaves the body's queue
        q |= Q(partner_body_id=profile.partner_body_id, status=Status.HANDED_OVER)
    return Report.objects.filter(q)


def staff_queue(
    user,
    *,
    status: str | None = None,
    category: str | None = None,
    district: int | None = None,
    open_only: bool = True,
    overdue_only: bool = False,
    now: datetime | None = None,
) -> QuerySet[Report]:
    """The officer queue: nearest deadline first, overdue ones on top. Constant queries per page.

    "Open" is the police's open statuses, and for partner body staff also what was handed over to them."""
    qs = reports_for_staff(user).select_related("category", "district", "assignee", "municipality")
    if status:
        qs = qs.filter(status=status)
    elif open_only:
        open_q = Q(status__in=OPEN_STATUSES)
        profile = getattr(user, "profile", None)
        if roles.PARTNER_BODY in role_names(user) and profile and profile.partner_body_id:
            open_q |= Q(status=Status.HANDED_OVER, partner_body_id=profile.partner_body_id)
        qs = qs.filter(open_q)
    if category:
        qs = qs.filter(category__code=category)
    if district:
        qs = qs.filter(district_id=district)
    if overdue_only:
        qs = qs.filter(due_at__lt=now or timezone.now())
    # Same order on SQLite and PostgreSQL: reports without a deadline last
    return qs.order_by(F("due_at").asc(nulls_last=True), "created_at", "pk")


def staff_report(*, pk: int) -> Report | None:
    """A report with everything its staff page shows: one query, plus one for the attachments."""
    return (
        Report.objects.select_related(
            "category", "district", "assignee__profile", "municipality", "partner_body", "police_unit"
        )
        .prefetch_related("attachments")
        .filter(pk=pk)
        .first()
    )


def staff_attachment(*, pk: int) -> Attachment | None:
    return Attachment.objects.select_related("report__district").filter(pk=pk).first()


def staff_timeline(*, report: Report, police: bool, partner_body_id: int | None = None) -> list:
    """The report's timeline for a staff member. Police see everything, internal notes included. Partner body
    staff see the public answers, the note the police handed the report over to their body with, and their
    body's own answers; the police's internal reminders are left out for them."""
    events = list(report.events.select_related("actor__profile").order_by("at", "id"))
    visible = []
    for event in events:
        event.note_visible = ""
        if police:
            event.note_visible = event.internal_note
        else:
            if event.action in REMINDER_ACTIONS:
                continue
            actor_body = getattr(getattr(event.actor, "profile", None), "partner_body_id", None)
            handed_to_us = event.data.get("partner_body") == partner_body_id
            if partner_body_id and (handed_to_us or actor_body == partner_body_id):
                event.note_visible = event.internal_note
        visible.append(event)
    return visible


def staff_districts(user) -> QuerySet[District]:
    """The districts a staff member may filter the queue by."""
    names = role_names(user)
    profile = getattr(user, "profile", None)
    q = Q(pk__in=[])
    if roles.OFFICER in names:
        q |= Q(officers=user)
    if roles.COORDINATOR in names and profile and profile.police_unit_id:
        q |= Q(police_unit_id=profile.police_unit_id)
    if roles.PARTNER_BODY in names and profile and profile.partner_body_id:
        q |= Q(reports__partner_body_id=profile.partner_body_id, reports__status=Status.HANDED_OVER)
    return District.objects.filter(pk__in=District.objects.filter(q).values("pk"))


def unit_districts(*, police_unit: PoliceUnit | None) -> QuerySet[District]:
    if police_unit is None:
        return District.objects.none()
    return District.objects.filter(police_unit=police_unit, active=True).order_by("name")


def partner_bodies_for(*, report: Report) -> QuerySet[PartnerBody]:
    """Bodies a report can be handed over to: those of the towns its police unit serves, of the report's own
    town, and bodies not tied to a town."""
    q = Q(municipality__isnull=True)
    if report.police_unit_id:
        q |= Q(municipality__police_units=report.police_unit_id)
    if report.municipality_id:
        q |= Q(municipality_id=report.municipality_id)
    return PartnerBody.objects.filter(pk__in=PartnerBody.objects.filter(q).values("pk")).order_by("name")
