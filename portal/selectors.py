"""Reads shared by every app."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet

from .models import ActivityLog, Municipality, Notification


def activity_for(*, target: Model) -> QuerySet[ActivityLog]:
    return ActivityLog.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
    ).select_related("actor")


def municipalities_served() -> QuerySet[Municipality]:
    return Municipality.objects.exclude(boundary=None)


def municipalities_geojson() -> dict:
    """The served municipalities as a GeoJSON FeatureCollection (one query)."""
    features = [
        {
            "type": "Feature",
            "properties": {"name": name, "code": code, "country": country},
            "geometry": {"type": "MultiPolygon", "coordinates": boundary.coords},
        }
        for name, code, country, boundary in municipalities_served().values_list(
            "name", "code", "country", "boundary"
        )
    ]
    return {"type": "FeatureCollection", "features": features}


def notifications_outbox(*, to_email: str | None = None) -> QuerySet[Notification]:
    qs = Notification.objects.all()
    if to_email:
        qs = qs.filter(to_email__iexact=to_email)
    return qs
