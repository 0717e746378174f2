"""Model fields kept per language (``name_cs``, ``name_pl``, ``name_en``, ``name_nb``).

Content is shown in the visitor's language when it has that translation, else in the first of English,
Czech, Polish, Norwegian that is filled in. ``localized_with_language`` says which language was chosen, so
that a page can mark text in another language than its own (``lang="cs"``) for screen readers.
"""

from django.conf import settings
from django.utils import translation

FALLBACK_CHAIN = ("en", "cs", "pl", "nb")


def current_language() -> str:
    """The two-letter code of the active interface language."""
    return (translation.get_language() or settings.LANGUAGE_CODE)[:2]


def pick_language(texts: dict, language: str | None = None) -> tuple[str, str]:
    """(text, its language) from a ``{language: text}`` dict: the wanted language (the active one by
    default), else English, else Czech, else any other filled-in text; ("", language) when all are empty."""
    language = (language or current_language())[:2]
    for code in (language, *FALLBACK_CHAIN, *texts):
        if texts.get(code):
            return texts[code], code
    return "", language


def localized_with_language(obj, field: str, language: str | None = None) -> tuple[str, str]:
    """(text, its language) of ``<field>_<language>`` on ``obj``, with the fallback chain of
    ``pick_language``."""
    language = (language or current_language())[:2]
    texts = {code: getattr(obj, f"{field}_{code}", "") for code in (language, *FALLBACK_CHAIN)}
    return pick_language(texts, language)


def localized(obj, field: str, language: str | None = None) -> str:
    """The value of ``<field>_<language>`` on ``obj``, falling back to English, then Czech, then any."""
    return localized_with_language(obj, field, language)[0]
