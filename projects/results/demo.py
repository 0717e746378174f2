"""Demo data of the project results (called by ``projects.demo.load``). Idempotent.

Three of the seed's 2010–2012 supported projects get an area, implementation dates, addressed categories, a
control town, milestones and EMMIE notes, and **synthetic demo reports** (description "DEMO – synthetic
report …", TEST-NET client addresses) before and after, filed and closed through incidents' services on the
days they are dated:

- Stříbro's camera system (2010): clearly fewer reports in the target after, the control steady → an effect;
- Blovice's lighting of risky places (2011): target and control unchanged → no effect;
- Rokycany's "Sprayerem legálně" (2010): a handful of reports → too few for a figure.

The first two panels are published, the third stays a draft. A 2011 seniors' project is shown as part of
the region-wide "Bezpečí pro seniory".
"""

import math
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.utils import timezone

from incidents import services as incident_services
from incidents.selectors.reports import category_by_code
from incidents.workflow import REPORT
from portal.demo_data import PROGRAMME_MEMBERS
from portal.models import Country, Municipality
from portal.services import notifications_muted

from ..models import Proposal
from ..models_results import ProjectResult
from . import services

DEMO_TEXT = "DEMO – synthetic report for the effect panel of a funded project (not a real incident)"
CATEGORIES = ("vandalism", "public-drinking")


@dataclass
class DemoEffect:
    title: str
    town: str
    control_town: str
    start: date
    end: date
    counts: tuple[int, int, int, int]  # a, b, c, d
    buffer: tuple[int, int]
    publish: bool
    theme: str
    mechanism: str
    residents: int


DEMOS = [
    DemoEffect(
        "Stříbro – vybudování městského kamerového dohledového systému",
        "Stříbro",
        "Planá",
        date(2011, 1, 10),
        date(2011, 10, 31),
        (64, 28, 52, 49),
        (18, 15),
        True,
        ProjectResult.Theme.SITUATIONAL,
        "Kamery na náměstí a u nádraží zvyšují riziko odhalení; záznam pomáhá objasnění.",
        2400,
    ),
    DemoEffect(
        "Osvětlení rizikových míst",
        "Blovice",
        "Nepomuk",
        date(2011, 11, 1),
        date(2012, 9, 30),
        (42, 40, 45, 44),
        (12, 12),
        True,
        ProjectResult.Theme.SITUATIONAL,
        "Lepší osvětlení zvyšuje přirozený dohled a pocit bezpečí po setmění.",
        1500,
    ),
    DemoEffect(
        "Sprayerem legálně",
        "Rokycany",
        "Stod",
        date(2011, 1, 10),
        date(2011, 10, 31),
        (7, 4, 9, 8),
        (2, 2),
        False,
        ProjectResult.Theme.SOCIAL,
        "Legální plochy pro graffiti a workshopy odvádějí sprejery od nelegálních ploch.",
        3000,
    ),
]
RADIUS_M = 400


def load(created: list[str]) -> None:
    if ProjectResult.objects.exists():
        return
    User = get_user_model()  # noqa: N806
    manager = User.objects.filter(email="manager@demo.okrsek.cz").first()
    admin = User.objects.filter(email="admin@demo.okrsek.cz").first()
    coordinator = User.objects.filter(email="coordinator@demo.okrsek.cz").first()
    if manager is None or admin is None:
        return
    categories = [category_by_code(code=code, active_only=False) for code in CATEGORIES]
    if None in categories:
        return
    rng = random.Random(17)
    client = iter(range(10_000))
    filed = 0
    with notifications_muted():
        for demo in DEMOS:
            proposal = Proposal.objects.filter(title=demo.title, municipality__name=demo.town).first()
            if proposal is None:
                continue
            filed += _project(demo, proposal, manager, [coordinator, admin], categories, rng, client)
        _regional_part(manager)
    created.append(f"results of {len(DEMOS)} funded projects with {filed} synthetic demo reports")


def _town(name: str) -> Municipality:
    okres = next(o for n, o, _joined in PROGRAMME_MEMBERS if n == name)
    return Municipality.objects.get(country=Country.CZ, name=name, district_name=okres)


def _centre(town: str) -> Point:
    return _town(town).boundary.point_on_surface


def _around(centre: Point, rng: random.Random, low_m: float, high_m: float) -> Point:
    angle, distance = rng.uniform(0, 2 * math.pi), rng.uniform(low_m, high_m)
    dy = distance * math.sin(angle) / 111_320
    dx = distance * math.cos(angle) / (111_320 * math.cos(math.radians(centre.y)))
    return Point(centre.x + dx, centre.y + dy, srid=4326)


