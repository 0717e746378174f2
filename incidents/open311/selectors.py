"""Reads of the Open311 API. Public reads start from ``incidents.selectors.public_reports`` (public
categories, the last 90 days), the same selector as the public map; a staff api key reads all reports."""

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.contrib.gis.db.models.functions import PointOnSurface
from django.contrib.gis.geos import Point
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import FloatField, Func, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from portal.models import Municipality, PoliceUnit

from .. import selectors as incidents_selectors
from ..models import CLOSED_STATUSES, OPEN_STATUSES, ApiKey, Category, District, Report, ReportEvent

CATEGORY_NAME_LANGUAGES = ("cs", "pl", "en", "nb")
OPEN311_STATUSES = {"open": OPEN_STATUSES, "closed": CLOSED_STATUSES}


def api_key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


def api_key_lookup(*, raw: str) -> ApiKey | None:
    """The active key whose secret is ``raw`` (found by its SHA-256), or None."""
    if not raw or len(raw) > 200:
        return None
    units = PoliceUnit.objects.order_by("pk")
    return (
        ApiKey.objects.select_related("police_unit")
        .filter(key_hash=api_key_hash(raw), active=True)
        # What ``jurisdictions_first_two`` would read, in the same statement (a submission's budget is tight)
        .annotate(
            first_unit_pk=Subquery(units.values("pk")[:1]),
            first_unit_code=Subquery(units.values("code")[:1]),
            second_unit_pk=Subquery(units.values("pk")[1:2]),
        )
        .first()
    )


# --- jurisdictions --------------------------------------------------------------------------------------


def jurisdiction_by_code(*, code: str) -> PoliceUnit | None:
    """The police unit of ``code`` with its pk and code loaded (other fields load when read), by a query
    compiled once per process (see ``_compiled_rows``): every GET with a jurisdiction_id runs it."""

    def build(values: dict) -> QuerySet:
        return PoliceUnit.objects.filter(code=values["code"]).order_by("pk").values("pk", "code")[:1]

    rows = _compiled_rows(("unit-by-code",), build, {"code": code})
    if not rows:
        return None
    return PoliceUnit.from_db(
        DEFAULT_DB_ALIAS, [PoliceUnit._meta.pk.attname, "code"], [rows[0]["pk"], rows[0]["code"]]
    )


def jurisdictions_first_two(*, api_key: ApiKey | None = None) -> list[PoliceUnit]:
    """At most two police units: enough to tell whether the endpoint serves one jurisdiction or several.
    With a key found by ``api_key_lookup``, from what that query read (the first with its pk and code
    loaded, other fields load when read); else by a query."""
    if api_key is None or not hasattr(api_key, "first_unit_pk"):
        return list(PoliceUnit.objects.order_by("pk")[:2])
    fields = [PoliceUnit._meta.pk.attname, "code"]
    units = []
    if api_key.first_unit_pk is not None:
        units.append(
            PoliceUnit.from_db(DEFAULT_DB_ALIAS, fields, [api_key.first_unit_pk, api_key.first_unit_code])
        )
    if api_key.second_unit_pk is not None:
        units.append(
            PoliceUnit.from_db(DEFAULT_DB_ALIAS, [PoliceUnit._meta.pk.attname], [api_key.second_unit_pk])
        )
    return units


# --- services -------------------------------------------------------------------------------------------


def services_active() -> list[Category]:
    """The active categories, in the services list's order, by a query compiled once per process."""
    attnames = [field.attname for field in Category._meta.concrete_fields]

    def build(values: dict) -> QuerySet:
        return Category.objects.filter(active=True).order_by("group", "sort_order", "code").values(*attnames)

    rows = _compiled_rows(("services",), build, {})
    return [Category.from_db(DEFAULT_DB_ALIAS, attnames, [row[name] for name in attnames]) for row in rows]


# --- places ---------------------------------------------------------------------------------------------


