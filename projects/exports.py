"""Exports of the projects app: the public list of supported projects (CSV) and a commission meeting's
recommendation list for the council (CSV and PDF via WeasyPrint)."""

import csv
import io
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.exports import formula_safe


def csv_cell(value) -> str | int | Decimal:
    """A value safe to put in a CSV cell: numbers as they are, text that a spreadsheet would run as a formula
    prefixed with an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | Decimal):
        return value
    return formula_safe(str(value).replace("\r\n", "\n"))


def _csv(header: list, rows) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # BOM: spreadsheets read UTF-8 (Czech, Polish diacritics) right
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL)
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


def supported_csv(proposals) -> str:
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
            p.decision.approved_amount,
            p.decision.resolution_number,
            p.decision.resolved_on.isoformat(),
            str(p.public_status),
        ]
        for p in proposals
    )
    return _csv(header, rows)


def recommendations_csv(meeting, items) -> str:
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
            item.score,
            item.review_count,
            item.proposal.requested_amount,
            None if item.recommend is None else item.recommend,
            item.proposed_amount,
            item.note,
        ]
        for item in items
    )
    return _csv(header, rows)


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
