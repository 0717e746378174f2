from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pct(value) -> str:
    return "" if value is None else f"{100 * value:.0f} %"


@register.simple_tag
def estimate(cell, code) -> str:
    """A cell's share for a question as "48 % (41–55 %)", or why it is not published."""
    if cell.suppressed:
        return _("not published")
    value = cell.estimates.get(code)
    if value is None:
        return _("not published")
    return f"{100 * value.share:.0f} % ({100 * value.low:.0f}–{100 * value.high:.0f} %)"
