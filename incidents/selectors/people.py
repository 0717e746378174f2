"""People: who is responsible for a report, who hears of it, whom a report can be passed to."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from portal import roles
from portal.models import PartnerBody, PoliceUnit

from ..models import District


def person_name(user) -> str:
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    return (profile.full_name if profile else "") or user.email


def district_default_officer(*, district: District):
    """The district's first responsible officer (by id), or None: the unit's coordinators then pick it up."""
    return district.officers.filter(is_active=True).order_by("pk").first()


def new_report_police(*, district: District | None, police_unit: PoliceUnit | None) -> tuple:
    """(the officer a new report in ``district`` is assigned to, the police who hear of it) with one query:
    the district's first active officer (``district_default_officer``), else nobody; it and the unit's
    active coordinators hear of it, each once (``report_police_many(coordinators=True)`` of the new
    report)."""
    User = get_user_model()  # noqa: N806
    officer = District.officers.through.objects.filter(
        district_id=district.pk if district else None, user_id=OuterRef("pk")
    )
    coordinator = User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=roles.COORDINATOR)
    coordinates = Q(is_coordinator=True, profile__police_unit=police_unit) if police_unit else Q(pk__in=[])
    people = list(
        User.objects.filter(is_active=True)
        .annotate(in_district=Exists(officer), is_coordinator=Exists(coordinator))
        .filter(Q(in_district=True) | coordinates)
        .select_related("profile")
        .order_by("pk")
    )
    assignee = next((user for user in people if user.in_district), None)
    coordinators = [
        user
        for user in people
        if user is not assignee
        and user.is_coordinator
        and user.profile.police_unit_id == getattr(police_unit, "pk", None)
    ]
    return assignee, ([assignee] if assignee else []) + coordinators


def report_police_many(reports, *, coordinators: bool) -> dict[int, list]:
    """pk → the police to tell about each report, with a constant number of queries for any number of
    reports: its assignee, else its district's active officers; plus its unit's coordinators when
    ``coordinators`` or when nobody else is responsible (an unassigned report is the coordinators' queue)."""
    User = get_user_model()  # noqa: N806
    reports = list(reports)
    assignee_ids = {r.assignee_id for r in reports if r.assignee_id}
    district_ids = {r.district_id for r in reports if r.district_id and not r.assignee_id}
    unit_ids = {r.police_unit_id for r in reports if r.police_unit_id}
    users = {
        u.pk: u for u in User.objects.filter(pk__in=assignee_ids, is_active=True).select_related("profile")
    }
    by_district: dict[int, list] = {}
    if district_ids:
        links = District.officers.through.objects.filter(district_id__in=district_ids, user__is_active=True)
        for link in links.select_related("user__profile").order_by("user_id"):
            by_district.setdefault(link.district_id, []).append(link.user)
    by_unit: dict[int, list] = {}
    if unit_ids:
        coordinators_qs = (
            User.objects.filter(
                groups__name=roles.COORDINATOR, profile__police_unit__in=unit_ids, is_active=True
            )
            .select_related("profile")
            .distinct()
            .order_by("pk")
        )
        for user in coordinators_qs:
            by_unit.setdefault(user.profile.police_unit_id, []).append(user)
    result = {}
    for report in reports:
        if report.assignee_id:
            people = [users[report.assignee_id]] if report.assignee_id in users else []
        else:
            people = list(by_district.get(report.district_id, []))
        if coordinators or not people:
            people += by_unit.get(report.police_unit_id, [])
        result[report.pk] = people
    return result


def partner_body_staff(*, partner_body: PartnerBody) -> list:
    return list(
        get_user_model()
        .objects.filter(groups__name=roles.PARTNER_BODY, profile__partner_body=partner_body, is_active=True)
        .distinct()
    )


def report_partner_many(reports, *, coordinators: bool) -> dict[int, list]:
    """pk → the active staff of the body each report is handed over to, plus its unit's coordinators when
    ``coordinators``; a constant number of queries for any number of reports."""
    User = get_user_model()  # noqa: N806
    reports = list(reports)
    body_ids = {r.partner_body_id for r in reports if r.partner_body_id}
    unit_ids = {r.police_unit_id for r in reports if r.police_unit_id} if coordinators else set()
    by_body: dict[int, list] = {}
    if body_ids:
        staff = User.objects.filter(
            groups__name=roles.PARTNER_BODY, profile__partner_body__in=body_ids, is_active=True
        )
        for user in staff.select_related("profile").distinct().order_by("pk"):
            by_body.setdefault(user.profile.partner_body_id, []).append(user)
    by_unit: dict[int, list] = {}
    if unit_ids:
        coordinators_qs = User.objects.filter(
            groups__name=roles.COORDINATOR, profile__police_unit__in=unit_ids, is_active=True
        )
        for user in coordinators_qs.select_related("profile").distinct().order_by("pk"):
            by_unit.setdefault(user.profile.police_unit_id, []).append(user)
    return {r.pk: by_body.get(r.partner_body_id, []) + by_unit.get(r.police_unit_id, []) for r in reports}


def partner_body_names(ids) -> dict[int, str]:
    """pk → name of these partner bodies (one query; none for no ids)."""
    ids = set(ids)
    return dict(PartnerBody.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def unit_officers(*, police_unit: PoliceUnit | None) -> QuerySet:
    """The active officers of a police unit (by their profile), for reassigning reports."""
    User = get_user_model()  # noqa: N806
    if police_unit is None:
        return User.objects.none()
    officers = User.objects.filter(
        groups__name=roles.OFFICER, profile__police_unit=police_unit, is_active=True
    )
    return User.objects.filter(pk__in=officers.values("pk")).select_related("profile").order_by("email")
