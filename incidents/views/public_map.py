"""The public map of reports and the public statistics. No account needed.

The public sees public categories only (never person-related ones) and of a report only its reference,
category, place, status, date and public answer: never the description, the attachments or the reporter.
"""

import json
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext, ngettext
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from portal.exports import Table, csv_response
from portal.i18n import localized_with_language

from .. import selectors
from ..forms import BBOX_MAX_DEGREES, MapBoxForm, PublicReportFilterForm, PublicStatsFilterForm
from ..models import PUBLIC_STATUS_CHOICES, Category, Status
from ..workflow import STATUS_COLOURS

LIST_PER_PAGE = 20
LIST_MAX_PAGE = 500
GEOJSON_MAX_AGE = 60  # seconds: panning back and forth is served by the browser's cache
STATS_CSV_MAX_AGE = 300


def _page_number(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), LIST_MAX_PAGE)
    except ValueError:
        return 1


def _public_labels() -> dict:
    """Names the map script shows: categories by code, statuses by code, group labels, a few words."""
    language = get_language()[:2]
    categories = {}
    for category in selectors.public_categories():
        name, written_in = localized_with_language(category, "name", language)
        categories[category.code] = {"name": name, "group": category.group}
        if written_in != language:  # no name in the page's language: the script marks the fallback's
            categories[category.code]["lang"] = written_in
    return {
        "categories": categories,
        "statuses": {code: str(label) for code, label in PUBLIC_STATUS_CHOICES},
        "groups": {code: str(label) for code, label in Category.Group.choices},
        "words": {
            "submitted": gettext("Submitted"),
            "reference": gettext("Reference"),
            "answer": gettext("Public answer"),
            "report": gettext("report"),
            "reports": gettext("reports"),
            "shown": gettext("Reports in this part of the map: %(count)s."),
            "clustered": gettext(
                "Reports in this part of the map: %(count)s, shown in groups. Zoom in or choose a group to "
                "see single reports."
            ),
            "none": gettext("No reports match the filters in this part of the map."),
            "failed": gettext("The reports could not be loaded. Please try again later."),
            "too_large": gettext("Zoom in to see the reports."),
        },
    }


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    form = PublicReportFilterForm(request.GET, choices=selectors.public_filter_choices())
    filters = form.filters()
    since = timezone.now() - timedelta(days=filters["period"])
    reports = selectors.public_reports(
        since=since,
        category=filters["category"],
        status=filters["status"],
        district=filters["district"],
        municipality=filters["municipality"],
    )
    page = _page_number(request.GET.get("page"))
    rows, has_next = selectors.public_report_page(reports=reports, page=page, per_page=LIST_PER_PAGE)
    # The deployment's whole area, whatever the interface language (language is not geography).
    extent = selectors.public_map_extent(district=filters["district"], municipality=filters["municipality"])
    context = {
        "form": form,
        "filters": filters,
        "reports": rows,
        "page": page,
        "has_next": has_next,
        "has_previous": page > 1,
        "first_number": (page - 1) * LIST_PER_PAGE + 1,
        "filter_query": urlencode(form.filter_query()),
        "extent": ",".join(f"{v:.5f}" for v in extent) if extent else "",
        "labels": _public_labels(),
        "statuses": [(code, label, STATUS_COLOURS[code]) for code, label in PUBLIC_STATUS_CHOICES],
        "groups": Category.Group.choices,
        "tiles_url": settings.MAP_TILES_URL,
        "tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
        "bbox_max": BBOX_MAX_DEGREES,
    }
    return render(request, "incidents/map.html", context)


def _json_error(form) -> JsonResponse:
    errors = {field: [str(message) for message in messages] for field, messages in form.errors.items()}
    first = next(iter(errors.values()))[0]
    response = JsonResponse({"error": first, "errors": errors}, status=400)
    response["Cache-Control"] = "no-store"
    return response


def _feature(row: dict, tz) -> dict:
    answer = row["answer"] or ""
    if len(answer) > selectors.MAP_ANSWER_CHARS:
        answer = answer[: selectors.MAP_ANSWER_CHARS].rstrip() + "…"
    return {
        "type": "Feature",
        "id": row["reference"],
        "geometry": {"type": "Point", "coordinates": [round(row["lon"], 5), round(row["lat"], 5)]},
        "properties": {
            "ref": row["reference"],
            "category": row["category__code"],
            "status": row["status"],
            "date": row["created_at"].astimezone(tz).date().isoformat(),  # localdate, its time zone read once
            "answer": answer,
        },
    }


def _cluster(row: dict) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(row["lon"], 5), round(row["lat"], 5)]},
        "properties": {"cluster": True, "count": row["count"]},
    }


@gzip_page
@require_GET
def map_geojson(request: HttpRequest) -> HttpResponse:
    """The public reports in the map's box as GeoJSON: single reports while there are at most
    ``selectors.MAP_FEATURE_LIMIT`` of them, else clusters (``selectors.public_map_data``). One query for
    clusters at city zooms; three at most (cells not built or stale, then counted live)."""
    form = MapBoxForm(request.GET)
    if not form.is_valid():
        return _json_error(form)
    filters = form.filters()
    bbox = form.cleaned_data["bbox"]
    clustered, rows = selectors.public_map_data(
        bbox=bbox, zoom=form.cleaned_data.get("zoom"), limit=selectors.MAP_FEATURE_LIMIT, **filters
    )
    if not clustered:
        tz = timezone.get_current_timezone()
        features = [_feature(row, tz) for row in rows]
        body = {"type": "FeatureCollection", "clustered": False, "total": len(features), "features": features}
    else:
        body = {
            "type": "FeatureCollection",
            "clustered": True,
            "total": sum(row["count"] for row in rows),
            "features": [_cluster(row) for row in rows],
        }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")), content_type="application/geo+json"
    )
    patch_cache_control(response, public=True, max_age=GEOJSON_MAX_AGE)
    return response


