"""The Open311 GeoReport v2 endpoints. Thin: parse the parameters, call selectors and services, render.

Every answer is in the format the path ends with (``.json`` or ``.xml``), errors included, as the spec's list
of {code, description}. Reads need no key; an api key is required to submit, and a staff key reads more. The
key travels in the ``X-Api-Key`` header, or (GeoReport v2's POST parameter) in the ``api_key`` field of a POST
body; never in the address, which servers and proxies write to their logs: a query-string ``api_key`` is
refused."""

import math
import re
from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import wraps

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters

from portal.models import PoliceUnit
from portal.web import error_messages

from ..models import ApiKey
from ..selectors import category_by_code, report_route
from . import selectors, serializers, services
from .formats import CONTENT_TYPES, FORMATS, Open311Error, render, render_error, to_json
from .openapi import document as openapi_document

WINDOW = timedelta(days=90)  # GeoReport: the default and the largest date range of GET requests
MAX_IDS = 200
PAGE_SIZE = 500
MAX_PAGE_SIZE = 1000
FEED_LIMIT = 5000
MAX_PARAM = 10_000
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,64})\](\[\])?$")
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}
QUERY_KEY_REFUSED = gettext_lazy(
    "api_key may not be sent in the address (the query string), which servers and proxies write to their "
    "logs: send it in the X-Api-Key header, or as a field of the POST form. Ask for a new key if this one "
    "was sent in addresses before."
)
# Parameters whose empty value means "not given": free text. Any other parameter sent empty (start_date=,
# status=, lat=…) is a client's mistake and answered with a 400. (An empty api_key is "no key": authenticate.)
BLANK_MEANS_ABSENT = frozenset(
    ("description", "address_string", "address_id", "device_id", "account_id")
    + ("first_name", "last_name", "phone")
)

# Fields of incidents.services.report_submit → the GeoReport parameter a client knows
FIELD_NAMES = {
    "category": "service_code",
    "point": "lat/long",
    "description": "description",
    "occurred_at": "attribute[occurred_at]",
    "reporter_email": "email",
    "attachments": "media",
}


def _empty(name: str) -> Open311Error:
    message = _("%(name)s is empty: leave the parameter out or give it a value.") % {"name": name}
    return Open311Error(400, message)


class Call:
    """One API call: its format, its language, its api key (if any) and its jurisdiction (if resolved)."""

    def __init__(self, request: HttpRequest, fmt: str, language: str):
        self.request, self.fmt, self.language = request, fmt, language
        self.api_key: ApiKey | None = None
        self.jurisdiction: PoliceUnit | None = None

    def param(self, name: str) -> str:
        """A parameter from the form body (POST), else from the query string; trimmed; "" when not sent. Sent
        but empty is a 400, except for free text (BLANK_MEANS_ABSENT)."""
        value = None
        if self.request.method == "POST":
            value = self.request.POST.get(name)
        if value is None:
            value = self.request.GET.get(name)
        if value is None:
            return ""
        value = value.strip()
        if not value and name not in BLANK_MEANS_ABSENT:
            raise _empty(name)
        if len(value) > MAX_PARAM:
            raise Open311Error(400, _("The parameter %(name)s is too long.") % {"name": name})
        if "\x00" in value:
            raise Open311Error(400, _("The parameter %(name)s contains a NUL character.") % {"name": name})
        return value

    @property
    def staff(self) -> bool:
        return bool(self.api_key and self.api_key.staff)

    def render(self, data, *, root: str, item: str | None = None, status: int = 200) -> HttpResponse:
        return render(data, self.fmt, root=root, item=item, status=status)

    # --- authentication and jurisdiction ---------------------------------------------------------------

    def authenticate(self, *, required: bool) -> ApiKey | None:
        """The key of the X-Api-Key header or of a POST body's api_key field (a query string's is refused)."""
        raw = self.request.headers.get("X-Api-Key", "").strip()
        in_body = self.request.POST.get("api_key", "").strip() if self.request.method == "POST" else ""
        if raw and in_body and raw != in_body:
            raise Open311Error(400, _("Two different api keys were sent: send one, in the X-Api-Key header."))
        raw = raw or in_body
        if not raw:
            if required:
                raise Open311Error(403, _("api_key was not provided: submitting a request needs an api_key."))
            return None
        api_key = selectors.api_key_lookup(raw=raw)
        if api_key is None:
            raise Open311Error(403, _("The api_key is invalid or no longer active."))
        rate = services.api_key_rate_check(api_key=api_key)
        if not rate.allowed:
            raise Open311Error(
                429,
                _("This api_key has made too many requests: at most %(limit)d an hour. Try again later.")
                % {"limit": rate.limit},
                headers={"Retry-After": str(rate.reset_seconds)},
            )
        services.api_key_touch(api_key=api_key)
        self.api_key = api_key
        return api_key

    def resolve_jurisdiction(self) -> PoliceUnit | None:
        """jurisdiction_id is a police unit's code: an unknown one is a 404; none is needed while the portal
        serves a single unit (or the api key is restricted to one), else it is a 400."""
        code = self.param("jurisdiction_id")
        restricted = self.api_key.police_unit if self.api_key and self.api_key.police_unit_id else None
        if code:
            unit = selectors.jurisdiction_by_code(code=code)
            if unit is None:
                raise Open311Error(404, _("jurisdiction_id “%(code)s” was not found.") % {"code": code[:64]})
            if restricted is not None and unit.pk != restricted.pk:
                raise Open311Error(
                    403,
                    _("This api_key may only be used for jurisdiction_id “%(code)s”.")
                    % {"code": restricted.code},
                )
        elif restricted is not None:
            unit = restricted
        else:
            units = selectors.jurisdictions_first_two(api_key=self.api_key)
            if len(units) > 1:
                raise Open311Error(
                    400, _("jurisdiction_id was not provided: this endpoint serves several jurisdictions.")
                )
            unit = units[0] if units else None
        self.jurisdiction = unit
        return unit


