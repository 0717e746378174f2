"""Model fields kept per language (``name_cs``, ``name_pl``, ``name_en``, ``name_nb``)."""

from django.conf import settings
from django.utils import translation


def localized(obj, field: str, language: str | None = None) -> str:
    """The value of ``<field>_<language>`` on ``obj``, falling back to English, then Czech, then any."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE)[:2]
    for code in (language, "en", "cs", "pl", "nb"):
        value = getattr(obj, f"{field}_{code}", "")
        if value:
            return value
    return ""
