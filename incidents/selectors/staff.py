"""The staff's reads: which reports a staff member works on, the queue, the report page and its timeline,
the filters and the choices of the action forms."""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Case, CharField, F, Func, Q, QuerySet, Value, When
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


def status_label() -> Case:
    """A report's status label in the active language, as an annotation for lists: the database picks it
    (``get_status_display`` per row rebuilds and translates the choices every time)."""
    whens = [When(status=value, then=Value(str(label))) for value, label in Status.choices]
    return Case(*whens, default=F("status"), output_field=CharField())


def staff_queue(
    user,
    *,
    status: str | None = None,
    category: str | None = None,
    district: int | None = None,
    open_only: bool = True,
    overdue_only: bool = False,
    search: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Report]:
    """The officer queue: nearest deadline first, overdue ones on top. Constant queries per page.

    "Open" is the police's open statuses, and for partner body staff also what was handed over to them and
    they have not resolved yet.
    ``search`` narrows it further (``_with_search``), within what the user may see."""
    qs = (
        reports_for_staff(user)
        .select_related("category", "district", "assignee", "municipality")
        .defer("district__area", "municipality__boundary")  # names only: no polygons per row
        .annotate(status_label=status_label())
    )
    if status:
        qs = qs.filter(status=status)
    elif open_only:
        open_q = Q(status__in=OPEN_STATUSES)
        profile = getattr(user, "profile", None)
        if roles.PARTNER_BODY in role_names(user) and profile and profile.partner_body_id:
            open_q |= Q(
                status=Status.HANDED_OVER,
                partner_body_id=profile.partner_body_id,
                partner_resolved_at__isnull=True,  # until the body marks it resolved
            )
        qs = qs.filter(open_q)
    if category:
        qs = qs.filter(category__code=category)
    if district:
        qs = qs.filter(district_id=district)
    if overdue_only:
        qs = qs.filter(due_at__lt=now or timezone.now())
    if search and search.strip():
        qs = _with_search(qs, search.strip())
    # Same order on SQLite and PostgreSQL: reports without a deadline last
    return qs.order_by(F("due_at").asc(nulls_last=True), "created_at", "pk")


MAX_SEARCH = 100  # characters of a queue search
_REFERENCE_CHARS = re.compile(r"[A-Za-z0-9]{1,8}")


def _reference_prefix(text: str) -> str | None:
    """The start of a reference as officers type it ("abcd efgh", "ABCDE", "abcd-e") in its stored form
    ("ABCD-E"), or None when the text cannot be the start of a reference."""
    compact = re.sub(r"[\s-]", "", text)
    if not _REFERENCE_CHARS.fullmatch(compact):
        return None
    compact = compact.upper()
    return compact if len(compact) <= 4 else f"{compact[:4]}-{compact[4:]}"


def unaccent_available() -> bool:
    """Whether the database can compare texts without accents: PostgreSQL with the ``unaccent`` extension
    installed (one small query). Other databases compare them as they are (SQLite: case-insensitively for
    ASCII letters only)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
        return cursor.fetchone() is not None


def _with_search(qs: QuerySet[Report], text: str) -> QuerySet[Report]:
    """Reports whose reference starts with ``text``, or whose description, district or municipality name
    contains it (case-insensitive; accent-insensitive where the database can: ``unaccent_available``)."""
    text = text[:MAX_SEARCH]
    if unaccent_available():

        def plain(expression):
            return Func(expression, function="unaccent")

        qs = qs.alias(
            search_description=plain(F("description")),
            search_district=plain(F("district__name")),
            search_municipality=plain(F("municipality__name")),
        )
        needle = plain(Value(text))
        q = (
            Q(search_description__icontains=needle)
            | Q(search_district__icontains=needle)
            | Q(search_municipality__icontains=needle)
        )
    else:
        q = (
            Q(description__icontains=text)
            | Q(district__name__icontains=text)
            | Q(municipality__name__icontains=text)
        )
    reference = _reference_prefix(text)
    if reference:
        q |= Q(reference__startswith=reference)
    return qs.filter(q)


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


@dataclass(frozen=True)
class HandOverTargets:
    """The bodies a report can be handed over to. ``fallback``: no body serves the report's town, so those of
    its police unit's whole area are offered (the form says so)."""

    bodies: QuerySet[PartnerBody]
    fallback: bool


def hand_over_targets(*, report: Report) -> HandOverTargets:
    """The partner bodies that serve the report's place: its town's own bodies (municipal police, town
    departments) and bodies tied to no town (they serve every place). Only when the town has no body of its
    own: the bodies of every town the report's police unit serves. One query, plus the list itself."""
    anywhere = Q(municipality__isnull=True)
    if report.municipality_id and PartnerBody.objects.filter(municipality_id=report.municipality_id).exists():
        q, fallback = anywhere | Q(municipality_id=report.municipality_id), False
    else:
        q, fallback = anywhere, True
        if report.police_unit_id:
            q |= Q(municipality__police_units=report.police_unit_id)
    bodies = PartnerBody.objects.filter(pk__in=PartnerBody.objects.filter(q).values("pk")).order_by("name")
    return HandOverTargets(bodies=bodies, fallback=fallback)


def partner_bodies_for(*, report: Report) -> QuerySet[PartnerBody]:
    """The bodies a report can be handed over to (``hand_over_targets``)."""
    return hand_over_targets(report=report).bodies
