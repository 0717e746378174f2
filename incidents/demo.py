"""Demo data of the incidents app, loaded by ``manage.py seed_demo``. Idempotent: a second run adds nothing.

- the KMZB categories;
- one district per member town of the regional programme (its municipal boundary, code ``cz-<RÚIAN>``, unit
  ``krpp``); Domažlice, Rokycany and Tachov have the demo officer, the others nobody, so both routes show: a
  district officer's queue and the coordinator's queue;
- Plzeň, the regional capital, split into four demo districts (not its real městské obvody: no licensed
  boundaries of those were at hand), quadrants of the real municipal boundary around its centroid, each with
  the demo officer, so that a report there reaches a person;
- Wrocław's 48 osiedla through the same import as ``manage.py import_districts`` (unit ``kmp-wroclaw``);
- about thirty reports in those towns, in Plzeň and in Wrocław, spread over
  the workflow with past timestamps, made through the services so that deadlines, overdue marks, reminders,
  the timeline and the public answers are what the real workflow would have produced.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.utils import timezone

from portal.models import Country, Municipality, PartnerBody, PoliceUnit
from portal.services import client_fingerprint

from . import services
from .catalogue import KMZB_CATEGORIES
from .importers import districts_import
from .models import Category, District, Report
from .workflow import REPORT

CZ_UNIT, PL_UNIT = "krpp", "kmp-wroclaw"
OFFICER, COORDINATOR = "officer@demo.okrsek.cz", "coordinator@demo.okrsek.cz"
PARTNER, ADMIN = "partner@demo.okrsek.cz", "admin@demo.okrsek.cz"
TOWNS_WITH_OFFICER = {"Domažlice", "Rokycany", "Tachov"}
PLZEN_CODE = "554791"
# Demo districts of Plzeň: code suffix, name, the quadrant's corners as multiples of a far distance
PLZEN_DEMO_DISTRICTS = [
    ("sever", "Plzeň – demo okrsek sever", ((-1, 1), (1, 1))),
    ("vychod", "Plzeň – demo okrsek východ", ((1, 1), (1, -1))),
    ("jih", "Plzeň – demo okrsek jih", ((1, -1), (-1, -1))),
    ("zapad", "Plzeň – demo okrsek západ", ((-1, -1), (-1, 1))),
]
WROCLAW_OSIEDLA = settings.BASE_DIR / "portal" / "data" / "pl-wroclaw" / "osiedla.geojson"


def load(created: list[str]) -> None:
    if not Category.objects.exists():
        for order, (code, group, pl, cs, en, nb, extra) in enumerate(KMZB_CATEGORIES):
            services.category_upsert(
                code=code,
                group=group,
                name_pl=pl,
                name_cs=cs,
                name_en=en,
                name_nb=nb,
                sort_order=order,
                **extra,
            )
        created.append(f"{len(KMZB_CATEGORIES)} KMZB categories")
    load_districts(created)
    load_reports(created)


# --- districts ------------------------------------------------------------------------------------------


def load_districts(created: list[str]) -> None:
    from portal.demo_data import PROGRAMME_MEMBERS  # the programme's member towns, named once

    unit = PoliceUnit.objects.get(code=CZ_UNIT)
    officer = get_user_model().objects.filter(email=OFFICER).first()
    existing = set(District.objects.filter(code__startswith="cz-").values_list("code", flat=True))
    new = 0
    for name, okres, _joined_on in PROGRAMME_MEMBERS:
        town = Municipality.objects.get(country=Country.CZ, name=name, district_name=okres)
        if f"cz-{town.code}" in existing:
            continue
        district, _created = services.district_upsert(
            code=f"cz-{town.code}", name=town.name, area=town.boundary, police_unit=unit, municipality=town
        )
        if officer is not None and name in TOWNS_WITH_OFFICER:
            district.officers.add(officer)
        new += 1
    if new:
        created.append(f"{new} districts of the programme's towns")
    load_plzen_districts(created, unit=unit, officer=officer)
    if not District.objects.filter(code__startswith="pl-wroclaw-").exists():
        result = districts_import(
            path=WROCLAW_OSIEDLA,
            name_field="osiedle",
            code_field="id",
            code_prefix="pl-wroclaw-",
            unit=PL_UNIT,
        )
        created.append(f"{result.created} districts of Wrocław (osiedla)")


def plzen_demo_areas(boundary: MultiPolygon) -> list[tuple[str, str, MultiPolygon]]:
    """The real boundary of Plzeň cut into four triangles' worth (north, east, south, west of its centroid):
    (code, name, area); together they cover the town exactly, without overlaps."""
    centre = boundary.centroid
    xmin, ymin, xmax, ymax = boundary.extent
    far = 2 * max(xmax - xmin, ymax - ymin)
    areas = []
    for suffix, name, corners in PLZEN_DEMO_DISTRICTS:
        ring = [(centre.x, centre.y), *((centre.x + dx * far, centre.y + dy * far) for dx, dy in corners)]
        wedge = Polygon([*ring, ring[0]], srid=boundary.srid)
        part = boundary.intersection(wedge)
        pieces = part if part.geom_type.startswith(("Multi", "Geometry")) else [part]
        polygons = [g for g in pieces if g.geom_type == "Polygon" and g.area > 0]
        areas.append((f"demo-plzen-{suffix}", name, MultiPolygon(*polygons, srid=boundary.srid)))
    return areas


def load_plzen_districts(created: list[str], *, unit: PoliceUnit, officer) -> None:
    plzen = Municipality.objects.get(country=Country.CZ, code=PLZEN_CODE)
    ours = District.objects.filter(code__startswith="demo-plzen-")
    existing = set(ours.values_list("code", flat=True))
    new = 0
    for code, name, area in plzen_demo_areas(plzen.boundary):
        if code in existing:
            continue
        district, _created = services.district_upsert(
            code=code, name=name, area=area, police_unit=unit, municipality=plzen
        )
        if officer is not None:
            district.officers.add(officer)
        new += 1
    if new:
        created.append(f"{new} demo districts of Plzeň")


# --- reports --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoReport:
    # a district's name (member towns) or code (Wrocław), "plzen" (its demo districts), or "town:<name>": a
    # served town without a district (the unit's coordinators' queue)
    place: str
    category: str
    hours_ago: float  # when it was submitted
    description: str
    steps: tuple = ()  # (action, hours ago, public answer)
    email: str = ""
    language: str = "cs"


H = 24  # hours per day, for readability of the table below

# Submitted over the last weeks; "new" ones at different points of their 48 h window (fresh, due for the 6 h
# reminder, overdue), "verifying" ones inside and past their 5 days, closed ones with public answers.
DEMO_REPORTS = [
    # Domažlice: the demo officer's district; the partner body is the town's municipal police
    DemoReport("Domažlice", "illegal-parking", 2, "Auta stojí celý den na chodníku u školy."),
    DemoReport("Domažlice", "speeding", 43, "Auta jezdí v obci přes 80 km/h, hlavně večer."),
    DemoReport("Domažlice", "vandalism", 3 * H, "Rozbitá lavička a posprejovaná zastávka."),
    DemoReport(
        "Domažlice", "public-drinking", 30, "Skupina popíjí každý večer v parku.", (("take_up", 20, ""),)
    ),
    DemoReport(
        "Domažlice",
        "illegal-dumping",
        8 * H,
        "Černá skládka stavebního odpadu za garážemi.",
        (("take_up", 7 * H, ""),),
        email="obcan@example.org",
    ),
    DemoReport(
        "Domažlice",
        "road-infrastructure",
        12 * H,
        "Chybí přechod u nové zastávky.",
        (
            ("take_up", 11 * H, ""),
            ("confirm", 9 * H, "Potvrzeno, předáváme správci komunikace a budeme sledovat."),
        ),
    ),
    DemoReport(
        "Domažlice",
        "stray-dogs",
        20 * H,
        "Dva volně pobíhající psi u hřiště.",
        (
            ("take_up", 19 * H, ""),
            ("confirm", 18 * H, ""),
            ("hand_over", 17 * H, "Předáno městské policii Domažlice."),
            ("partner_answer", 10 * H, "Psi byli odchyceni a vráceni majiteli, který dostal pokutu."),
        ),
        email="obcan@example.org",
    ),
    DemoReport(
        "Domažlice",
        "grass-burning",
        40 * H,
        "Někdo pálí trávu u lesa.",
        (
            ("take_up", 39 * H, ""),
            ("confirm", 38 * H, ""),
            ("eliminate", 36 * H, "Hlídka na místě, oheň uhašen, pachatel poučen."),
        ),
    ),
    # Rokycany: the demo officer
    DemoReport("Rokycany", "traffic-organisation", 10, "Nepřehledná křižovatka, chybí zrcadlo."),
    DemoReport(
        "Rokycany",
        "drug-use",
        15 * H,
        "Injekční stříkačky na dětském hřišti.",
        (("take_up", 14 * H, ""), ("not_confirm", 12 * H, "Hlídka místo opakovaně prověřila, nic nenašla.")),
    ),
    DemoReport(  # the reporter withdrew it from the tracking page before the police took it up
        "Rokycany",
        "vandalism",
        20,
        "Posprejovaná zeď u nádraží – už je přetřená, omlouvám se.",
        (("withdraw", 18, ""),),
    ),
    DemoReport(
        "Rokycany",
        "illegal-racing",
        25 * H,
        "Závody aut v noci na parkovišti u obchodu.",
        (("take_up", 24 * H, ""), ("joke", 23 * H, "Šlo o povolenou akci autoškoly.")),
    ),
    DemoReport(
        "Rokycany",
        "destroying-greenery",
        60 * H,
        "Auta parkují na trávníku a ničí ho.",
        (
            ("take_up", 59 * H, ""),
            ("confirm", 57 * H, ""),
            ("eliminate", 50 * H, "Město osadilo zábrany, parkování na trávě skončilo."),
        ),
    ),
    # Tachov: the demo officer
    DemoReport("Tachov", "unguarded-bathing", 30, "Děti se koupou u jezu, kde je silný proud."),
    DemoReport(
        "Tachov",
        "dangerous-water",
        3 * H,
        "Prolomený led na rybníku, chybí výstraha.",
        (("take_up", 2.5 * H, ""),),
    ),
    DemoReport(
        "Tachov",
        "speeding",
        5 * H,
        "Kamiony projíždějí centrem příliš rychle.",
        (("take_up", 4 * H, ""), ("confirm", 3 * H, "Potvrzeno měřením, budeme kontrolovat častěji.")),
    ),
    # Member towns without an officer: the coordinator's queue
    DemoReport("Sušice", "illegal-parking", 50, "Parkování v zákazu u nemocnice."),
    DemoReport("Blovice", "wildlife-collisions", 5, "Často tu přebíhá zvěř, chybí značka."),
    DemoReport(
        "Stříbro", "vandalism", 4 * H, "Poškozené dopravní značky na mostě.", (("take_up", 3 * H, ""),)
    ),
    DemoReport(
        "Přeštice",
        "illegal-dumping",
        30 * H,
        "Pneumatiky vyhozené v remízku.",
        (
            ("take_up", 29 * H, ""),
            ("confirm", 28 * H, ""),
            ("eliminate", 20 * H, "Odpad odklizen technickými službami."),
        ),
    ),
    DemoReport(
        "Horažďovice",
        "begging",
        9 * H,
        "Agresivní žebrání u nádraží.",
        (("take_up", 8 * H, ""), ("not_confirm", 7 * H, "Při kontrolách nikdo nezastižen.")),
    ),
    # Plzeň: its demo districts (the demo officer)
    DemoReport("plzen", "illegal-parking", 20, "Auta blokují vjezd hasičů v ulici."),
    # Klatovy: served, no district: the unit's unassigned queue
    DemoReport("town:Klatovy", "homeless-person", 3, "Starší muž spí venku u nádraží, je mu zima."),
    DemoReport(
        "plzen",
        "public-drinking",
        6 * H,
        "Popíjení u fontány na náměstí.",
        (("take_up", 5 * H, ""), ("confirm", 4 * H, "Potvrzeno, místo bude častěji kontrolováno.")),
    ),
    # Wrocław: the osiedla, no officers yet (the unit's queue)
    DemoReport("pl-wroclaw-21", "illegal-parking", 1, "Auta parkują na ścieżce rowerowej.", language="pl"),
    DemoReport("pl-wroclaw-19", "speeding", 60, "Kierowcy przekraczają prędkość przy szkole.", language="pl"),
    DemoReport(
        "pl-wroclaw-12",
        "public-drinking",
        2 * H,
        "Spożywanie alkoholu na placu zabaw.",
        (("take_up", 1.5 * H, ""),),
        email="mieszkaniec@example.org",
        language="pl",
    ),
    DemoReport(
        "pl-wroclaw-9",
        "illegal-dumping",
        14 * H,
        "Dzikie wysypisko śmieci przy ogródkach działkowych.",
        (
            ("take_up", 13 * H, ""),
            ("confirm", 12 * H, "Zagrożenie potwierdzone, sprawa przekazana do straży miejskiej."),
        ),
        language="pl",
    ),
    DemoReport(
        "pl-wroclaw-44",
        "destroying-greenery",
        45 * H,
        "Niszczenie zieleni przez quady.",
        (
            ("take_up", 44 * H, ""),
            ("confirm", 43 * H, ""),
            ("eliminate", 35 * H, "Teren zabezpieczono, sprawców ukarano mandatami."),
        ),
        language="pl",
    ),
    DemoReport(
        "pl-wroclaw-48",
        "stray-dogs",
        18 * H,
        "Bezpańskie psy przy przystanku.",
        (("take_up", 17 * H, ""), ("joke", 16 * H, "Psy mają właściciela, były na spacerze.")),
        language="pl",
    ),
    DemoReport(
        "pl-wroclaw-20",
        "vandalism",
        22 * H,
        "Zniszczona wiata przystankowa.",
        (("take_up", 21 * H, ""), ("not_confirm", 19 * H, "Wiata jest cała, zgłoszenie nieaktualne.")),
        language="pl",
    ),
]


def _demo_ip(number: int) -> str:
    return f"192.0.2.{number + 1}"  # TEST-NET-1: documentation addresses, never a real client


def _place(place: str, number: int, districts: dict, plzen: Municipality) -> Point:
    """A point inside the place, moved a little per report so that markers do not stack."""
    if place.startswith("town:"):
        area = Municipality.objects.get(country=Country.CZ, name=place.removeprefix("town:")).boundary
    else:
        area = plzen.boundary if place == "plzen" else districts[place].area
    base = area.point_on_surface
    for dx, dy in ((0.002, 0.001), (-0.002, 0.0015), (0.001, -0.002), (0, 0)):
        shift = (number % 5) / 4
        point = Point(base.x + dx * shift, base.y + dy * shift, srid=4326)
        if area.contains(point):
            return point
    return base


def load_reports(created: list[str]) -> None:
    fingerprints = [client_fingerprint(ip=_demo_ip(n)) for n in range(len(DEMO_REPORTS))]
    if Report.objects.filter(ip_hash__in=fingerprints).exists():
        return
    User = get_user_model()  # noqa: N806
    users = {u.email: u for u in User.objects.filter(email__in=[OFFICER, COORDINATOR, PARTNER, ADMIN])}
    if len(users) < 4:
        return  # the shared demo (users) was not loaded
    districts = {d.name if d.code.startswith("cz-") else d.code: d for d in District.objects.all()}
    plzen = Municipality.objects.get(country=Country.CZ, code=PLZEN_CODE)
    categories = {c.code: c for c in Category.objects.all()}
    partner_body = PartnerBody.objects.get(code="mp-domazlice")
    now = timezone.now()
    for number, demo in enumerate(DEMO_REPORTS):
        report, token = services.report_submit(
            category=categories[demo.category],
            point=_place(demo.place, number, districts, plzen),
            description=demo.description,
            reporter_email=demo.email,
            language=demo.language,
            ip=_demo_ip(number),
            now=now - timedelta(hours=demo.hours_ago),
        )
        for action, hours_ago, answer in demo.steps:
            if action == "withdraw":  # the reporter, by the tracking link
                report = services.report_withdraw(token=token, now=now - timedelta(hours=hours_ago))
                continue
            # Whoever the workflow lets act: the district's officer, else the unit's coordinator, the partner
            # body for its answers; the Polish unit has no demo account, so the administrator acts there
            candidates = (report.assignee, users[COORDINATOR], users[PARTNER])
            actor = next((u for u in candidates if u and REPORT.may(u, report, action)), users[ADMIN])
            report = services.report_transition(
                report=report,
                action=action,
                actor=actor,
                public_answer=answer,
                partner_body=partner_body if action == "hand_over" else None,
                now=now - timedelta(hours=hours_ago),
            )
    # What the minute-by-minute beat task would have done meanwhile: overdue marks and reminders
    services.deadlines_sweep(now=now)
    created.append(f"{len(DEMO_REPORTS)} demo reports")
