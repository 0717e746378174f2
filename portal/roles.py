"""The roles of Okrsek, kept as Django groups. A citizen needs no account and has no role."""

from django.utils.translation import gettext_lazy as _

OFFICER = "officer"
COORDINATOR = "coordinator"
PARTNER_BODY = "partner_body"
MUNICIPAL_STAFF = "municipal_staff"
WORKSHOP_ORGANISER = "workshop_organiser"
COMMISSION_MEMBER = "commission_member"
PROGRAMME_MANAGER = "programme_manager"
SURVEY_INTERVIEWER = "survey_interviewer"
SURVEY_METHODOLOGIST = "survey_methodologist"

ROLES = {
    OFFICER: _("Community officer"),
    COORDINATOR: _("Police unit coordinator"),
    PARTNER_BODY: _("Partner body staff"),
    MUNICIPAL_STAFF: _("Municipal staff"),
    WORKSHOP_ORGANISER: _("Workshop organiser"),
    COMMISSION_MEMBER: _("Security Commission member"),
    PROGRAMME_MANAGER: _("Programme manager"),
    SURVEY_INTERVIEWER: _("Survey interviewer"),
    SURVEY_METHODOLOGIST: _("Survey methodologist"),
}


# Where each role starts its work (the "My work" page): (URL name, label)
ROLE_LINKS = {
    OFFICER: [("incidents:staff_queue", _("Reports queue"))],
    COORDINATOR: [
        ("incidents:staff_queue", _("Reports queue")),
        ("incidents:staff_dashboard", _("Unit dashboard")),
        ("incidents:staff_warnings", _("Warnings for residents")),
    ],
    PARTNER_BODY: [("incidents:staff_queue", _("Reports queue"))],
    MUNICIPAL_STAFF: [
        ("workshops:my", _("My workshop registrations and offers")),
        ("projects:my_proposals", _("My town's grant proposals")),
        ("incidents:staff_warnings", _("Warnings for residents")),
        ("audits:audits", _("My town's safety audits")),
    ],
    WORKSHOP_ORGANISER: [("workshops:index", _("Workshops to run"))],
    COMMISSION_MEMBER: [("projects:commission", _("Proposals to review"))],
    PROGRAMME_MANAGER: [("projects:manage", _("Programme management"))],
    SURVEY_INTERVIEWER: [("audits:interviews", _("Survey interviews"))],
    SURVEY_METHODOLOGIST: [("audits:manage", _("Survey waves"))],
}


def role_names(user) -> frozenset[str]:
    """The role names of ``user``, read once per request and cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_okrsek_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._okrsek_roles = cached
    return cached


def work_url_name(user) -> str:
    """The URL name where ``user`` starts after logging in: the first work page of their only role (or of
    several roles that share it, e.g. officer and coordinator both start at the queue), the "My work" page
    for several roles that start at different places, the home page without a role."""
    starts = {ROLE_LINKS[name][0][0] for name in role_names(user) if ROLE_LINKS.get(name)}
    if not starts:
        return "portal:home"
    if len(starts) == 1:
        return starts.pop()
    return "portal:dashboard"
