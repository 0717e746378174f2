"""The recommendations publication: one HTML document rendered by WeasyPrint into an A4 PDF (cover, foreword,
table of contents with page numbers, a chapter per workshop theme, participating institutions, running
headers and page numbers), and the same content as an HTML preview page.

The text comes out in the edition's language: the headings through gettext, the content from the ``*_en``
fields in the English edition (falling back to the original text).
"""

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import Initiative, OrganisationType, Publication, Recommendation

ADDRESSEE_HEADINGS = {
    Recommendation.Addressee.TOWNS: _("For towns and municipalities"),
    Recommendation.Addressee.MUNICIPAL_POLICE: _("For municipal police"),
    Recommendation.Addressee.STATE_POLICE: _("For the state police"),
    Recommendation.Addressee.MINISTRY: _("For the ministry"),
}
PRINT_CSS = Path(__file__).resolve().parent / "templates" / "workshops" / "publication" / "print.css"


@dataclass
class Practice:
    title: str
    town: str
    description: str
    contact: str


@dataclass
class Chapter:
    number: int
    anchor: str
    theme: str
    held_on: object
    venue: str
    practices: list[Practice] = field(default_factory=list)
    # [(addressee label, [(priority value, priority label, text)])]
    recommendations: list[tuple[str, list[tuple[int, str, str]]]] = field(default_factory=list)


def _english(language: str, original: str, english: str) -> str:
    return english if language == "en" and english else original


def publication_context(*, initiative: Initiative, language: str, edition: Publication | None = None) -> dict:
    """Everything the publication shows, already in the edition's language."""
    with translation.override(language):
        chapters = []
        for workshop in selectors.publication_chapters(initiative):
            chapter = Chapter(
                number=workshop.number,
                anchor=f"chapter-{workshop.number}",
                theme=workshop.theme_in(language),
                held_on=workshop.held_on,
                venue=workshop.venue,
                practices=[
                    Practice(
                        title=_english(language, gp.title, gp.title_en),
                        town=gp.town,
                        description=_english(language, gp.description, gp.description_en),
                        contact=gp.contact,
                    )
                    for gp in workshop.good_practices.all()
                ],
            )
            by_addressee: dict[str, list] = {}
            for rec in workshop.recommendations.all():
                by_addressee.setdefault(rec.addressee, []).append(
                    (rec.priority, str(rec.get_priority_display()), _english(language, rec.text, rec.text_en))
                )
            chapter.recommendations = [
                (str(ADDRESSEE_HEADINGS[value]), by_addressee[value])
                for value, _label in Recommendation.Addressee.choices
                if value in by_addressee
            ]
            chapters.append(chapter)
        labels = dict(OrganisationType.choices)
        order = [value for value, _label in OrganisationType.choices]
        institutions = sorted(
            selectors.participating_institutions(initiative), key=lambda item: order.index(item[0])
        )
        foreword = _english(language, initiative.foreword, initiative.foreword_en)
        return {
            "initiative": initiative,
            "title": initiative.name_in(language),
            "language": language,
            "foreword": foreword,
            "chapters": chapters,
            "institutions": [(str(labels[kind]), names) for kind, names in institutions],
            "edition": edition,
            "generated_on": timezone.localdate(),
        }


def render_html(*, initiative: Initiative, language: str, edition: Publication | None = None) -> str:
    context = publication_context(initiative=initiative, language=language, edition=edition)
    with translation.override(language):
        return render_to_string("workshops/publication/document.html", context)


class _Progress(logging.Handler):
    """Turns WeasyPrint's progress log ("Step 5 - Creating layout - Page 12") into a percentage: 20 % when
    the HTML is ready, up to 80 % while pages are laid out (approaching it as pages grow), 85 % when the PDF
    is written. Reports only changes of at least 3 points, so a long document does not write per page, but
    at least every HEARTBEAT seconds while WeasyPrint works (the report is also the build's sign of life)."""

    STEP = re.compile(r"Step (\d)(?:.*Page (\d+))?")
    HEARTBEAT = 20.0

    def __init__(self, report: Callable[[int], None]):
        super().__init__(level=logging.INFO)
        self.report, self.last, self.reported_at = report, 0, time.monotonic()

    def emit(self, record: logging.LogRecord) -> None:
        match = self.STEP.match(record.getMessage())
        if not match:
            return
        step, page = int(match.group(1)), int(match.group(2) or 0)
        value = 20 + 2 * step if step < 5 else 30 + round(50 * page / (page + 10)) if step == 5 else 85
        if value >= self.last + 3 or time.monotonic() - self.reported_at >= self.HEARTBEAT:
            self.last, self.reported_at = max(value, self.last), time.monotonic()
            self.report(self.last)


def render_pdf(
    *,
    initiative: Initiative,
    language: str,
    edition: Publication | None = None,
    progress: Callable[[int], None] = lambda value: None,
) -> tuple[bytes, int]:
    """The publication as PDF bytes and its number of pages. ``progress`` is told how far it got (0–100)."""
    from weasyprint import CSS, HTML

    html = render_html(initiative=initiative, language=language, edition=edition)
    progress(20)
    weasy_log = logging.getLogger("weasyprint.progress")
    handler, level = _Progress(progress), weasy_log.level
    weasy_log.addHandler(handler)
    if not weasy_log.isEnabledFor(logging.INFO):
        weasy_log.setLevel(logging.INFO)
    try:
        document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(
            stylesheets=[CSS(filename=str(PRINT_CSS))]
        )
        pdf = document.write_pdf()
    finally:
        weasy_log.removeHandler(handler)
        weasy_log.setLevel(level)
    progress(95)
    return pdf, len(document.pages)


def attendance_sheet_pdf(*, workshop, rows) -> bytes:
    """The attendance sheet (prezenční listina) of a workshop: names, organisations, a signature column."""
    from weasyprint import CSS, HTML

    html = render_to_string(
        "workshops/publication/attendance.html",
        {"workshop": workshop, "initiative": workshop.initiative, "rows": rows, "blank_rows": range(5)},
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=[CSS(filename=str(PRINT_CSS))]
    )
