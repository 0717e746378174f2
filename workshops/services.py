"""Writes of the workshops app (registration, nominations and the publication come with their issue)."""

from django.db import transaction

from .models import Initiative, Workshop


@transaction.atomic
def initiative_upsert(*, code: str, **fields) -> tuple[Initiative, bool]:
    initiative = Initiative.objects.select_for_update().filter(code=code).first()
    created = initiative is None
    if created:
        initiative = Initiative(code=code)
    for name, value in fields.items():
        setattr(initiative, name, value)
    initiative.full_clean()
    initiative.save()
    return initiative, created


@transaction.atomic
def workshop_upsert(*, initiative: Initiative, number: int, **fields) -> tuple[Workshop, bool]:
    workshop = Workshop.objects.select_for_update().filter(initiative=initiative, number=number).first()
    created = workshop is None
    if created:
        workshop = Workshop(initiative=initiative, number=number)
    for name, value in fields.items():
        setattr(workshop, name, value)
    workshop.full_clean()
    workshop.save()
    return workshop, created
