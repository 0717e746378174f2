"""The one export framework of Okrsek: a ``Table`` (name, header, rows) becomes a CSV, a streamed CSV or an
XLSX download, with one cell convention everywhere.

Cells: ``None`` is empty; booleans are "yes"/"no" in the reader's language; datetimes are local time without
a zone ("2026-12-03 14:05" in CSV, a date cell in XLSX); numbers stay numbers; text a spreadsheet would run
as a formula (``=``, ``+``, ``-``, ``@``, a tab, …) gets a leading apostrophe in CSV (OWASP's advice on CSV
injection), and in XLSX every text is a string cell, which spreadsheets never evaluate. CSV starts with a
BOM so that Excel reads Czech and Polish letters right.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

# A spreadsheet runs text starting with one of these as a formula (or a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def formula_safe(value):
    """Text a spreadsheet would run as a formula, with a leading apostrophe so it stays text; anything else
    (numbers, dates, safe text) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass
class Table:
    name: str  # file name without extension, also the sheet's title
    header: Sequence
    rows: Iterable[Sequence]


def cell(value, *, escape: bool = True):
    """One value as an export cell (the convention above). ``escape=False`` for XLSX, where text cells are
    never evaluated anyway."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, int | float | Decimal | date):
        return value
    text = str(value).replace("\r\n", "\n")
    return formula_safe(text) if escape else text


def csv_text(value) -> str:
    """A cell as CSV text: datetimes to the minute, dates in ISO form."""
    value = cell(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral() else str(value)
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(table: Table) -> Iterator[str]:
    """The table as CSV lines, BOM first."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([csv_text(h) for h in table.header])
    for row in table.rows:
        yield writer.writerow([csv_text(value) for value in row])


def csv_string(table: Table) -> str:
    return "".join(csv_lines(table))


def _download(response: HttpResponse, filename: str, *, private: bool) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    if private:
        response["Cache-Control"] = "private, no-store"
    return response


def csv_response(table: Table, *, streaming: bool = False, private: bool = True) -> HttpResponse:
    """A CSV download. ``streaming`` sends it row by row (large exports never sit in memory)."""
    content_type = "text/csv; charset=utf-8"
    if streaming:
        response = StreamingHttpResponse(csv_lines(table), content_type=content_type)
    else:
        response = HttpResponse(csv_string(table), content_type=content_type)
    return _download(response, f"{table.name}.csv", private=private)


def xlsx_bytes(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.name[:31]
    sheet.append([str(h) for h in table.header])
    for header_cell in sheet[1]:
        header_cell.font = Font(bold=True)
    widths = [len(str(h)) for h in table.header]
    for row in table.rows:
        values = [cell(value, escape=False) for value in row]
        sheet.append(values)
        for sheet_cell, value in zip(sheet[sheet.max_row], values, strict=False):
            if isinstance(value, str):
                sheet_cell.data_type = "s"  # never a formula, whatever the text
            elif isinstance(value, datetime):
                sheet_cell.number_format = "yyyy-mm-dd hh:mm"
        widths = [max(w, min(len(str(v)), 60)) for w, v in zip(widths, values, strict=False)]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width + 2
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(table: Table, *, private: bool = True) -> HttpResponse:
    return _download(
        HttpResponse(xlsx_bytes(table), content_type=XLSX_TYPE), f"{table.name}.xlsx", private=private
    )


def table_response(table: Table, fmt: str, *, private: bool = True) -> HttpResponse:
    """CSV or XLSX by the ``format`` the user chose ("xlsx", anything else: CSV)."""
    return xlsx_response(table, private=private) if fmt == "xlsx" else csv_response(table, private=private)
