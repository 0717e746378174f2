"""Atom feeds of public reports per district, municipality and point + radius, with category and status
filters (``?category=<code>&status=<status>``). What the public map shows, nothing more: public categories,
no description, the place rounded to ~50 m."""

from django.contrib.gis.geos import Point
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from portal.models import Municipality

from ..models import AreaWarning, District, Status
from ..selectors.public import public_reports
from . import selectors
from .services import RADIUS_MAX_M, circle_polygon
from .warnings import warnings_live

FEED_ITEMS = 50


class _ReportFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs):
        self.filters = {
            "category": request.GET.get("category", "")[:60] or None,
            "status": request.GET.get("status") if request.GET.get("status") in Status.values else None,
        }
        return self.area(request, **kwargs)

    def items(self, obj):
        reports = self.reports(obj).filter(**{k: v for k, v in self._filters().items() if v})
        return self.warnings(obj) + list(
            reports.select_related("category", "district", "municipality")
            .defer("description", "district__area", "municipality__boundary")
            .order_by("-updated_at", "-pk")[:FEED_ITEMS]
        )

    def warnings(self, obj) -> list:
        return []

    def _filters(self) -> dict:
        return {"category__code": self.filters["category"], "status": self.filters["status"]}

    def link(self, obj):
        return reverse("incidents:map")

    def item_title(self, item):
        if isinstance(item, AreaWarning):
            return _("Warning: %(title)s") % {"title": item.title}
        return f"{item.category.name} – {Status(item.status).label}"

    def item_description(self, item):
        if isinstance(item, AreaWarning):
            return item.text
        lat, lon = selectors.rounded_point(item.point)
        place = item.municipality.name if item.municipality_id else ""
        text = _("Reference %(reference)s, near %(lat)s, %(lon)s") % {
            "reference": item.reference,
            "lat": lat,
            "lon": lon,
        }
        parts = [p for p in (place, text, item.public_answer) if p]
        return "\n".join(parts)

    def item_link(self, item):
        if isinstance(item, AreaWarning):
            return f"{reverse('incidents:map')}#warning-{item.pk}"
        return f"{reverse('incidents:map')}#{item.reference}"

    def item_guid(self, item):
        if isinstance(item, AreaWarning):
            return f"warning:{item.pk}"
        return f"{item.reference}:{item.status}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.reviewed_at if isinstance(item, AreaWarning) else item.created_at

    def item_updateddate(self, item):
        return item.reviewed_at if isinstance(item, AreaWarning) else item.updated_at


class DistrictFeed(_ReportFeed):
    def area(self, request, pk):
        return get_object_or_404(District.objects.defer("area"), pk=pk, active=True)

    def title(self, obj):
        return _("Reports in %(area)s") % {"area": obj.name}

    def reports(self, obj):
        return public_reports(district=obj.pk)

    def warnings(self, obj) -> list:
        return list(warnings_live(district=obj.pk))


class MunicipalityFeed(_ReportFeed):
    def area(self, request, pk):
        return get_object_or_404(Municipality.objects.defer("boundary"), pk=pk)

    def title(self, obj):
        return _("Reports in %(area)s") % {"area": obj.name}

    def reports(self, obj):
        return public_reports(municipality=obj.pk)

    def warnings(self, obj) -> list:
        return list(warnings_live(municipality=obj.pk))


class AroundFeed(_ReportFeed):
    def area(self, request):
        try:
            lat, lon = float(request.GET["lat"]), float(request.GET["lon"])
            radius = int(request.GET.get("radius", "1000"))
        except (KeyError, ValueError) as exc:
            raise Http404 from exc
        if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 0 < radius <= RADIUS_MAX_M):
            raise Http404
        return {"center": Point(lon, lat, srid=4326), "radius": radius}

    def title(self, obj):
        return _("Reports within %(radius)s m") % {"radius": obj["radius"]}

    def reports(self, obj):
        return public_reports().filter(point__intersects=circle_polygon(obj["center"], obj["radius"]))
