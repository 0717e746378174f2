"""What other apps read from incidents (``projects``: a town's report figures a grant proposal may cite,
the districts and officers of the programme's towns)."""

from datetime import datetime

from django.db.models import Count

from portal.models import Municipality

from ..models import District, Report, Status
from .public import CATEGORY_NAMES


def report_counts_for_municipality(*, municipality: Municipality, since: datetime) -> list[dict]:
    """A town's reports since ``since`` counted by category and status, public categories only (what a grant
    proposal may cite as evidence): [{"code", "group", "names": {language: name}, "total", "by_status"}, …],
    the most frequent category first. One query."""
    rows = (
        Report.objects.filter(municipality=municipality, category__public=True, created_at__gte=since)
        .exclude(status=Status.WITHDRAWN)
        .values(
            "category__code", "category__group", *(f"category__{name}" for name in CATEGORY_NAMES), "status"
        )
        .annotate(n=Count("pk"))
        .order_by("category__code", "status")
    )
    result: dict[str, dict] = {}
    for row in rows:
        entry = result.setdefault(
            row["category__code"],
            {
                "code": row["category__code"],
                "group": row["category__group"],
                "names": {
                    name.removeprefix("name_"): row[f"category__{name}"] or row["category__name_en"]
                    for name in CATEGORY_NAMES
                },
                "total": 0,
                "by_status": {},
            },
        )
        entry["total"] += row["n"]
        entry["by_status"][row["status"]] = row["n"]
    return sorted(result.values(), key=lambda entry: (-entry["total"], entry["code"]))


def districts_of_municipalities(*, municipality_ids) -> dict[int, list[District]]:
    """The active districts of these municipalities with their responsible officers (and the officers'
    profiles) prefetched: {municipality id: [district, …]}. Two queries."""
    districts = (
        District.objects.filter(active=True, municipality_id__in=list(municipality_ids))
        .select_related("police_unit")
        .prefetch_related("officers__profile")
        .order_by("name")
    )
    result: dict[int, list[District]] = {}
    for district in districts:
        result.setdefault(district.municipality_id, []).append(district)
    return result
