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


@register.filter
def hours(value) -> str:
    """A duration as hours with one decimal ("12.5 h"), empty when there is none."""
    if value is None:
        return ""
    return _("%(hours)s h") % {"hours": f"{value.total_seconds() / 3600:.1f}"}
