"""GeoReport v2 documents as plain data (dicts and lists), the same for JSON and XML (see ``formats``).

Field names and order follow the spec. Times are ISO 8601 with the zone, in the portal's time zone."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.i18n import localized

from ..models import Category, Report
from ..services import MAX_DESCRIPTION
from ..workflow import OPEN_STATUSES, Status

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


def service(category: Category) -> dict:
    group = (
        Category.Group(category.group).label if category.group in Category.Group.values else category.group
    )
    keywords = [str(group), *category.code.split("-")]
    return {
        "service_code": category.code,
        "service_name": localized(category, "name"),
        "description": _service_description(category),
        "metadata": True,  # every service has attributes (see service_definition)
        "type": "realtime",
        "keywords": ", ".join(keywords),
        "group": str(group),
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


def address(report: Report) -> str | None:
    """The district and the municipality ("West, Domažlice"; a district named after its town once)."""
    names = []
    for place in (report.district, report.municipality):
        if place is not None and place.name not in names:
            names.append(place.name)
    return ", ".join(names) or None


def agency(report: Report) -> str | None:
    if report.partner_body_id and report.status == Status.HANDED_OVER:
        return report.partner_body.name
    return report.police_unit.name if report.police_unit_id else None


def service_request(report: Report, *, staff: bool) -> dict:
    """One request as GET requests answers it. Never the reporter's contact data or the attachments; the
    description only for a staff key."""
    updated = getattr(report, "last_event_at", None) or report.updated_at
    return {
        "service_request_id": report.reference,
        "status": "open" if report.status in OPEN_STATUSES else "closed",
        "status_notes": report.public_answer or report.get_status_display(),
        "service_name": localized(report.category, "name"),
        "service_code": report.category.code,
        "description": (report.description or None) if staff else None,
        "agency_responsible": agency(report),
        "service_notice": None,
        "requested_datetime": iso(report.created_at),
        "updated_datetime": iso(max(updated, report.created_at)),
        "expected_datetime": iso(report.due_at),
        "address": address(report),
        "address_id": None,
        "zipcode": None,
        "lat": round(report.point.y, 6),
        "long": round(report.point.x, 6),
        "media_url": None,
    }


def submitted(report: Report, *, service_notice: str, account_id: str) -> dict:
    return {
        "service_request_id": report.reference,
        "service_notice": service_notice,
        "account_id": account_id or None,
    }


def token(report: Report) -> dict:
    return {"service_request_id": report.reference, "token": report.reference}


def feature(report: Report) -> dict:
    """A GeoJSON feature of the public feed: the public request fields, and the KMZB status."""
    properties = service_request(report, staff=False)
    for name in ("lat", "long", "description", "address_id", "zipcode", "media_url", "service_notice"):
        properties.pop(name)
    properties["detailed_status"] = report.status
    properties["detailed_status_label"] = str(report.get_status_display())
    return {
        "type": "Feature",
        "id": report.reference,
        "geometry": {"type": "Point", "coordinates": [round(report.point.x, 6), round(report.point.y, 6)]},
        "properties": properties,
    }