def place_for_address(*, address: str, jurisdiction: PoliceUnit | None = None) -> tuple[Point, str] | None:
    """A point inside the district or municipality that ``address`` names, and that name.

    Each comma-separated part is tried, the first one first ("West, Domažlice", "Náměstí 1, Domažlice"),
    as a district name, then as a municipality name (case-insensitive, whole name). A name that matches
    several places (many villages share a name) does not resolve, unless a jurisdiction narrows it to one."""
    parts = [part.strip() for part in address.split(",") if part.strip()][:4]
    for part in parts:
        if len(part) > 200:
            continue
        districts = District.objects.filter(name__iexact=part, active=True)
        served = Municipality.objects.filter(name__iexact=part, police_units__isnull=False)
        if jurisdiction is not None:
            districts = districts.filter(police_unit=jurisdiction)
            served = served.filter(police_units=jurisdiction)
        municipalities = Municipality.objects.filter(pk__in=served.values("pk")).exclude(boundary=None)
        for qs, field in ((districts, "area"), (municipalities, "boundary")):
            rows = list(qs.annotate(inside=PointOnSurface(field)).values_list("name", "inside")[:2])
            if len(rows) == 1 and rows[0][1] is not None:
                name, point = rows[0]
                point.srid = 4326
                return point, name
    return None


# --- requests -------------------------------------------------------------------------------------------


# What a GeoReport request is made of, read as plain rows (dicts): no model instances, and none of the
# related rows' polygons (the district's area, the municipality's boundary) that ``select_related`` would drag
# along for each report. The point comes as two numbers (ST_X/ST_Y, in PostGIS and SpatiaLite alike).
REQUEST_COLUMNS = (
    "reference",
    "status",
    "public_answer",
    "created_at",
    "due_at",
    "category__code",
    *(f"category__name_{code}" for code in CATEGORY_NAME_LANGUAGES),
    "police_unit__name",
    "partner_body__name",
    "municipality__name",
    "district__name",
)


