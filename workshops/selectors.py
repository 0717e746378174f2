from django.db.models import QuerySet

from .models import Initiative


def initiatives_with_workshops() -> QuerySet[Initiative]:
    return Initiative.objects.prefetch_related("workshops")
