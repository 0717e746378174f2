"""The local safety audit cycle (EFUS): the audit and its phases (``workflow.AUDIT``), the steering group,
findings linked to their evidence, at most seven priorities, actions (one may be "seeking a grant", which a
proposal in ``projects/`` can cite) and indicators. Each write checks the phase it belongs to."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.services import activity_log
from portal.workflow import apply

from ..models import Action, Audit, Finding, Indicator, Priority, SteeringMember
from ..workflow import AUDIT, AuditPhase

MAX_PRIORITIES = 7


def _coordinator(actor, audit) -> None:
    if not actor.has_perm("audits.manage_audit", audit):
        raise PermissionDenied(_("Only the town's audit coordinator may do this."))


def _in_phase(audit: Audit, *phases: str) -> None:
    if audit.phase not in phases:
        raise ValidationError(
            _("This is not possible in the phase %(phase)s.") % {"phase": audit.get_phase_display()}
        )


def _long_text(field: str, value: str, limit: int = 2000) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError({field: _("At most %(max)d characters.") % {"max": limit}})
    return value


def audit_create(
    *, actor, municipality, title: str, starts_on: date, report_due_on: date, themes="", area=""
) -> Audit:
    audit = Audit(
        municipality=municipality,
        title=(title or "").strip(),
        starts_on=starts_on,
        report_due_on=report_due_on,
        themes=_long_text("themes", themes),
        area=_long_text("area", area),
    )
    _coordinator(actor, audit)
    if report_due_on < starts_on:
        raise ValidationError({"report_due_on": _("The report cannot be due before the audit starts.")})
    audit.full_clean()
    with transaction.atomic():
        audit.save()
        activity_log(actor=actor, verb="audit.created", target=audit)
    return audit


def audit_transition(*, audit: Audit, action: str, actor, expected_version: int | None = None) -> Audit:
    return apply(AUDIT, audit, action, actor=actor, expected_version=expected_version, direct_only=True)


def steering_member_add(
    *, actor, audit: Audit, name: str, organisation: str, kind: str, role: str = ""
) -> SteeringMember:
    _coordinator(actor, audit)
    member = SteeringMember(
        audit=audit,
        name=(name or "").strip(),
        organisation=(organisation or "").strip(),
        kind=kind,
        role=(role or "").strip(),
    )
    member.full_clean()
    member.save()
    return member


def finding_add(*, actor, audit: Audit, text: str, evidence: str, evidence_note: str, wave=None) -> Finding:
    _coordinator(actor, audit)
    _in_phase(audit, AuditPhase.EVIDENCE, AuditPhase.DIAGNOSIS)
    if wave is not None and not audit.waves.filter(pk=wave.pk).exists():
        raise ValidationError({"wave": _("Link a survey wave of this audit.")})
    finding = Finding(
        audit=audit,
        text=_long_text("text", text),
        evidence=evidence,
        evidence_note=(evidence_note or "").strip(),
        wave=wave,
    )
    finding.full_clean()
    with transaction.atomic():
        finding.save()
        activity_log(actor=actor, verb="audit.finding_added", target=audit)
    return finding


def priority_add(*, actor, audit: Audit, title: str, rationale: str, findings) -> Priority:
    """A priority resting on at least one of the audit's findings; at most seven per audit, also when two
    people add one at the same moment (the audit row is locked)."""
    _coordinator(actor, audit)
    findings = list(findings)
    if not findings or any(f.audit_id != audit.pk for f in findings):
        raise ValidationError({"findings": _("A priority rests on at least one finding of this audit.")})
    with transaction.atomic():
        locked = Audit.objects.select_for_update().get(pk=audit.pk)
        _in_phase(locked, AuditPhase.DIAGNOSIS)
        count = locked.priorities.count()
        if count >= MAX_PRIORITIES:
            raise ValidationError(_("An audit has at most %(max)d priorities.") % {"max": MAX_PRIORITIES})
        priority = Priority(
            audit=locked,
            order=count + 1,
            title=(title or "").strip(),
            rationale=_long_text("rationale", rationale),
        )
        priority.full_clean()
        priority.save()
        priority.findings.set(findings)
        activity_log(actor=actor, verb="audit.priority_added", target=locked, order=priority.order)
    return priority


def action_add(
    *,
    actor,
    priority: Priority,
    title: str,
    owner: str,
    deadline: date,
    cost: Decimal | None = None,
    seeking_grant: bool = False,
) -> Action:
    audit = Audit.objects.get(pk=priority.audit_id)
    _coordinator(actor, audit)
    _in_phase(audit, AuditPhase.ACTION_PLAN)
    if cost is not None and cost < 0:
        raise ValidationError({"cost": _("The cost cannot be negative.")})
    action = Action(
        priority=priority,
        title=(title or "").strip(),
        owner=(owner or "").strip(),
        deadline=deadline,
        cost=cost,
        seeking_grant=seeking_grant,
    )
    action.full_clean()
    with transaction.atomic():
        action.save()
        activity_log(actor=actor, verb="audit.action_added", target=audit, seeking_grant=seeking_grant)
    return action


def indicator_add(
    *, actor, priority: Priority, name: str, baseline: str, target: str, source: str
) -> Indicator:
    audit = Audit.objects.get(pk=priority.audit_id)
    _coordinator(actor, audit)
    _in_phase(audit, AuditPhase.ACTION_PLAN)
    indicator = Indicator(
        priority=priority,
        name=(name or "").strip(),
        baseline=(baseline or "").strip(),
        target=(target or "").strip(),
        source=(source or "").strip(),
    )
    indicator.full_clean()
    indicator.save()
    return indicator
