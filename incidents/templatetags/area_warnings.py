"""``{% area_warnings district=… municipality=… %}``: the live warnings of an area on its public page."""

from django import template

from ..alerts.warnings import warnings_live

register = template.Library()


@register.inclusion_tag("incidents/alerts/_warnings.html")
def area_warnings(district=None, municipality=None):
    return {"warnings": list(warnings_live(district=district, municipality=municipality))}
