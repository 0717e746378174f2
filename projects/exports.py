"""Exports of the projects app: the public list of supported projects and a commission meeting's
recommendation list for the council, as ``portal.exports`` tables (CSV), and that list as a PDF
(WeasyPrint)."""

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.exports import Table


def _fixed(value) -> str | None:
    """Amounts and scores with their two decimals ("85000.00"), as the council's sheets have them."""
    return None if value is None else f"{Decimal(value):.2f}"


def supported_table(programme, proposals) -> Table:
    header = [
        _("Year"),
        pgettext("grants", "Reference"),
        pgettext("grants", "Town"),
        _("Project"),
        _("Approved amount"),
        _("Resolution"),
        _("Resolution date"),
        _("Status"),
    ]
    rows = (
        [
            p.call.year,
            p.reference,
            p.municipality.name,
            p.title,
            _fixed(p.decision.approved_amount),
            p.decision.resolution_number,
            p.decision.resolved_on,
            str(p.public_status),
        ]
        for p in proposals
    )
    return Table(name=f"{programme.slug}-supported-projects", header=header, rows=rows)


def recommendations_table(meeting, items) -> Table:
    header = [
        _("Rank"),
        pgettext("grants", "Reference"),
        pgettext("grants", "Town"),
        _("Project"),
        _("Score"),
        _("Reviews"),
        pgettext("grants", "Requested"),
        _("Recommended"),
        _("Proposed amount"),
        pgettext("grants", "Note"),
    ]
    rows = (
        [
            item.rank,
            item.proposal.reference,
            item.proposal.municipality.name,
            item.proposal.title,
            _fixed(item.score),
            item.review_count,
            _fixed(item.proposal.requested_amount),
            item.recommend,
            _fixed(item.proposed_amount),
            item.note,
        ]
        for item in items
    )
    return Table(name=f"recommendations-{meeting.call.year}-{meeting.held_on}", header=header, rows=rows)


def recommendations_pdf(*, meeting, items, budget_left, request=None) -> bytes:
    """The recommendation list as a PDF for the council; DejaVu fonts carry every Czech and Polish letter."""
    from weasyprint import HTML  # imported here: loading Pango takes a moment and only this export needs it

    recommended = [item for item in items if item.recommend]
    html = render_to_string(
        "projects/recommendations_pdf.html",
        {
            "meeting": meeting,
            "call": meeting.call,
            "items": items,
            "proposed_total": sum((item.proposed_amount or 0 for item in recommended), Decimal(0)),
            "recommended_count": len(recommended),
            "budget_left": budget_left,
            "generated_at": timezone.now(),
        },
        request=request,
    )
    return HTML(string=html, base_url=None).write_pdf()