def _project(demo, proposal, manager, actors, categories, rng, client) -> int:
    result = services.result_ensure(proposal=proposal, actor=manager)
    centre = _centre(demo.town)
    services.result_area_set(
        result=result,
        actor=manager,
        kind=ProjectResult.AreaKind.POINTS,
        points=f"{centre.y}, {centre.x}",
        radius_m=RADIUS_M,
        buffer_m=300,
    )
    services.result_update(
        result=result,
        actor=manager,
        fields={
            "theme": demo.theme,
            "implementation_start": demo.start,
            "implementation_end": demo.end,
            "window_months": 12,
            "target_residents": demo.residents,
            "progress": 100,
            "emmie_mechanism": demo.mechanism,
            "emmie_moderators": "Centrum města; večerní a noční hodiny.",
            "emmie_implementation": "Dodávka o dva měsíce později; spolupráce s policií.",
            "emmie_cost": "Grant kraje a spoluúčast města; provoz hradí město.",
        },
        category_ids=[c.pk for c in categories],
    )
    control_centre = _centre(demo.control_town)
    control = [d.pk for d in _town_districts(demo.control_town)]
    services.result_control_set(result=result, actor=manager, district_ids=control)
    services.milestone_add(
        result=result,
        actor=manager,
        on=demo.start,
        status="done",
        text="Zahájení, výběr dodavatele.",
    )
    services.milestone_add(
        result=result,
        actor=manager,
        on=demo.end,
        status="done",
        text="Dokončení a předání do provozu.",
        progress=100,
    )
    before = (demo.start.replace(day=1) - timedelta(days=365), demo.start.replace(day=1))
    after_start = (demo.end.replace(day=1) + timedelta(days=32)).replace(day=1)
    after = (after_start, after_start + timedelta(days=365))
    a, b, c, d = demo.counts
    plan = [
        (a, centre, 0, RADIUS_M * 0.9, before),
        (b, centre, 0, RADIUS_M * 0.9, after),
        (c, control_centre, 0, RADIUS_M, before),
        (d, control_centre, 0, RADIUS_M, after),
        (demo.buffer[0], centre, RADIUS_M + 60, RADIUS_M + 260, before),
        (demo.buffer[1], centre, RADIUS_M + 60, RADIUS_M + 260, after),
    ]
    filed = 0
    for n, middle, low, high, (since, until) in plan:
        histories = []
        for _ in range(n):
            day = since + timedelta(days=rng.randrange((until - since).days - 1))
            when = timezone.make_aware(datetime(day.year, day.month, day.day, rng.randrange(8, 21)))
            histories.append((_around(middle, rng, low, high), rng.choice(categories), when))
        if not histories:
            continue
        # The first through the services (routed, taken up, confirmed, eliminated); the others routed like it,
        # with the same history written in bulk (a service call per report and step cost seed_demo 15 s)
        point, category, when = histories[0]
        routed = _file(point, category, when, next(client), actors)
        incident_services.demo_reports_like(
            routed,
            [(point, category, when, _history(when)) for point, category, when in histories[1:]],
            now=timezone.now(),
        )
        filed += len(histories)
    if demo.publish:
        services.effect_publish(result=result, actor=manager)
    return filed


def _town_districts(town: str):
    from incidents.selectors import districts_of_municipalities

    municipality = _town(town)
    return districts_of_municipalities(municipality_ids=[municipality.pk]).get(municipality.pk, [])


def _ip(number: int) -> str:
    # TEST-NET-2 and TEST-NET-3: documentation addresses, never a real client
    return f"198.51.100.{number}" if number < 250 else f"203.0.113.{number - 250}"


STEPS = ("take_up", "confirm", "eliminate")


def _history(when: datetime) -> list[tuple[str, datetime, dict]]:
    return [
        (action, when + timedelta(hours=step), {"public_answer": "Demo."} if action == "eliminate" else {})
        for step, action in enumerate(STEPS, start=1)
    ]


def _file(point, category, when, number, actors):
    report, _token = incident_services.report_submit(
        category=category, point=point, description=DEMO_TEXT, ip=_ip(number % 500), now=when
    )
    for action, at, inputs in _history(when):
        actor = next((u for u in (report.assignee, *actors) if u and REPORT.may(u, report, action)), None)
        if actor is None:
            break
        report = incident_services.report_transition(
            report=report, action=action, actor=actor, now=at, **inputs
        )
    return report


def _regional_part(manager) -> None:
    from ..models import RegionalProject

    proposal = Proposal.objects.filter(title="Bezpečně doma – prevence pro seniory").first()
    parent = RegionalProject.objects.filter(name__icontains="senior").first()
    if proposal is None or parent is None:
        return
    result = services.result_ensure(proposal=proposal, actor=manager)
    services.result_update(
        result=result,
        actor=manager,
        fields={"theme": ProjectResult.Theme.SENIORS, "regional_project": parent, "progress": 100},
    )
