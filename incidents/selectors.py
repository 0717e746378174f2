from itertools import groupby

from .models import Category


def categories_active_grouped() -> list[tuple[str, list[Category]]]:
    """Active categories grouped for the report form: [(group label, [category, …]), …]."""
    categories = Category.objects.filter(active=True).order_by("group", "sort_order", "code")
    labels = dict(Category.Group.choices)
    return [(labels[group], list(items)) for group, items in groupby(categories, key=lambda c: c.group)]
