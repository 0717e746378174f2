"""The survey wave's states, declared in the shared workflow engine (``portal.workflow``): draft → open →
closed → published. Nothing is shown while a wave is open; results appear once it is published.
``services.wave_transition`` applies it."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.workflow import Messages, State, Transition, Workflow

from . import rules as r


class WaveStatus(models.TextChoices):
    DRAFT = "draft", _("in preparation")
    OPEN = "open", _("open for answers")
    CLOSED = "closed", _("closed, results being checked")
    PUBLISHED = "published", _("results published")


WAVE = Workflow(
    name="wave",
    model="audits.Wave",
    states={
        WaveStatus.DRAFT: State(_("in preparation")),
        WaveStatus.OPEN: State(_("open for answers")),
        WaveStatus.CLOSED: State(_("closed, results being checked")),
        WaveStatus.PUBLISHED: State(_("results published"), open=False),
    },
    transitions={
        "open": Transition(
            name="open",
            label=_("Open for answers"),
            public_label=_("The survey opened."),
            sources=frozenset({WaveStatus.DRAFT}),
            target=WaveStatus.OPEN,
            allowed=r.wave_methodologist,
        ),
        "close": Transition(
            name="close",
            label=_("Close the wave"),
            public_label=_("The survey closed."),
            sources=frozenset({WaveStatus.OPEN}),
            target=WaveStatus.CLOSED,
            allowed=r.wave_methodologist,
        ),
        "publish": Transition(
            name="publish",
            label=_("Publish the results"),
            public_label=_("The results were published."),
            sources=frozenset({WaveStatus.CLOSED}),
            target=WaveStatus.PUBLISHED,
            allowed=r.wave_methodologist,
            stamps=("published_at",),
        ),
    },
    messages=Messages(
        unknown=pgettext_lazy("survey", "Unknown action."),
        not_possible=_("“%(action)s” is not possible for a wave that is %(status)s."),
        forbidden=_("Only the wave's methodologist may do this."),
        stale=_("The wave was changed meanwhile. Reload the page and try again."),
    ),
    version_field="version",
)


# --- the local safety audit (EFUS): set-up → evidence → diagnosis → action plan → report -------------------


class AuditPhase(models.TextChoices):
    SETUP = "setup", _("set-up")
    EVIDENCE = "evidence", _("evidence")
    DIAGNOSIS = "diagnosis", _("diagnosis")
    ACTION_PLAN = "action_plan", _("action plan")
    REPORT = "report", pgettext_lazy("audit", "report")
    PUBLISHED = "published", _("report published")


def _step(name, label, public, source, target, **extra) -> Transition:
    return Transition(
        name=name,
        label=label,
        public_label=public,
        sources=frozenset({source}),
        target=target,
        allowed=r.audit_coordinator,
        **extra,
    )


AUDIT = Workflow(
    name="audit",
    model="audits.Audit",
    states={
        AuditPhase.SETUP: State(_("set-up")),
        AuditPhase.EVIDENCE: State(_("evidence")),
        AuditPhase.DIAGNOSIS: State(_("diagnosis")),
        AuditPhase.ACTION_PLAN: State(_("action plan")),
        AuditPhase.REPORT: State(pgettext_lazy("audit", "report")),
        AuditPhase.PUBLISHED: State(_("report published"), open=False),
    },
    transitions={
        "gather_evidence": _step(
            "gather_evidence",
            _("Start gathering evidence"),
            _("The audit gathers evidence."),
            AuditPhase.SETUP,
            AuditPhase.EVIDENCE,
        ),
        "diagnose": _step(
            "diagnose",
            _("Start the diagnosis"),
            _("The audit draws its findings."),
            AuditPhase.EVIDENCE,
            AuditPhase.DIAGNOSIS,
        ),
        "plan": _step(
            "plan",
            _("Start the action plan"),
            _("The audit plans its actions."),
            AuditPhase.DIAGNOSIS,
            AuditPhase.ACTION_PLAN,
        ),
        "write_report": _step(
            "write_report",
            _("Write the report"),
            _("The audit report is being written."),
            AuditPhase.ACTION_PLAN,
            AuditPhase.REPORT,
        ),
        "publish": _step(
            "publish",
            _("Publish the report"),
            _("The audit report was published."),
            AuditPhase.REPORT,
            AuditPhase.PUBLISHED,
            stamps=("published_at",),
        ),
    },
    messages=Messages(
        unknown=pgettext_lazy("survey", "Unknown action."),
        not_possible=_("“%(action)s” is not possible for an audit in the phase %(status)s."),
        forbidden=_("Only the town's audit coordinator may do this."),
        stale=_("The audit was changed meanwhile. Reload the page and try again."),
    ),
    status_field="phase",
    version_field="version",
)
