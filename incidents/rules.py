"""Object rules of the incidents app (django-rules), registered when the app loads (``apps.ready``).

Objects: a ``Report`` for the report rules; a ``District`` or ``Municipality`` (the area warned) and an
``AreaWarning`` for the warning rules; none for the page-level ones. The workflow's transitions
(``incidents/workflow.py``) say which of these predicates allows each step; ``services`` check them.
"""

import rules

from portal import roles
from portal.permissions import is_coordinator, is_officer, is_partner_body_staff, user_profile
from portal.roles import role_names

from .models import District, Status


@rules.predicate
def is_reports_officer(user, report) -> bool:
    """The report is assigned to the user, or lies in one of the user's districts."""
    if report is None or not getattr(user, "is_authenticated", False):
        return False
    if report.assignee_id == user.pk:
        return True
    return bool(report.district_id) and report.district.officers.filter(pk=user.pk).exists()


@rules.predicate
def is_in_users_police_unit(user, report) -> bool:
    profile = user_profile(user)
    return bool(
        report is not None
        and profile
        and profile.police_unit_id
        and profile.police_unit_id == report.police_unit_id
    )


@rules.predicate
def is_handed_to_users_body(user, report) -> bool:
    """The report is handed over to the user's partner body and still with it: its current state decides, so
    a report the police took back (reopened) is no longer the body's, though it keeps the body's name."""
    profile = user_profile(user)
    return bool(
        report is not None
        and profile
        and report.status == Status.HANDED_OVER
        and report.partner_body_id
        and profile.partner_body_id == report.partner_body_id
    )


@rules.predicate
def is_not_resolved_by_partner(user, report) -> bool:
    """The partner body has not marked the report resolved yet (the status stays "handed over")."""
    return report is not None and report.partner_resolved_at is None


# The police of a report: its district's officer (or assignee), and every coordinator of its unit
report_police = (is_officer & is_reports_officer) | (is_coordinator & is_in_users_police_unit)
report_coordinator = is_coordinator & is_in_users_police_unit
report_partner = is_partner_body_staff & is_handed_to_users_body
report_partner_unresolved = report_partner & is_not_resolved_by_partner
police = is_officer | is_coordinator  # the role, whatever the report

rules.add_perm("incidents.view_report", report_police | report_partner)
rules.add_perm("incidents.act_on_report", report_police)
rules.add_perm("incidents.coordinate_report", report_coordinator)
rules.add_perm("incidents.answer_report", report_partner)
rules.add_perm("incidents.resolve_report", report_partner_unresolved)
rules.add_perm("incidents.view_queue", police | is_partner_body_staff)
rules.add_perm("incidents.view_unit_dashboard", is_coordinator)
rules.add_perm("incidents.export_reports", police)  # their own reports only
rules.add_perm("incidents.take_up_in_bulk", police)  # the queue's checkboxes; each report is checked again


# --- warnings from the police and towns (issue 14) -------------------------------------------------------


def warning_issuer(user) -> dict | None:
    """The organisation ``user`` publishes warnings for, as ``AreaWarning``'s issuer fields: their police unit
    (a coordinator) or else their town (its municipal staff); None for anybody else."""
    profile = user_profile(user)
    if profile is None:
        return None
    names = role_names(user)
    if roles.COORDINATOR in names and profile.police_unit_id:
        return {"police_unit_id": profile.police_unit_id, "issuer_municipality_id": None}
    if roles.MUNICIPAL_STAFF in names and profile.municipality_id:
        return {"police_unit_id": None, "issuer_municipality_id": profile.municipality_id}
    return None


@rules.predicate
def is_warning_issuer(user) -> bool:
    return warning_issuer(user) is not None


@rules.predicate
def is_users_warning_area(user, area) -> bool:
    """``area`` (a District or a Municipality) is served by the user's police unit, or lies in their town."""
    issuer = warning_issuer(user)
    if issuer is None or area is None:
        return False
    if isinstance(area, District):
        if issuer["police_unit_id"]:
            return area.police_unit_id == issuer["police_unit_id"]
        return area.municipality_id == issuer["issuer_municipality_id"]
    if issuer["police_unit_id"]:
        return area.police_units.filter(pk=issuer["police_unit_id"]).exists()
    return area.pk == issuer["issuer_municipality_id"]


@rules.predicate
def is_warning_of_users_unit_or_town(user, warning) -> bool:
    issuer = warning_issuer(user)
    if issuer is None or warning is None:
        return False
    if issuer["police_unit_id"]:
        return issuer["police_unit_id"] == warning.police_unit_id
    return issuer["issuer_municipality_id"] == warning.issuer_municipality_id


@rules.predicate
def is_warning_author(user, warning) -> bool:
    return warning is not None and warning.author_id == user.pk


rules.add_perm("incidents.write_warnings", is_warning_issuer)  # the staff page: write and review
rules.add_perm("incidents.warn_area", is_users_warning_area)
# the four-eyes rule: a second person of the same unit or town
rules.add_perm("incidents.review_warning", is_warning_of_users_unit_or_town & ~is_warning_author)
# Alerts belong to their subscribers (signed links, no account); in the admin only superusers see their
# addresses (incidents/admin.py asks ``is_superuser`` itself: no role grants it, so it is no rule here)
