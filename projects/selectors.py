from django.db.models import Prefetch, QuerySet

from .models import Membership, Programme


def programmes_with_members() -> QuerySet[Programme]:
    return Programme.objects.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("municipality"))
    )
