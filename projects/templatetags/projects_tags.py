"""Template helpers of the projects app."""

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def money(value, currency: str = "CZK") -> str:
    """1234567.5 -> "1 234 567,50 CZK" in the current language's format; whole amounts without decimals."""
    if value is None or value == "":
        return "–"
    return f"{floatformat(value, '-2g')}\u00a0{currency}"


@register.filter
def score(value) -> str:
    return "–" if value is None else floatformat(value, 2)
