"""The role × action matrix of every registered rule (portal/permissions.py and each app's rules.py).

Each user belongs to "their" organisations (police unit, partner body, municipality); actions are checked
against their own organisation ("own") and somebody else's ("other"), and where the object's current state
matters, against that state ("taken_back", "conflict", "reviewed"). The expected table is written out by hand:
a change to a rule must change this table too. Superusers get nothing from the rules beyond their roles.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from portal import roles
from portal.models import Country, Municipality, PartnerBody, PoliceUnit

ALL_ROLES = [None, *roles.ROLES]  # None = logged in, no role

# action -> (object: None/"own"/"other", roles allowed)
MATRIX = {
    ("portal.view_dashboard", None): set(roles.ROLES),
    # Reports: "own" lies in the officer's district, in the users' police unit, handed to their partner body;
    # "taken_back" is the same but reopened by the police after the hand-over: the body no longer has it
    ("incidents.view_report", "own"): {roles.OFFICER, roles.COORDINATOR, roles.PARTNER_BODY},
    ("incidents.view_report", "other"): set(),
    ("incidents.view_report", "taken_back"): {roles.OFFICER, roles.COORDINATOR},
    ("incidents.act_on_report", "own"): {roles.OFFICER, roles.COORDINATOR},
    ("incidents.act_on_report", "other"): set(),
    ("incidents.coordinate_report", "own"): {roles.COORDINATOR},
    ("incidents.coordinate_report", "other"): set(),
    ("incidents.answer_report", "own"): {roles.PARTNER_BODY},
    ("incidents.answer_report", "other"): set(),
    ("incidents.answer_report", "taken_back"): set(),
    ("incidents.resolve_report", "own"): {roles.PARTNER_BODY},
    ("incidents.resolve_report", "other"): set(),
    ("incidents.resolve_report", "taken_back"): set(),
    ("incidents.resolve_report", "resolved"): set(),  # once only
    ("incidents.view_queue", None): {roles.OFFICER, roles.COORDINATOR, roles.PARTNER_BODY},
    ("incidents.view_unit_dashboard", None): {roles.COORDINATOR},
    ("incidents.export_reports", None): {roles.OFFICER, roles.COORDINATOR},
    ("incidents.take_up_in_bulk", None): {roles.OFFICER, roles.COORDINATOR},
    # Warnings to residents: a unit's coordinator or a town's staff writes them for their own area ("own": a
    # district of the users' unit in the users' town); a second person of the same unit or town approves
    ("incidents.write_warnings", None): {roles.COORDINATOR, roles.MUNICIPAL_STAFF},
    ("incidents.warn_area", "own"): {roles.COORDINATOR, roles.MUNICIPAL_STAFF},
    ("incidents.warn_area", "other"): set(),
    ("incidents.review_warning", "own"): {roles.COORDINATOR},  # written by a colleague of the unit
    ("incidents.review_warning", "own_town"): {roles.MUNICIPAL_STAFF},  # by a colleague of the town
    ("incidents.review_warning", "other"): set(),
    ("incidents.review_warning", "mine"): set(),  # written by the coordinator: never their own
    ("workshops.register", None): {
        roles.MUNICIPAL_STAFF,
        roles.OFFICER,
        roles.COORDINATOR,
        roles.PARTNER_BODY,
    },
    ("workshops.nominate", "own"): {roles.MUNICIPAL_STAFF},
    ("workshops.nominate", "other"): set(),
    ("workshops.manage", None): {roles.WORKSHOP_ORGANISER},
    ("workshops.offer_presentation", None): set(ALL_ROLES),
    # An offer is changed by its author only (tests/workshops/test_offers.py); nobody else, whatever the role.
    ("workshops.change_offer", "other"): set(),
    ("projects.submit_proposal", "own"): {roles.MUNICIPAL_STAFF},
    ("projects.submit_proposal", "other"): set(),
    # Proposals: "own" is the users' town's, "other" another town's; the commission member is assigned to
    # both, and to two more of another town: "conflict" (they declared a conflict of interest), "reviewed"
    # (their review is in)
    ("projects.edit_proposal", "own"): {roles.MUNICIPAL_STAFF},
    ("projects.edit_proposal", "other"): set(),
    # A commission member may not review a proposal of their own town.
    ("projects.review_proposal", "own"): set(),
    ("projects.review_proposal", "other"): {roles.COMMISSION_MEMBER},
    ("projects.review_proposal", "conflict"): set(),
    ("projects.review_proposal", "reviewed"): {roles.COMMISSION_MEMBER},
    ("projects.view_proposal", "own"): {roles.MUNICIPAL_STAFF, roles.PROGRAMME_MANAGER},
    ("projects.view_proposal", "other"): {roles.COMMISSION_MEMBER, roles.PROGRAMME_MANAGER},
    ("projects.view_proposal", "conflict"): {roles.PROGRAMME_MANAGER},
    # The running score: the manager; a member only once their own review is in, never with a conflict
    ("projects.view_scores", "own"): {roles.PROGRAMME_MANAGER},
    ("projects.view_scores", "other"): {roles.PROGRAMME_MANAGER},
    ("projects.view_scores", "conflict"): {roles.PROGRAMME_MANAGER},
    ("projects.view_scores", "reviewed"): {roles.COMMISSION_MEMBER, roles.PROGRAMME_MANAGER},
    ("projects.view_commission", None): {roles.COMMISSION_MEMBER},
    ("projects.manage", None): {roles.PROGRAMME_MANAGER},
    ("projects.decide", None): {roles.PROGRAMME_MANAGER},
    # Survey waves: "own" has the methodologist named on it and the users' town among its towns
    # Project results: the manager records them; a draft effect panel is for the manager and the applicant
    # town's staff ("own": a result of the users' town; published panels are public, not a rule)
    ("projects.manage_results", None): {roles.PROGRAMME_MANAGER},
    ("projects.view_effect_draft", "own"): {roles.MUNICIPAL_STAFF, roles.PROGRAMME_MANAGER},
    ("projects.view_effect_draft", "other"): {roles.PROGRAMME_MANAGER},
    ("audits.manage_surveys", None): {roles.SURVEY_METHODOLOGIST},
    ("audits.manage_wave", "own"): {roles.SURVEY_METHODOLOGIST},
    ("audits.manage_wave", "other"): set(),
    ("audits.view_raw_answers", "own"): {roles.SURVEY_METHODOLOGIST},
    ("audits.view_raw_answers", "other"): set(),
    ("audits.enter_interview", "own"): {roles.SURVEY_INTERVIEWER},
    ("audits.enter_interview", "other"): set(),
    ("audits.manage_audit", "own"): {roles.MUNICIPAL_STAFF},
    ("audits.manage_audit", "other"): set(),
    # Interview notes: the town's staff, and steering group members linked to an account ("steering": another
    # town's audit with the users' officer in its steering group)
    ("audits.view_private_notes", "own"): {roles.MUNICIPAL_STAFF},
    ("audits.view_private_notes", "other"): set(),
    ("audits.view_private_notes", "steering"): {roles.OFFICER},
}

# Which kind of object each permission is about
OBJECT_KIND = {
    "incidents.view_report": "report",
    "incidents.act_on_report": "report",
    "incidents.coordinate_report": "report",
    "incidents.answer_report": "report",
    "incidents.resolve_report": "report",
    "incidents.warn_area": "warning_area",
    "incidents.review_warning": "warning",
    "workshops.nominate": "municipality",
    "workshops.change_offer": "offer",
    "projects.submit_proposal": "municipality",
    "projects.edit_proposal": "proposal",
    "projects.review_proposal": "proposal",
    "projects.view_proposal": "proposal",
    "projects.view_scores": "proposal",
    "projects.view_effect_draft": "result",
    "audits.manage_wave": "wave",
    "audits.view_raw_answers": "wave",
    "audits.enter_interview": "wave",
    "audits.manage_audit": "audit",
    "audits.view_private_notes": "audit",
}


@pytest.fixture
def world(db):
    own_m = Municipality.objects.create(country=Country.CZ, code="1", name="Own town")
    other_m = Municipality.objects.create(country=Country.CZ, code="2", name="Other town")
    return {
        "municipality": (own_m, other_m),
        "unit": (
            PoliceUnit.objects.create(code="own", name="Own unit", country=Country.CZ),
            PoliceUnit.objects.create(code="other", name="Other unit", country=Country.CZ),
        ),
        "body": (
            PartnerBody.objects.create(
                code="own", name="Own body", kind="municipal_police", municipality=own_m
            ),
            PartnerBody.objects.create(code="other", name="Other body", kind="municipal_police"),
        ),
    }


@pytest.fixture
def users(world, make_user):
    own_m, own_u, own_b = world["municipality"][0], world["unit"][0], world["body"][0]
    result = {}
    for role in ALL_ROLES:
        result[role] = make_user(
            email=f"{role or 'nobody'}@example.org",
            roles=[role] if role else [],
            municipality=own_m,
            police_unit=own_u,
            partner_body=own_b,
        )
    # Reports: one in the officer's district, unit and handed to the users' body; one elsewhere entirely
    from django.contrib.gis.geos import MultiPolygon, Point, Polygon
    from django.utils import timezone

    from incidents.models import Category, District, Report, Status

    area = MultiPolygon(Polygon(((13, 49), (13.1, 49), (13.1, 49.1), (13, 49.1), (13, 49))), srid=4326)
    district = District.objects.create(code="d1", name="D1", area=area, police_unit=own_u)
    district.officers.add(result[roles.OFFICER])
    category = Category.objects.create(code="c", group="road", name_cs="c", name_pl="c", name_en="c")
    common = {"category": category, "point": Point(13.05, 49.05, srid=4326), "take_up_due_at": timezone.now()}
    world["report"] = {
        "own": Report.objects.create(
            token_hash="a",
            police_unit=own_u,
            district=district,
            partner_body=own_b,
            status=Status.HANDED_OVER,
            **common,
        ),
        "other": Report.objects.create(
            token_hash="b",
            police_unit=world["unit"][1],
            partner_body=world["body"][1],
            status=Status.HANDED_OVER,
            **common,
        ),
        # Handed over to the users' body, then taken back (reopened): it keeps the body's name
        "taken_back": Report.objects.create(
            token_hash="c",
            police_unit=own_u,
            district=district,
            partner_body=own_b,
            status=Status.VERIFYING,
            **common,
        ),
        # Handed over to the users' body, which has marked it resolved
        "resolved": Report.objects.create(
            token_hash="d",
            police_unit=own_u,
            district=district,
            partner_body=own_b,
            status=Status.HANDED_OVER,
            partner_resolved_at=timezone.now(),
            **common,
        ),
    }
    # Warnings: areas of the users' unit and town and of another; warnings by a colleague of the unit, of the
    # town, by another unit, and by the coordinator themself
    from datetime import timedelta

    from incidents.models_alerts import AreaWarning

    own_m, other_m = world["municipality"]
    world["warning_area"] = (
        District.objects.create(code="w1", name="W1", area=area, police_unit=own_u, municipality=own_m),
        District.objects.create(
            code="w2", name="W2", area=area, police_unit=world["unit"][1], municipality=other_m
        ),
    )
    colleague = make_user(email="colleague@example.org")
    until = timezone.now() + timedelta(days=3)
    warning = {"title": "T", "text": "Text", "valid_until": until, "district": world["warning_area"][0]}
    world["warning"] = {
        "own": AreaWarning.objects.create(author=colleague, police_unit=own_u, **warning),
        "own_town": AreaWarning.objects.create(author=colleague, issuer_municipality=own_m, **warning),
        "other": AreaWarning.objects.create(author=colleague, police_unit=world["unit"][1], **warning),
        "mine": AreaWarning.objects.create(author=result[roles.COORDINATOR], police_unit=own_u, **warning),
    }
    from workshops.models import Initiative, PresentationOffer, Workshop

    workshop = Workshop.objects.create(
        initiative=Initiative.objects.create(code="bi", name_cs="BI"), number=1, theme_cs="Téma"
    )
    offer = PresentationOffer.objects.create(
        workshop=workshop,
        author=make_user(email="speaker@example.org"),
        speaker_name="Speaker",
        speaker_organisation="Town",
        speaker_email="speaker@example.org",
        title="Talk",
        abstract="Abstract",
    )
    world["offer"] = (None, offer)  # "own" offers: their author only, tested in tests/workshops
    # Proposals: a submitted one of the users' town and one of another town, the commission member on both
    from projects.models import Review
    from tests.projects.factories import proposals_for_matrix

    member = result[roles.COMMISSION_MEMBER]
    own_p, other_p, conflict_p, reviewed_p = proposals_for_matrix(
        towns=world["municipality"], reviewer=member
    )
    conflict_p.assignments.filter(member=member).update(conflict="conflict", conflict_note="Brother")
    reviewed = reviewed_p.assignments.get(member=member)
    reviewed.conflict = "none"
    reviewed.save()
    Review.objects.create(assignment=reviewed, recommendation="yes", score=4)
    world["proposal"] = {"own": own_p, "other": other_p, "conflict": conflict_p, "reviewed": reviewed_p}
    from projects.models import ProjectResult

    world["result"] = tuple(ProjectResult.objects.create(proposal=p) for p in (own_p, other_p))
    # Survey waves: one in the users' town run by the users' methodologist, one elsewhere run by nobody
    from tests.audits.factories import wave as survey_wave

    own_wave = survey_wave(result[roles.SURVEY_METHODOLOGIST], [own_m])
    other_wave = survey_wave(result[roles.SURVEY_METHODOLOGIST], [world["municipality"][1]], name="Other")
    other_wave.methodologists.clear()
    world["wave"] = (own_wave, other_wave)
    from datetime import date

    from audits.models import Audit, SteeringMember

    own_a, other_a, steering_a = (
        Audit.objects.create(
            municipality=m, title="Audit", starts_on=date(2026, 1, 1), report_due_on=date(2026, 12, 1)
        )
        for m in (*world["municipality"], world["municipality"][1])
    )
    SteeringMember.objects.create(
        audit=steering_a, name="Officer", organisation="Police", kind="police", user=result[roles.OFFICER]
    )
    world["audit"] = {"own": own_a, "other": other_a, "steering": steering_a}
    return result


def test_every_registered_okrsek_rule_is_in_the_matrix():
    import rules

    registered = {
        name
        for name in rules.permissions.permissions
        if name.split(".")[0] in {"portal", "incidents", "workshops", "projects", "audits"}
    }
    assert registered == {perm for perm, _obj in MATRIX}


def _object(world, perm, which):
    """The object a matrix row is about: None for a page-level rule, else "own", "other" or a state."""
    if which is None:
        return None
    objects = world[OBJECT_KIND[perm]]
    return objects[which] if isinstance(objects, dict) else objects[("own", "other").index(which)]


@pytest.mark.parametrize(("perm", "which"), list(MATRIX))
def test_role_action_matrix(perm, which, users, world):
    obj = _object(world, perm, which)
    allowed = {role for role, user in users.items() if user.has_perm(perm, obj)}
    assert allowed == MATRIX[(perm, which)]


@pytest.mark.parametrize(("perm", "which"), list(MATRIX))
def test_anonymous_may_do_nothing(perm, which, world, users):
    obj = _object(world, perm, "own" if which else None)
    assert not AnonymousUser().has_perm(perm, obj)


@pytest.mark.parametrize(("perm", "which"), list(MATRIX))
def test_a_superuser_gets_what_their_roles_give_and_nothing_more(perm, which, world, users):
    """The superuser policy (portal.permissions.user_has_perm): without a role, what somebody with an account
    and no role may; with the coordinator's role (and organisations), what the coordinator may."""
    obj = _object(world, perm, which)
    for role in (None, roles.COORDINATOR):
        superuser = users[role]
        superuser.is_superuser = superuser.is_staff = True
        superuser.save()
        assert superuser.has_perm(perm, obj) == (role in MATRIX[(perm, which)]), role


def test_the_admin_keeps_the_superusers_model_permissions(make_user, world, users):
    """/admin/ asks Django's model permissions without an object: a superuser passes them all, also the ones
    named like a rule (incidents.view_report, projects.view_proposal), while the rule itself refuses."""
    admin = make_user(email="root@example.org")
    assert not admin.has_perm("incidents.view_report")
    admin.is_superuser = admin.is_staff = True
    admin.save()
    for perm in (
        "incidents.view_report",
        "incidents.change_report",
        "projects.view_proposal",
        "portal.add_user",
    ):
        assert admin.has_perm(perm), perm
    assert admin.has_module_perms("incidents")
    assert not admin.has_perm("incidents.view_report", world["report"]["own"])
    assert not admin.has_perm("projects.manage")


def test_role_without_organisation_gets_no_object_permission(make_user, world, users):
    coordinator = make_user(email="lonely@example.org", roles=[roles.COORDINATOR])
    assert not coordinator.has_perm("incidents.coordinate_report", world["report"]["own"])
    assert users[roles.COORDINATOR].has_perm("incidents.coordinate_report", world["report"]["own"])
