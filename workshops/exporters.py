"""Exports of the organiser's lists: CSV and XLSX, safe against formula injection.

CSV: a cell a spreadsheet would read as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) is prefixed with an apostrophe (OWASP's advice for CSV injection). XLSX: every text is
written as a string cell, which Excel and LibreOffice never evaluate, so the text stays as typed.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.exports import formula_safe


@dataclass
class Table:
    name: str  # file name without extension, also the sheet's title
    header: Sequence[str]
    rows: Iterable[Sequence]


def safe_cell(value, *, escape: bool = True) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):  # datetime: local time, no zone in the sheet
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, int | float) or hasattr(value, "isoformat"):
        return value
    text = str(value)
    return formula_safe(text) if escape else text


def csv_response(table: Table) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table.name}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly (Czech and Polish letters)
    writer = csv.writer(response)
    writer.writerow([safe_cell(h) for h in table.header])
    for row in table.rows:
        writer.writerow([_csv_text(safe_cell(value)) for value in row])
    return response


def _csv_text(value) -> str:
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def xlsx_response(table: Table) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = table.name[:31]
    sheet.append([str(h) for h in table.header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(str(h)) for h in table.header]
    for row in table.rows:
        values = [safe_cell(value, escape=False) for value in row]
        sheet.append(values)
        for cell, value in zip(sheet[sheet.max_row], values, strict=False):
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            elif hasattr(value, "hour"):
                cell.number_format = "yyyy-mm-dd hh:mm"
        widths = [max(w, min(len(str(v)), 60)) for w, v in zip(widths, values, strict=False)]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width + 2
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{table.name}.xlsx"'
    return response


def export(table: Table, fmt: str) -> HttpResponse:
    return xlsx_response(table) if fmt == "xlsx" else csv_response(table)


# --- the tables -----------------------------------------------------------------------------------------


def registrations_table(workshop, registrations) -> Table:
    return Table(
        name=f"workshop-{workshop.number}-registrations",
        header=[
            _("Name"),
            _("Email"),
            _("Phone"),
            _("Organisation"),
            _("Type of organisation"),
            _("Position"),
            _("Language"),
            _("Accessibility or dietary needs"),
            _("Status"),
            _("Partner-country seat"),
            _("Registered"),
            _("Checked in"),
        ],
        rows=(
            [
                r.full_name,
                r.email,
                r.phone,
                r.organisation,
                r.get_organisation_type_display(),
                r.position,
                r.get_language_display(),
                r.needs,
                r.get_status_display(),
                r.partner_seat,
                r.created_at,
                r.attended_at,
            ]
            for r in registrations
        ),
    )


def nominations_table(initiative, nominations) -> Table:
    return Table(
        name=f"{initiative.code}-nominations",
        header=[
            _("Municipality"),
            pgettext("okres / powiat", "District"),
            _("Representative"),
            _("Position"),
            _("Email"),
            _("Phone"),
            _("Note"),
            _("Status"),
            _("Updated"),
        ],
        rows=(
            [
                n.municipality.name,
                n.municipality.district_name,
                n.representative_name,
                n.position,
                n.email,
                n.phone,
                n.note,
                n.get_status_display(),
                n.updated_at,
            ]
            for n in nominations
        ),
    )


def offers_table(workshop, offers) -> Table:
    return Table(
        name=f"workshop-{workshop.number}-offers",
        header=[
            _("Title"),
            _("Speaker"),
            _("Organisation"),
            _("Email"),
            _("Minutes"),
            _("Status"),
            _("Message to the author"),
            _("Submitted"),
            _("Abstract"),
        ],
        rows=(
            [
                o.title,
                o.speaker_name,
                o.speaker_organisation,
                o.speaker_email,
                o.minutes,
                o.get_status_display(),
                o.decision_message,
                o.created_at,
                o.abstract,
            ]
            for o in offers
        ),
    )
