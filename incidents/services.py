"""Writes of the incidents app (reports, districts and the deadline workflow come with their issue)."""

from django.db import transaction

from .models import Category


@transaction.atomic
def category_upsert(*, code: str, **fields) -> tuple[Category, bool]:
    """Create the category ``code`` or update its fields. Returns (category, created)."""
    category = Category.objects.select_for_update().filter(code=code).first()
    created = category is None
    if created:
        category = Category(code=code)
    for name, value in fields.items():
        setattr(category, name, value)
    category.full_clean()
    category.save()
    return category, created