def _language(request: HttpRequest) -> str:
    """?locale= (cs, pl_PL, en-GB…), else the Accept-Language header (or the language cookie)."""
    raw = (request.GET.get("locale") or "").strip()
    code = raw.replace("_", "-").split("-")[0].lower()
    if code in LANGUAGE_CODES:
        return code
    return translation.get_language_from_request(request)


def open311_view(methods: tuple[str, ...] = ("GET", "HEAD")) -> Callable:
    """Wrap a view: check the format and the method, speak the requested language, answer errors as the spec
    says. GET answers may be read from any origin (CORS): they hold public data or need a key."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, fmt: str = "json", **kwargs) -> HttpResponse:
            language = _language(request)
            with translation.override(language):
                call = Call(request, fmt if fmt in FORMATS else "json", language)
                try:
                    if fmt not in FORMATS:
                        raise Open311Error(
                            404,
                            _("The format “%(format)s” is not supported: use json or xml.")
                            % {"format": fmt[:20]},
                        )
                    if any("\x00" in str(value) for value in kwargs.values()):
                        raise Open311Error(404, _("Not found."))
                    if "api_key" in request.GET:
                        raise Open311Error(400, QUERY_KEY_REFUSED)
                    if request.method not in methods:
                        raise Open311Error(
                            405,
                            _("The method %(method)s is not allowed here.") % {"method": request.method[:10]},
                            headers={"Allow": ", ".join(methods)},
                        )
                    response = view(request, call, *args, **kwargs)
                except Open311Error as error:
                    response = render_error(error, call.fmt)
                except RequestDataTooBig:
                    response = render_error(Open311Error(413, _("The request is too large.")), call.fmt)
                except (TooManyFieldsSent, MultiPartParserError):
                    response = render_error(
                        Open311Error(400, _("The request body could not be read.")), call.fmt
                    )
            response["Content-Language"] = language
            patch_vary_headers(response, ["Accept-Language", "X-Api-Key"])
            if request.method in ("GET", "HEAD"):
                response["Access-Control-Allow-Origin"] = "*"
                if call.api_key is not None or response.status_code >= 400:
                    patch_cache_control(response, private=True, no_store=True)
                else:
                    patch_cache_control(response, public=True, max_age=60)
            return response

        # An API authenticated by its key, never by a session: no CSRF token to send, and a method a view does
        # not allow is answered by the view (405 error document), not by the CSRF check's HTML page.
        return csrf_exempt(wrapper)

    return decorator


# --- parsing --------------------------------------------------------------------------------------------


def _parse_time(value: str, name: str) -> datetime:
    """An ISO 8601 / W3C date-time (a date alone means its midnight; no zone means the portal's zone)."""
    error = Open311Error(
        400,
        _("%(name)s is not a date and time in ISO 8601 format, e.g. 2026-05-01T14:30:00+02:00.")
        % {"name": name},
    )
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            if day is None:
                raise error
            parsed = datetime.combine(day, time.min)
    except ValueError:
        raise error from None
    if not 1970 <= parsed.year <= 2200:
        raise error
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _window(call: Call) -> tuple[datetime | None, datetime | None]:
    """start_date / end_date: both optional, by default the last 90 days, never more than 90 days."""
    start_raw, end_raw = call.param("start_date"), call.param("end_date")
    start = _parse_time(start_raw, "start_date") if start_raw else None
    end = _parse_time(end_raw, "end_date") if end_raw else None
    if start and end:
        if start > end:
            raise Open311Error(400, _("start_date must not be after end_date."))
        if end - start > WINDOW:
            raise Open311Error(400, _("start_date and end_date may not span more than 90 days."))
    elif start:
        end = start + WINDOW
    elif end:
        start = end - WINDOW
    else:
        start = timezone.now() - WINDOW
    return start, end


def _list(call: Call, name: str, *, limit: int = 50) -> list[str]:
    items = [item.strip() for item in call.param(name).split(",") if item.strip()]
    if len(items) > limit:
        raise Open311Error(
            400, _("%(name)s may list at most %(limit)d values.") % {"name": name, "limit": limit}
        )
    return items


def _statuses(call: Call) -> list[str]:
    statuses = [s.lower() for s in _list(call, "status")]
    for status in statuses:
        if status not in selectors.OPEN311_STATUSES:
            raise Open311Error(400, _("status must be open or closed (or both, comma-separated)."))
    return statuses


def _positive(call: Call, name: str, default: int, maximum: int) -> int:
    raw = call.param(name)
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise Open311Error(
            400, _("%(name)s must be a whole number from 1 to %(max)d.") % {"name": name, "max": maximum}
        )
    return int(raw)


def _coordinate(raw: str, name: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise Open311Error(400, _("%(name)s is not a number.") % {"name": name})
    return value


# --- discovery and services -----------------------------------------------------------------------------


@open311_view()
def discovery(request: HttpRequest, call: Call) -> HttpResponse:
    data = serializers.discovery(
        endpoint_url=request.build_absolute_uri(reverse("open311:services", args=["json"])).rsplit("/", 1)[0],
        documentation_url=request.build_absolute_uri(reverse("open311:openapi")),
    )
    return call.render(data, root="discovery")


@open311_view()
def service_list(request: HttpRequest, call: Call) -> HttpResponse:
    call.authenticate(required=False)
    call.resolve_jurisdiction()
    shared: dict = {}
    data = [serializers.service(category, shared) for category in selectors.services_active()]
    return call.render(data, root="services", item="service")


@open311_view()
def service_definition(request: HttpRequest, call: Call, service_code: str) -> HttpResponse:
    call.authenticate(required=False)
    call.resolve_jurisdiction()
    category = category_by_code(code=service_code, active_only=True)
    if category is None:
        raise Open311Error(404, _("service_code “%(code)s” was not found.") % {"code": service_code[:64]})
    return call.render(serializers.service_definition(category), root="service_definition")


# --- requests -------------------------------------------------------------------------------------------


@sensitive_post_parameters("api_key")  # kept out of error reports
@open311_view(methods=("GET", "HEAD", "POST"))
def requests(request: HttpRequest, call: Call) -> HttpResponse:
    if request.method == "POST":
        return _request_create(request, call)
    call.authenticate(required=False)
    jurisdiction = call.resolve_jurisdiction()
    references = [ref.upper() for ref in _list(call, "service_request_id", limit=MAX_IDS)]
    # Every parameter is checked, also those that service_request_id overrides (a malformed one is a 400
    # whatever else was sent, as the API description says)
    since, until = _window(call)
    statuses = _statuses(call)
    service_codes = _list(call, "service_code")
    page = _positive(call, "page", 1, 100_000)
    page_size = _positive(call, "page_size", PAGE_SIZE, MAX_PAGE_SIZE)
    if references:  # the spec: service_request_id overrides every other filter
        reports = selectors.requests_readable(
            staff=call.staff, jurisdiction=jurisdiction, references=references
        )
    else:
        reports = selectors.requests_page(
            staff=call.staff,
            since=since,
            until=until,
            jurisdiction=jurisdiction,
            service_codes=service_codes,
            statuses=statuses,
            offset=(page - 1) * page_size,
            limit=page_size,
        )
    rows = serializers.Rows(staff=call.staff)
    data = [serializers.service_request(row, rows) for row in reports]
    return call.render(data, root="service_requests", item="request")


def _request_create(request: HttpRequest, call: Call) -> HttpResponse:
    api_key = call.authenticate(required=True)
    jurisdiction = call.resolve_jurisdiction()
    code = call.param("service_code")
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    category = category_by_code(code=code, active_only=False)
    if category is None:
        raise Open311Error(404, _("service_code “%(code)s” was not found.") % {"code": code[:64]})

    attributes: dict[str, str] = {}
    for key in request.POST:
        match = ATTRIBUTE.match(key)
        if match:
            values = [v.strip().replace("\x00", "") for v in request.POST.getlist(key) if v.strip()]
            attributes[match.group(1)] = ", ".join(values)[:MAX_PARAM]

    lat_raw, long_raw = call.param("lat"), call.param("long")
    address_string = call.param("address_string")[:500]
    located_by_address = False
    if lat_raw or long_raw:
        if not (lat_raw and long_raw):
            raise Open311Error(400, _("lat and long must be sent together."))
        lat, lon = _coordinate(lat_raw, "lat"), _coordinate(long_raw, "long")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise Open311Error(400, _("lat/long are not a place on Earth."))
        point = Point(lon, lat, srid=4326)
    elif address_string:
        place = selectors.place_for_address(address=address_string, jurisdiction=jurisdiction)
        if place is None:
            raise Open311Error(
                400,
                _(
                    "address_string “%(address)s” names no district or municipality we serve (or several): "
                    "send lat and long."
                )
                % {"address": address_string[:100]},
            )
        point, _name = place
        located_by_address = True
    elif call.param("address_id"):
        raise Open311Error(400, _("address_id is not supported here: send lat and long, or address_string."))
    else:
        raise Open311Error(400, _("lat/long or address_string was not provided."))
    route = report_route(point=point)  # looked up once: for the jurisdiction and for the submission
    if jurisdiction is not None and route.served and route.police_unit.pk != jurisdiction.pk:
        raise Open311Error(
            400,
            _("This place is outside jurisdiction_id “%(code)s”: it is served by “%(unit)s”.")
            % {"code": jurisdiction.code, "unit": route.police_unit.code},
        )

    description = call.param("description") or attributes.get("description", "")
    occurred_raw = attributes.get("occurred_at")
    if occurred_raw == "":
        raise _empty("attribute[occurred_at]")
    occurred_at = _parse_time(occurred_raw, "attribute[occurred_at]") if occurred_raw else None
    email = call.param("email")
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise Open311Error(400, _("email is not a valid email address.")) from None
    media_url = call.param("media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise Open311Error(400, _("media_url is not an http(s) address.")) from None
        if len(media_url) > 1000:
            raise Open311Error(400, _("media_url is too long."))
    # The per-client, per-category daily limit of the web form applies to the caller's IP address; a client
    # app that sends its user's device_id or account_id is limited per user instead (its key's hourly limit
    # bounds the whole app).
    account_id = call.param("account_id")[:200]
    end_user = account_id or call.param("device_id")[:200]
    names = [call.param(name) for name in ("first_name", "last_name", "phone")]  # each checked; none kept
    names_given = any(names)
    ip = request.META.get("REMOTE_ADDR", "")
    if end_user:
        ip = f"{ip}|open311:{api_key.pk}:{end_user}"

    try:
        report, _token = services.open311_report_submit(
            api_key=api_key,
            category=category,
            point=point,
            description=description,
            occurred_at=occurred_at,
            attachments=request.FILES.getlist("media"),
            reporter_email=email,
            language=call.language,
            ip=ip,
            address_string=address_string,
            located_by_address=located_by_address,
            media_url=media_url,
            route=route,
        )
    except ValidationError as error:
        raise Open311Error(400, *_validation_messages(error)) from None

    notice = _(
        "Thank you. The police will take the report up by %(take_up)s and then verify it within %(verify)d "
        "hours. Follow it as service request %(reference)s."
    ) % {
        "take_up": formats.date_format(timezone.localtime(report.take_up_due_at), "SHORT_DATETIME_FORMAT"),
        "verify": category.verify_hours,
        "reference": report.reference,
    }
    if names_given:
        notice += " " + _(
            "Names and phone numbers are not stored: we keep only an email address, for updates."
        )
    if media_url:
        notice += " " + _("The media URL was passed on to the police as a link; it was not downloaded.")
    data = [serializers.submitted(report, service_notice=notice, account_id=account_id)]
    response = call.render(data, root="service_requests", item="request", status=201)
    response["Location"] = request.build_absolute_uri(
        reverse("open311:request", kwargs={"service_request_id": report.reference, "fmt": call.fmt})
    )
    return response


def _validation_messages(error: ValidationError) -> list[str]:
    """A service's messages, each prefixed by the GeoReport parameter it is about."""
    if not hasattr(error, "error_dict"):
        return error_messages(error)
    return [
        f"{FIELD_NAMES.get(field, field)}: {message}"
        for field, messages in error.message_dict.items()
        for message in messages
    ]


def _one_request(call: Call, reference: str) -> list[dict]:
    """The request ``reference`` if the caller may read it (as a list of at most one row). One query when it
    is found: a jurisdiction_id is matched by its code in the same query, and the police unit is looked up
    (``resolve_jurisdiction``, with its 404 and 403 answers) only when no request was found or the api key is
    restricted to another unit."""
    code = call.param("jurisdiction_id")
    restricted = call.api_key.police_unit if call.api_key and call.api_key.police_unit_id else None
    if code and (restricted is None or restricted.code == code):
        rows = selectors.request_by_reference(staff=call.staff, reference=reference, jurisdiction_code=code)
        if rows:
            return rows
        call.resolve_jurisdiction()  # an unknown jurisdiction is a 404 of its own
        return []  # the unit of that code was searched already
    jurisdiction = call.resolve_jurisdiction()
    return selectors.request_by_reference(staff=call.staff, reference=reference, jurisdiction=jurisdiction)


@open311_view()
def request_detail(request: HttpRequest, call: Call, service_request_id: str) -> HttpResponse:
    call.authenticate(required=False)
    reports = _one_request(call, service_request_id.upper())
    if not reports:
        raise Open311Error(
            404, _("service_request_id “%(id)s” was not found.") % {"id": service_request_id[:20]}
        )
    rows = serializers.Rows(staff=call.staff)
    return call.render(
        [serializers.service_request(reports[0], rows)], root="service_requests", item="request"
    )


@open311_view()
def token(request: HttpRequest, call: Call, token: str) -> HttpResponse:
    """Requests are never queued here: the service_request_id exists at once, and it is also its token."""
    call.authenticate(required=False)
    reports = _one_request(call, token.upper())
    if not reports:
        raise Open311Error(404, _("token “%(token)s” was not found.") % {"token": token[:20]})
    return call.render([serializers.token(reports[0])], root="service_requests", item="request")


# --- the GeoJSON feed and the OpenAPI document ----------------------------------------------------------


def _bbox(call: Call) -> tuple[float, float, float, float] | None:
    raw = call.param("bbox")
    if not raw:
        return None
    parts = raw.split(",")
    message = _("bbox must be west,south,east,north in degrees (WGS 84).")
    if len(parts) != 4:
        raise Open311Error(400, message)
    west, south, east, north = (_coordinate(part, "bbox") for part in parts)
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise Open311Error(400, message)
    return west, south, east, north


@open311_view()
def requests_geojson(request: HttpRequest, call: Call) -> HttpResponse:
    """Public reports as a GeoJSON FeatureCollection for map clients: always the public view, newest first."""
    jurisdiction = call.resolve_jurisdiction() if call.param("jurisdiction_id") else None
    since, until = _window(call)
    reports = selectors.requests_feed(
        since=since,
        until=until,
        bbox=_bbox(call),
        jurisdiction=jurisdiction,
        service_codes=_list(call, "service_code") or _list(call, "category"),
        statuses=_statuses(call),
    )[: FEED_LIMIT + 1]
    rows = serializers.Rows(staff=False)
    features = [serializers.feature(row, rows) for row in reports]
    data = {"type": "FeatureCollection", "features": features[:FEED_LIMIT]}
    if len(features) > FEED_LIMIT:
        data["truncated"] = True
    return HttpResponse(to_json(data), content_type=CONTENT_TYPES["geojson"])


def openapi(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(openapi_document(), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Access-Control-Allow-Origin"] = "*"
    return response


ANY_METHOD = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@open311_view(methods=ANY_METHOD)
def _unknown(request: HttpRequest, call: Call, path: str) -> HttpResponse:
    raise Open311Error(
        404,
        _("There is no %(path)s in the Open311 API: its paths end in .json or .xml, see %(url)s.")
        % {"path": request.path[:200], "url": request.build_absolute_uri(reverse("open311:openapi"))},
    )


@csrf_exempt
def not_found(request: HttpRequest, path: str) -> HttpResponse:
    """Any other address under /open311/ (an unknown format suffix, none, an unknown resource): the API's
    error document, in XML when the path ends in .xml, else JSON — never the site's HTML page."""
    return _unknown(request, path=path, fmt="xml" if path.lower().endswith(".xml") else "json")
