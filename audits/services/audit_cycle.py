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
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
COST_MAX = Decimal("10000000000")  # what the column holds (12 digits)
OPEN_PHASES = (
    AuditPhase.SETUP,
    AuditPhase.EVIDENCE,
    AuditPhase.DIAGNOSIS,
    AuditPhase.ACTION_PLAN,
    AuditPhase.REPORT,
)


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
    _dates(starts_on, report_due_on, None)
    audit.full_clean()
    with transaction.atomic():
        audit.save()
        activity_log(actor=actor, verb="audit.created", target=audit)
    return audit


def _dates(starts_on: date, report_due_on: date, reaudit_on: date | None) -> None:
    for field, value in (
        ("starts_on", starts_on),
        ("report_due_on", report_due_on),
        ("reaudit_on", reaudit_on),
    ):
        if value is not None and not (EARLIEST <= value <= LATEST):
            raise ValidationError({field: _("Give a date between 2000 and 2100.")})
    if report_due_on < starts_on:
        raise ValidationError({"report_due_on": _("The report cannot be due before the audit starts.")})
    if reaudit_on is not None and reaudit_on <= report_due_on:
        raise ValidationError({"reaudit_on": _("The re-audit comes after the report.")})


def audit_update(
    *,
    actor,
    audit: Audit,
    title: str,
    themes: str,
    area: str,
    starts_on: date,
    report_due_on: date,
    reaudit_on: date | None,
    waves=(),
) -> Audit:
    """The set-up: title, scope (themes, area), timetable, re-audit date and the linked survey waves (waves
    run in the audit's town). Possible until the report is published."""
    _coordinator(actor, audit)
    _dates(starts_on, report_due_on, reaudit_on)
    waves = list(waves)
    if any(not any(m.pk == audit.municipality_id for m in w.municipalities.all()) for w in waves):
        raise ValidationError({"waves": _("Link only survey waves run in the audit's town.")})
    with transaction.atomic():
        locked = Audit.objects.select_for_update().get(pk=audit.pk)
        _in_phase(locked, *OPEN_PHASES)
        locked.title = (title or "").strip()
        locked.themes = _long_text("themes", themes)
        locked.area = _long_text("area", area)
        locked.starts_on, locked.report_due_on, locked.reaudit_on = starts_on, report_due_on, reaudit_on
        locked.full_clean()
        locked.save()
        locked.waves.set(waves)
        activity_log(actor=actor, verb="audit.updated", target=locked)
    return locked


def audit_transition(*, audit: Audit, action: str, actor, expected_version: int | None = None) -> Audit:
    """A phase move through the workflow. The report is published only with a finished PDF of it."""
    if action == "publish" and not audit.reports.filter(status="done").exists():
        _coordinator(actor, audit)
        raise ValidationError(_("Build the report's PDF before publishing it."))
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
    _in_phase(audit, *OPEN_PHASES)
    member.full_clean()
    with transaction.atomic():
        member.save()
        activity_log(actor=actor, verb="audit.member_added", target=audit)
    return member


def steering_member_remove(*, actor, member: SteeringMember) -> None:
    audit = member.audit
    _coordinator(actor, audit)
    _in_phase(audit, *OPEN_PHASES)
    with transaction.atomic():
        member.delete()
        activity_log(actor=actor, verb="audit.member_removed", target=audit)


def action_set_status(*, actor, action: Action, status: str) -> Action:
    """An action's progress (planned, in progress, done, dropped): kept up also after the report."""
    audit = Audit.objects.get(pk=action.priority.audit_id)
    _coordinator(actor, audit)
    if status not in Action.Status.values:
        raise ValidationError({"status": _("Choose a status from the list.")})
    with transaction.atomic():
        Action.objects.filter(pk=action.pk).update(status=status)
        activity_log(actor=actor, verb="audit.action_status", target=audit, status=status)
    action.status = status
    return action


def finding_add(
    *,
    actor,
    audit: Audit,
    text: str,
    evidence: str,
    evidence_note: str,
    wave=None,
    walk=None,
    police_figures=None,
) -> Finding:
    """A finding resting on its evidence: the kind, what exactly, and the item itself when it is one of the
    audit's survey waves, walking audits or police statistics uploads."""
    _coordinator(actor, audit)
    _in_phase(audit, AuditPhase.EVIDENCE, AuditPhase.DIAGNOSIS)
    if wave is not None and not audit.waves.filter(pk=wave.pk).exists():
        raise ValidationError({"wave": _("Link a survey wave of this audit.")})
    if walk is not None and walk.audit_id != audit.pk:
        raise ValidationError({"walk": _("Link a walking audit of this audit.")})
    if police_figures is not None and police_figures.audit_id != audit.pk:
        raise ValidationError({"police_figures": _("Link police statistics of this audit.")})
    finding = Finding(
        audit=audit,
        text=_long_text("text", text),
        evidence=evidence,
        evidence_note=(evidence_note or "").strip(),
        wave=wave,
        walk=walk,
        police_figures=police_figures,
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
    if cost is not None and cost >= COST_MAX:
        raise ValidationError({"cost": _("The cost is too high.")})
    if not (EARLIEST <= deadline <= LATEST):
        raise ValidationError({"deadline": _("Give a date between 2000 and 2100.")})
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
    with transaction.atomic():
        indicator.save()
        activity_log(actor=actor, verb="audit.indicator_added", target=audit)
    return indicator
