"""GeoReport v2 documents as plain data (dicts and lists), the same for JSON and XML (see ``formats``).

Field names and order follow the spec. Times are ISO 8601 with the zone, in the portal's time zone."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.i18n import current_language, localized, pick_language

from ..models import Category, Report
from ..services import MAX_DESCRIPTION
from ..workflow import OPEN_STATUSES, Status
from .selectors import CATEGORY_NAME_LANGUAGES

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the API's documents last changed (discovery "changeset")
CHANGESET = "2026-11-21T00:00:00+00:00"


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def discovery(*, endpoint_url: str, documentation_url: str) -> dict:
    return {
        "changeset": CHANGESET,
        "contact": _("Questions about the API: write to the operator of this portal, %(site)s.")
        % {"site": settings.SITE_URL},
        "key_service": _("API keys are issued by the portal's administrators. API documentation: %(url)s")
        % {"url": documentation_url},
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],
    }


def _service_description(category: Category) -> str:
    deadlines = _(
        "The police take a report up within %(take_up)d hours and verify it within %(verify)d hours "
        "after that."
    ) % {"take_up": category.take_up_hours, "verify": category.verify_hours}
    if category.public:
        return _("Reports appear on the public map, without their description.") + " " + deadlines
    return (
        _("Person-related: these reports are seen by the police only, never on the public map.")
        + " "
        + deadlines
    )


def service(category: Category, shared: dict | None = None) -> dict:
    """One service. ``shared`` (a dict kept over a list of services) holds the texts many categories have
    in common — the description by its deadlines, the group labels — translated once, not once per item."""
    shared = {} if shared is None else shared
    key = (category.public, category.take_up_hours, category.verify_hours)
    description = shared.get(key)
    if description is None:
        description = shared[key] = _service_description(category)
    group = shared.get(("group", category.group))
    if group is None:
        group = shared[("group", category.group)] = str(
            Category.Group(category.group).label
            if category.group in Category.Group.values
            else category.group
        )
    return {
        "service_code": category.code,
        "service_name": localized(category, "name"),
        "description": description,
        "metadata": True,  # every service has attributes (see service_definition)
        "type": "realtime",
        "keywords": ", ".join((group, *category.code.split("-"))),
        "group": group,
    }


def service_definition(category: Category) -> dict:
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": "occurred_at",
                "datatype": "datetime",
                "required": False,
                "datatype_description": _(
                    "Date and time in ISO 8601 with the time zone, e.g. 2026-05-01T14:30:00+02:00; "
                    "not in the future."
                ),
                "order": 1,
                "description": _("When did it happen, or when did you see it?"),
            },
            {
                "variable": True,
                "code": "description",
                "datatype": "text",
                "required": category.description_required,
                "datatype_description": _(
                    "At most %(max)d characters. The same as the request's description field; read by the "
                    "police only."
                )
                % {"max": MAX_DESCRIPTION},
                "order": 2,
                "description": _("Describe the problem."),
            },
        ],
    }


_STATUS_LABELS: dict[str, dict[str, str]] = {}


def status_labels() -> dict[str, str]:
    """The statuses' labels in the active language, translated once per process and language."""
    language = translation.get_language() or ""
    labels = _STATUS_LABELS.get(language)
    if labels is None:
        labels = _STATUS_LABELS[language] = {value: str(label) for value, label in Status.choices}
    return labels


class Rows:
    """What serializing many request rows shares: worked out once per answer, not once per row — the status
    labels and the category names in the active language, the portal's time zone."""

    def __init__(self, *, staff: bool):
        self.staff = staff
        self.language = current_language()
        self.labels = status_labels()
        self.zone = timezone.get_current_timezone()
        self._names: dict[str, str] = {}

    def iso(self, value: datetime | None) -> str | None:
        return None if value is None else value.astimezone(self.zone).isoformat(timespec="seconds")

    def category_name(self, row: dict) -> str:
        code = row["category__code"]
        name = self._names.get(code)
        if name is None:
            texts = {language: row[f"category__name_{language}"] for language in CATEGORY_NAME_LANGUAGES}
            name = self._names[code] = pick_language(texts, self.language)[0]
        return name


def address(row: dict) -> str | None:
    """The district and the municipality ("West, Domažlice"; a district named after its town once)."""
    district, municipality = row["district__name"], row["municipality__name"]
    if district and municipality and district != municipality:
        return f"{district}, {municipality}"
    return district or municipality or None


def agency(row: dict) -> str | None:
    if row["partner_body__name"] is not None and row["status"] == Status.HANDED_OVER:
        return row["partner_body__name"]
    return row["police_unit__name"]


def service_request(row: dict, rows: Rows) -> dict:
    """One request (a row of ``selectors.requests_readable``) as GET requests answers it. Never the
    reporter's contact data or the attachments; the description only for a staff key."""
    return {
        "service_request_id": row["reference"],
        "status": "open" if row["status"] in OPEN_STATUSES else "closed",
        "status_notes": row["public_answer"] or rows.labels.get(row["status"], row["status"]),
        "service_name": rows.category_name(row),
        "service_code": row["category__code"],
        "description": (row["description"] or None) if rows.staff else None,
        "agency_responsible": agency(row),
        "service_notice": None,
        "requested_datetime": rows.iso(row["created_at"]),
        "updated_datetime": rows.iso(row["updated"]),
        "expected_datetime": rows.iso(row["due_at"]),
        "address": address(row),
        "address_id": None,
        "zipcode": None,
        "lat": round(row["point_lat"], 6),
        "long": round(row["point_long"], 6),
        "media_url": None,
    }


def submitted(report: Report, *, service_notice: str, account_id: str) -> dict:
    return {
        "service_request_id": report.reference,
        "service_notice": service_notice,
        "account_id": account_id or None,
    }


def token(row: dict) -> dict:
    return {"service_request_id": row["reference"], "token": row["reference"]}


def feature(row: dict, rows: Rows) -> dict:
    """A GeoJSON feature of the public feed: the public request fields, and the KMZB status."""
    properties = service_request(row, rows)
    for name in ("lat", "long", "description", "address_id", "zipcode", "media_url", "service_notice"):
        properties.pop(name)
    properties["detailed_status"] = row["status"]
    properties["detailed_status_label"] = rows.labels.get(row["status"], row["status"])
    return {
        "type": "Feature",
        "id": row["reference"],
        "geometry": {
            "type": "Point",
            "coordinates": [round(row["point_long"], 6), round(row["point_lat"], 6)],
        },
        "properties": properties,
    }
