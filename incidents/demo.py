"""Demo data of the incidents app, loaded by ``manage.py seed_demo``. Idempotent."""

from .catalogue import KMZB_CATEGORIES
from .models import Category
from .services import category_upsert


def load(created: list[str]) -> None:
    if not Category.objects.exists():
        for order, (code, group, pl, cs, en, nb, extra) in enumerate(KMZB_CATEGORIES):
            category_upsert(
                code=code,
                group=group,
                name_pl=pl,
                name_cs=cs,
                name_en=en,
                name_nb=nb,
                sort_order=order,
                **extra,
            )
        created.append(f"{len(KMZB_CATEGORIES)} KMZB categories")
