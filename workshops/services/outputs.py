"""The outputs of a workshop the organiser records for the publication: good practices and recommendations."""

from django.db import transaction

from portal.services import activity_log, create_once

from ..models import GoodPractice, Recommendation, Workshop
from .common import authorize, stripped

VERBS = {GoodPractice: "good_practice", Recommendation: "recommendation"}


def _output_save(model, *, instance, workshop, actor, submission_key, **fields):
    """Record a new output (once per ``submission_key``: a double click saves once) or edit ``instance``."""
    authorize(actor, "workshops.manage")
    verb = VERBS[model]

    def save(obj, action: str):
        for name, value in fields.items():
            setattr(obj, name, stripped(value))
        obj.full_clean(exclude=["submission_key"])
        obj.save()
        activity_log(actor=actor, verb=f"{verb}.{action}", target=obj)
        return obj

    with transaction.atomic():
        if instance is not None:
            return save(instance, "updated")
        obj, _created = create_once(
            model,
            submission_key=submission_key,
            create=lambda: save(
                model(workshop=workshop, created_by=actor, submission_key=submission_key), "created"
            ),
        )
    return obj


def good_practice_save(
    *, workshop: Workshop, actor, instance: GoodPractice | None = None, submission_key=None, **fields
) -> GoodPractice:
    return _output_save(
        GoodPractice,
        instance=instance,
        workshop=workshop,
        actor=actor,
        submission_key=submission_key,
        **fields,
    )


def recommendation_save(
    *, workshop: Workshop, actor, instance: Recommendation | None = None, submission_key=None, **fields
) -> Recommendation:
    return _output_save(
        Recommendation,
        instance=instance,
        workshop=workshop,
        actor=actor,
        submission_key=submission_key,
        **fields,
    )


@transaction.atomic
def output_delete(*, obj: GoodPractice | Recommendation, actor) -> None:
    authorize(actor, "workshops.manage")
    activity_log(
        actor=actor, verb=f"{VERBS[type(obj)]}.deleted", target=obj.workshop, id=obj.pk, text=str(obj)[:200]
    )
    obj.delete()