def _decorated(qs: QuerySet[Report], *, staff: bool = False) -> QuerySet:
    """What a GeoReport request needs, in one query: the columns above (the description only for a staff
    key), the point's coordinates and when it was last updated (its last public event). Rows are dicts."""
    last_event = (
        ReportEvent.objects.filter(report=OuterRef("pk"))
        .exclude(action__in=incidents_selectors.PRIVATE_EVENT_ACTIONS)  # as the public timeline
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    columns = (*REQUEST_COLUMNS, "description") if staff else REQUEST_COLUMNS
    return (
        qs.annotate(
            # the last public event, else the last change; never before the submission
            updated=Greatest(Coalesce(Subquery(last_event), "updated_at"), "created_at"),
            point_lat=Func("point", function="ST_Y", output_field=FloatField()),
            point_long=Func("point", function="ST_X", output_field=FloatField()),
        )
        .order_by("-created_at", "-pk")
        .values(*columns, "updated", "point_lat", "point_long")
    )


def requests_readable(
    *,
    staff: bool,
    since: datetime | None = None,
    until: datetime | None = None,
    jurisdiction: PoliceUnit | None = None,
    jurisdiction_code: str | None = None,
    references: list[str] | None = None,
    service_codes: list[str] | None = None,
    statuses: list[str] | None = None,
) -> QuerySet:
    """The reports an API client may read, as rows (see ``_decorated``). Public: ``public_reports`` (public
    categories, 90 days). A staff key: every report, any category, any age. ``jurisdiction`` is a police
    unit, ``jurisdiction_code`` its code (one query fewer when the caller need not know the unit). Filters:
    ``statuses`` are GeoReport's open / closed."""
    if staff:
        qs = Report.objects.all()
        if since is not None:
            qs = qs.filter(created_at__gte=since)
    else:
        qs = incidents_selectors.public_reports(since=since)
    return _filtered(
        qs,
        staff=staff,
        until=until,
        jurisdiction=jurisdiction,
        jurisdiction_code=jurisdiction_code,
        references=references,
        service_codes=service_codes,
        statuses=statuses,
    )


def requests_feed(
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    bbox: tuple[float, float, float, float] | None = None,
    jurisdiction: PoliceUnit | None = None,
    service_codes: list[str] | None = None,
    statuses: list[str] | None = None,
) -> QuerySet:
    """The public GeoJSON feed (rows, see ``_decorated``): ``public_reports`` (shared with the public map),
    then the API's filters."""
    qs = incidents_selectors.public_reports(since=since, bbox=bbox)
    return _filtered(
        qs, until=until, jurisdiction=jurisdiction, service_codes=service_codes, statuses=statuses
    )


def _filtered(
    qs: QuerySet[Report],
    *,
    staff: bool = False,
    until: datetime | None,
    jurisdiction: PoliceUnit | None,
    jurisdiction_code: str | None = None,
    references: list[str] | None = None,
    service_codes: list[str] | None = None,
    statuses: list[str] | None = None,
) -> QuerySet[Report]:
    if jurisdiction is not None:
        qs = qs.filter(police_unit=jurisdiction)
    if jurisdiction_code is not None:  # the police unit's code, matched in the same query (no lookup first)
        qs = qs.filter(police_unit__code=jurisdiction_code)
    if references is not None:
        return _decorated(qs.filter(reference__in=references), staff=staff)
    if until is not None:
        qs = qs.filter(created_at__lte=until)
    if service_codes:
        qs = qs.filter(category__code__in=service_codes)
    if statuses:
        qs = qs.filter(status__in=set().union(*(OPEN311_STATUSES[s] for s in statuses)))
    return _decorated(qs, staff=staff)


# --- compiled once per process: single requests and pages of requests ------------------------------------
#
# Building and compiling the ORM query of a request costs more than running it (~2 ms against ~1 ms for one
# request): the detail, token and list calls run it as SQL compiled once per shape, with each call's values in
# place of sentinels. A shape is checked when it is compiled: two compilations with different sentinels may
# differ only where the sentinels are. A value of its own in the SQL (e.g. a "now" taken by a selector) makes
# the shape uncacheable, and its query is then built for every call, as before.

MAX_COMPILED = 64  # shapes kept per process (pages of many sizes and offsets are built as usual beyond it)


def _sentinel(name: str, variant: int):
    if name in ("since", "until"):
        second = 57 if name == "since" else 55
        return datetime(2199, 12, 31, 23, 59, second + variant, 424242, tzinfo=UTC)
    if name == "unit":
        return -424241 - variant
    return f"\x01{name}-{variant}\x01"


class _Compiled:
    """The SQL of the queryset ``build(values)`` for one shape, and how to read its rows as dicts."""

    def __init__(self, build: Callable[[dict], QuerySet], names: tuple[str, ...]):
        self.build = build
        sentinels = [{name: _sentinel(name, variant) for name in names} for variant in (0, 1)]
        (sql, params, compiler, columns), (sql_b, params_b, _compiler, _columns) = (
            self._compile(values) for values in sentinels
        )
        self.sql, self.params, self.compiler, self.columns = sql, params, compiler, columns
        self.slots: list[tuple[int, str]] = []
        self.cacheable = sql == sql_b and len(params) == len(params_b)
        adapted = [self._adapted(values, compiler.connection) for values in sentinels]
        for index, (a, b) in enumerate(zip(params, params_b, strict=False)):
            if not self.cacheable or a == b:
                continue
            names_a = [name for name, value in adapted[0].items() if value == a]
            names_b = [name for name, value in adapted[1].items() if value == b]
            if len(names_a) != 1 or names_a != names_b:
                self.cacheable = False  # a value of its own in the SQL (a "now"): not a fixed shape
            else:
                self.slots.append((index, names_a[0]))
        self.converters = compiler.get_converters(
            [column[0] for column in compiler.select[: compiler.col_count]]
        )

    def _compile(self, values: dict) -> tuple:
        qs = self.build(values)
        query = qs.query
        compiler = query.get_compiler(qs.db)
        sql, params = compiler.as_sql()
        return (
            sql,
            list(params),
            compiler,
            [*query.extra_select, *query.values_select, *query.annotation_select],
        )

    @staticmethod
    def _adapted(values: dict, connection) -> dict:
        return {
            name: connection.ops.adapt_datetimefield_value(value) if isinstance(value, datetime) else value
            for name, value in values.items()
        }

    def rows(self, values: dict) -> list[dict]:
        if not self.cacheable:
            return list(self.build(values))
        connection = connections[DEFAULT_DB_ALIAS]
        adapted = self._adapted(values, connection)
        params = list(self.params)
        for index, name in self.slots:
            params[index] = adapted[name]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        return [dict(zip(self.columns, row, strict=True)) for row in rows]


_COMPILED: dict[tuple, _Compiled] = {}


def _compiled_rows(shape: tuple, build: Callable[[dict], QuerySet], values: dict) -> list[dict]:
    key = (connections[DEFAULT_DB_ALIAS].vendor, *shape)
    compiled = _COMPILED.get(key)
    if compiled is None:
        if len(_COMPILED) >= MAX_COMPILED:
            return list(build(values))
        compiled = _COMPILED[key] = _Compiled(build, tuple(values))
    return compiled.rows(values)


def _public_since(since: datetime | None) -> datetime:
    """As ``public_reports``: the public see the last ``PUBLIC_PERIOD_DAYS`` days at most."""
    earliest = timezone.now() - timedelta(days=incidents_selectors.PUBLIC_PERIOD_DAYS)
    return max(since, earliest) if since else earliest


def _jurisdiction_values(jurisdiction: PoliceUnit | None, jurisdiction_code: str | None) -> dict:
    if jurisdiction is not None:
        return {"unit": jurisdiction.pk}
    return {"code": jurisdiction_code} if jurisdiction_code is not None else {}


def _jurisdiction_filters(values: dict) -> dict:
    return {
        "jurisdiction": PoliceUnit(pk=values["unit"]) if "unit" in values else None,
        "jurisdiction_code": values.get("code"),
    }


def request_by_reference(
    *,
    staff: bool,
    reference: str,
    jurisdiction: PoliceUnit | None = None,
    jurisdiction_code: str | None = None,
) -> list[dict]:
    """The request ``reference`` as ``requests_readable`` reads it (a list of at most one row)."""
    values = {
        "reference": reference,
        **_jurisdiction_values(jurisdiction, jurisdiction_code),
        **({} if staff else {"since": _public_since(None)}),
    }

    def build(values: dict) -> QuerySet:
        return requests_readable(
            staff=staff,
            since=values.get("since"),
            references=[values["reference"]],
            **_jurisdiction_filters(values),
        )

    return _compiled_rows(("one", staff, *sorted(values)), build, values)


def requests_page(
    *,
    staff: bool,
    since: datetime,
    until: datetime | None = None,
    jurisdiction: PoliceUnit | None = None,
    service_codes: list[str] | None = None,
    statuses: list[str] | None = None,
    offset: int = 0,
    limit: int,
) -> list[dict]:
    """``requests_readable(…)[offset:offset + limit]`` (the newest first) as rows."""
    codes = list(service_codes or ())
    statuses = sorted(set(statuses or ()))
    values = {
        "since": since if staff else _public_since(since),
        **({"until": until} if until is not None else {}),
        **_jurisdiction_values(jurisdiction, None),
        **{f"service_code_{n}": code for n, code in enumerate(codes)},
    }

    def build(values: dict) -> QuerySet:
        return requests_readable(
            staff=staff,
            since=values["since"],
            until=values.get("until"),
            service_codes=[values[f"service_code_{n}"] for n in range(len(codes))],
            statuses=statuses,
            **_jurisdiction_filters(values),
        )[offset : offset + limit]

    shape = ("page", staff, *sorted(values), tuple(statuses), offset, limit)
    return _compiled_rows(shape, build, values)
