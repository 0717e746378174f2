from django import template

from portal.roles import ROLES

register = template.Library()


@register.filter
def role_label(code: str) -> str:
    """The translated label of a role code."""
    return str(ROLES.get(code, code))
