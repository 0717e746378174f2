"""The audit cycle: phases in the shared workflow, only the town's coordinator acts, findings rest on
evidence, at most seven priorities, actions seeking a grant are what projects/ can cite."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audits import selectors, services
from audits.models import Finding
from audits.services.audit_reports import audit_report_build_now
from audits.workflow import AuditPhase
from portal import roles
from portal.models import ActivityLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(make_user, municipality):
    return make_user(email="staff@example.org", roles=[roles.MUNICIPAL_STAFF], municipality=municipality)


@pytest.fixture
def audit(coordinator, municipality):
    return services.audit_create(
        actor=coordinator,
        municipality=municipality,
        title="Audit Domažlice 2026",
        starts_on=date(2026, 1, 1),
        report_due_on=date(2026, 12, 1),
    )


def _to(audit, coordinator, *actions):
    for action in actions:
        services.audit_transition(audit=audit, action=action, actor=coordinator)


def test_from_set_up_to_a_published_report(audit, coordinator):
    services.steering_member_add(
        actor=coordinator, audit=audit, name="Jana N.", organisation="MP", kind="municipal_police"
    )
    _to(audit, coordinator, "gather_evidence")
    finding = services.finding_add(
        actor=coordinator,
        audit=audit,
        text="Dark underpass",
        evidence=Finding.Evidence.WALK,
        evidence_note="walk 12 March",
    )
    _to(audit, coordinator, "diagnose")
    priority = services.priority_add(
        actor=coordinator, audit=audit, title="Lighting", rationale="Fear after dark", findings=[finding]
    )
    _to(audit, coordinator, "plan")
    services.action_add(
        actor=coordinator,
        priority=priority,
        title="Light the underpass",
        owner="Town",
        deadline=date(2027, 6, 1),
        cost=Decimal("450000"),
        seeking_grant=True,
    )
    services.indicator_add(
        actor=coordinator,
        priority=priority,
        name="% safe after dark",
        baseline="48 %",
        target="60 %",
        source="wave 2028",
    )
    _to(audit, coordinator, "write_report")
    with pytest.raises(ValidationError, match="Build the report's PDF"):
        _to(audit, coordinator, "publish")
    report = audit_report_build_now(actor=coordinator, audit=audit, language="en")
    assert report.status == "done" and report.pages >= 3
    _to(audit, coordinator, "publish")
    audit.refresh_from_db()
    assert audit.phase == AuditPhase.PUBLISHED and audit.published_at is not None
    assert [a.title for a in selectors.actions_seeking_grant(municipality=audit.municipality)] == [
        "Light the underpass"
    ]
    assert ActivityLog.objects.filter(verb="audit.publish").count() == 1


def test_only_the_towns_coordinator_acts(audit, make_user, other_municipality):
    outsider = make_user(
        email="o@example.org", roles=[roles.MUNICIPAL_STAFF], municipality=other_municipality
    )
    with pytest.raises(PermissionDenied):
        services.audit_transition(audit=audit, action="gather_evidence", actor=outsider)
    with pytest.raises(PermissionDenied):
        services.steering_member_add(actor=outsider, audit=audit, name="X", organisation="Y", kind="town")


def test_at_most_seven_priorities_each_resting_on_a_finding(audit, coordinator):
    _to(audit, coordinator, "gather_evidence")
    finding = services.finding_add(
        actor=coordinator, audit=audit, text="F", evidence="reports", evidence_note="2024–2025"
    )
    with pytest.raises(ValidationError, match="not possible in the phase"):
        services.priority_add(
            actor=coordinator, audit=audit, title="Too early", rationale="r", findings=[finding]
        )
    _to(audit, coordinator, "diagnose")
    with pytest.raises(ValidationError, match="at least one finding"):
        services.priority_add(actor=coordinator, audit=audit, title="No evidence", rationale="r", findings=[])
    for i in range(7):
        services.priority_add(
            actor=coordinator, audit=audit, title=f"P{i}", rationale="r", findings=[finding]
        )
    with pytest.raises(ValidationError, match="at most 7 priorities"):
        services.priority_add(
            actor=coordinator, audit=audit, title="Eighth", rationale="r", findings=[finding]
        )
    assert audit.priorities.count() == 7


def test_empty_and_too_long_input_saves_nothing(audit, coordinator):
    _to(audit, coordinator, "gather_evidence")
    with pytest.raises(ValidationError):
        services.finding_add(actor=coordinator, audit=audit, text="  ", evidence="reports", evidence_note="x")
    with pytest.raises(ValidationError):
        services.finding_add(
            actor=coordinator, audit=audit, text="x" * 2001, evidence="reports", evidence_note="x"
        )
    assert not audit.findings.exists()


def test_the_evidence_panel_counts_the_towns_reports_per_1000_residents(audit, municipality, police_unit):
    from datetime import timedelta

    from django.contrib.gis.geos import Point
    from django.utils import timezone

    from incidents.models import Category, Report

    municipality.population = 8000
    municipality.save()
    road = Category.objects.create(code="road", group="road", name_cs="silnice", name_pl="d", name_en="road")
    hidden = Category.objects.create(
        code="minor", group="social", name_cs="n", name_pl="n", name_en="n", public=False
    )
    now = timezone.now()

    def report(category, days_ago, town=municipality):
        r = Report.objects.create(
            token_hash=f"t{Report.objects.count()}",
            category=category,
            point=Point(13, 49, srid=4326),
            police_unit=police_unit,
            municipality=town,
            take_up_due_at=now,
        )
        Report.objects.filter(pk=r.pk).update(created_at=now - timedelta(days=days_ago))

    for days in (1, 100, 700):  # 3 within 24 months
        report(road, days)
    report(road, 800)  # older than 24 months
    report(hidden, 5)  # person-related: never counted as public evidence
    evidence = selectors.audit_evidence(audit=audit, now=now)
    assert evidence["total"] == 3
    assert evidence["total_per_1000"] == 0.38  # 3 / 8 000 × 1 000 = 0.375
    assert [(c["code"], c["total"], c["per_1000"]) for c in evidence["categories"]] == [("road", 3, 0.38)]
