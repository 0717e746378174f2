"""Invitation letters: one A4 page per code, rendered by WeasyPrint (as ``workshops/publication.py`` does).
The PDF is the only place where the codes exist in clear; the database keeps their hashes."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from portal.web import absolute_reverse

from .models import in_language


def invitation_letters_pdf(*, wave, municipality, codes: list[str], language: str | None = None) -> bytes:
    from weasyprint import HTML

    language = language or ("pl" if municipality.country == "PL" else "cs")
    with translation.override(language):
        html = render_to_string(
            "audits/letters/invitations.html",
            {
                "wave": wave,
                "town": municipality,
                "codes": codes,
                "title": in_language(wave.questionnaire.title, language),
                "url": absolute_reverse("audits:code", wave.pk),
                "language": language,
            },
        )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
