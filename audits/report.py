"""The audit report: one HTML document rendered by WeasyPrint into an A4 PDF (cover, summary, evidence with
charts and tables, findings, priorities, action plan, indicators, methods and data sources). The public
summary page shows the same context."""

from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .charts import count_bars, month_chart
from .evidence import audit_evidence_panel
from .models import Audit, AuditReport

PRINT_CSS = Path(__file__).resolve().parent / "templates" / "audits" / "report" / "print.css"


def audit_fieldwork(audit: Audit) -> dict:
    """The walking audits (participants by group, the items rated poor per stop) and the police statistics;
    never the private notes. Four queries."""
    from .services.fieldwork import CHECKLIST, PARTICIPANT_GROUPS

    walks = []
    for walk in audit.walks.prefetch_related("stops"):
        poor = [
            (
                stop.label,
                [str(CHECKLIST[k]) for k, v in stop.checklist.items() if v == "poor" and k in CHECKLIST],
            )
            for stop in walk.stops.all()
        ]
        groups = [(str(PARTICIPANT_GROUPS.get(k, k)), n) for k, n in walk.participants.items()]
        walks.append({"walk": walk, "groups": groups, "poor": [p for p in poor if p[1]]})
    return {"walks": walks, "police_uploads": list(audit.police_figures.prefetch_related("rows"))}


def audit_content(audit: Audit) -> dict:
    """The audit's steering group, findings, priorities with their actions and indicators, and its
    fieldwork (``audit_fieldwork``). A fixed number of queries."""
    priorities = list(
        audit.priorities.prefetch_related("findings", "actions", "indicators").order_by("order")
    )
    return {
        **audit_fieldwork(audit),
        "members": list(audit.steering_group.select_related("user")),
        "findings": list(audit.findings.select_related("wave", "walk", "police_figures")),
        "priorities": priorities,
        "grant_actions": [a for p in priorities for a in p.actions.all() if a.seeking_grant],
    }


def report_context(*, audit: Audit, language: str, edition: AuditReport | None = None) -> dict:
    with translation.override(language):
        panel = audit_evidence_panel(audit=audit)
        return {
            "audit": audit,
            "language": language,
            "edition": edition,
            "generated_on": timezone.localdate(),
            "panel": panel,
            "groups_svg": count_bars(
                [(g.label, g.per_1000 if g.per_1000 is not None else g.count) for g in panel.groups],
                title=_("Reports per 1 000 residents by category group"),
            ),
            "months_svg": month_chart(panel.reports.months, title=_("Reports per month")),
            **audit_content(audit),
        }


def render_pdf(*, audit: Audit, language: str, edition: AuditReport | None = None) -> tuple[bytes, int]:
    from weasyprint import CSS, HTML

    context = report_context(audit=audit, language=language, edition=edition)
    with translation.override(language):
        html = render_to_string("audits/report/document.html", context)
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[CSS(filename=str(PRINT_CSS))]
    )
    return document.write_pdf(), len(document.pages)