# --- statistics -----------------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float:
    return 100 * part / whole if whole else 0.0


def _bars(items: list[tuple], total: int) -> list[dict]:
    """Rows of a bar chart: label, count, share of ``total`` (%), and the bar's length against the largest
    count ("0.0"–"100.0", written for SVG whatever the language's decimal mark)."""
    largest = max((count for *_rest, count in items), default=0)
    return [
        {
            "key": key,
            "label": label,
            "count": count,
            "share": _share(count, total),
            "bar": f"{_share(count, largest):.1f}",
        }
        for key, label, count in items
    ]


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "–"
    hours = value.total_seconds() / 3600
    if hours < 48:
        return gettext("%(hours)s h") % {"hours": formats.number_format(round(hours, 1), 1)}
    days = hours / 24
    return ngettext("%(days)s day", "%(days)s days", round(days)) % {
        "days": formats.number_format(round(days, 1), 1)
    }


def _hours(value: timedelta | None) -> str:
    return "" if value is None else f"{value.total_seconds() / 3600:.1f}"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{formats.number_format(round(100 * value, 1), 1)} %"


def _stats_context(request: HttpRequest) -> dict:
    form = PublicStatsFilterForm(request.GET, choices=selectors.public_filter_choices())
    filters = form.filters()
    stats = selectors.public_stats_cached(
        days=filters["period"],
        category=filters["category"],
        status=filters["status"],
        district=filters["district"],
        municipality=filters["municipality"],
    )
    labels = dict(Status.choices)
    outside = gettext("Outside every district")
    return {
        "form": form,
        "stats": stats,
        "filter_query": urlencode(form.filter_query()),
        "by_status": _bars([(code, labels[code], n) for code, n in stats.by_status], stats.total),
        "by_category": _bars([(c.code, c.name, n) for c, n in stats.by_category], stats.total),
        "by_month": _bars(
            [(f"{m:%Y-%m}", formats.date_format(m, "YEAR_MONTH_FORMAT"), n) for m, n in stats.by_month],
            stats.total,
        ),
        "districts": [
            {
                "name": d.name if d.district_id else outside,
                "municipality": d.municipality,
                "total": d.total,
                "verified": d.verified,
                "confirmed": d.confirmed,
                "rate": _percent(d.confirmation_rate),
                "rate_value": d.confirmation_rate,
                "take_up": _duration(d.take_up_median),
                "take_up_hours": _hours(d.take_up_median),
                "verify": _duration(d.verify_median),
                "verify_hours": _hours(d.verify_median),
            }
            for d in stats.districts
        ],
        "confirmation_rate": _percent(stats.confirmation_rate),
        "take_up_median": _duration(stats.take_up_median),
        "verify_median": _duration(stats.verify_median),
    }


@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    context = _stats_context(request)
    context["csv_url"] = reverse("incidents:stats_csv") + (
        f"?{context['filter_query']}" if context["filter_query"] else ""
    )
    return render(request, "incidents/stats.html", context)


@require_GET
def stats_csv(request: HttpRequest) -> HttpResponse:
    """The statistics' numbers as CSV (UTF-8 with a BOM, so Excel reads the diacritics): one table after
    another, each with its own header row, separated by an empty row."""
    context = _stats_context(request)
    stats = context["stats"]
    rows = [
        [gettext("From"), stats.since],
        [gettext("To"), stats.until],
        [gettext("Filters"), urlencode(context["form"].filter_query())],
        [],
        [gettext("Figure"), gettext("Value")],
        [gettext("Reports"), stats.total],
        [gettext("Verified reports"), stats.verified],
        [gettext("Confirmed reports (also eliminated or handed over)"), stats.confirmed],
        [
            gettext("Confirmation rate (%)"),
            "" if stats.confirmation_rate is None else f"{100 * stats.confirmation_rate:.1f}",
        ],
        [gettext("Median time to take-up (hours)"), _hours(stats.take_up_median)],
        [gettext("Median time from take-up to verification (hours)"), _hours(stats.verify_median)],
        [],
        [gettext("Status"), gettext("Code"), gettext("Reports"), gettext("Share (%)")],
        *([row["label"], row["key"], row["count"], f"{row['share']:.1f}"] for row in context["by_status"]),
        [],
        [gettext("Category"), gettext("Code"), gettext("Reports"), gettext("Share (%)")],
        *([row["label"], row["key"], row["count"], f"{row['share']:.1f}"] for row in context["by_category"]),
        [],
        [gettext("Month"), gettext("Reports")],
        *([row["key"], row["count"]] for row in context["by_month"]),
        [],
        [
            gettext("District"),
            gettext("Town"),
            gettext("Reports"),
            gettext("Verified"),
            gettext("Confirmed"),
            gettext("Confirmation rate (%)"),
            gettext("Median time to take-up (hours)"),
            gettext("Median time from take-up to verification (hours)"),
        ],
        *(
            [
                d["name"],
                d["municipality"],
                d["total"],
                d["verified"],
                d["confirmed"],
                "" if d["rate_value"] is None else f"{100 * d['rate_value']:.1f}",
                d["take_up_hours"],
                d["verify_hours"],
            ]
            for d in context["districts"]
        ),
    ]
    table = Table(
        name=f"okrsek-report-statistics-{timezone.localdate().isoformat()}",
        header=[gettext("Okrsek: statistics of public reports")],
        rows=rows,
    )
    response = csv_response(table, private=False)
    patch_cache_control(response, public=True, max_age=STATS_CSV_MAX_AGE)
    return response
