from django import template
from django.utils.html import conditional_escape, format_html

from portal.i18n import current_language, localized_with_language, pick_language
from portal.roles import ROLES

register = template.Library()


@register.filter
def role_label(code: str) -> str:
    """The translated label of a role code."""
    return str(ROLES.get(code, code))


def _marked(text: str, language: str):
    """``text`` escaped, inside ``<span lang="…">`` when its language is not the page's."""
    if not text or not language or language[:2] == current_language():
        return conditional_escape(text)
    return format_html('<span lang="{}">{}</span>', language[:2], text)


@register.simple_tag
def localized(obj, field: str | None = None):
    """``{% localized workshop "theme" %}``: the field in the page's language, else the fallback chain
    (English, Czech, any), marked with its language when that differs from the page's.
    ``{% localized question.text %}`` does the same for a ``{language: text}`` dict."""
    if field is None:
        return _marked(*pick_language(obj or {}))
    return _marked(*localized_with_language(obj, field))


@register.filter
def written_in(text: str, language: str):
    """``{{ workshop.venue|written_in:workshop.initiative.language }}``: text kept in one language only,
    marked with that language when it differs from the page's."""
    return _marked(text, language)


@register.simple_tag
def lang_attr(language: str):
    """`` lang="cs"`` for an element holding block content (paragraphs) written in ``language``, or nothing
    when that is the page's language: ``<div{% lang_attr initiative.language %}>…</div>``."""
    if not language or language[:2] == current_language():
        return ""
    return format_html(' lang="{}"', language[:2])
