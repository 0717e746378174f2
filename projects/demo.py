"""Demo data of the projects app, loaded by ``manage.py seed_demo``. Idempotent: a second run adds nothing.

The programme "Plzeňský kraj – bezpečný kraj" as seed 002 describes it: the towns joining in waves, the five
region-wide projects, a call a year 2010–2012 with the supported sub-projects the seed counts (2010: 4 named
ones, 2011: 11, 2012: 21; about 20.5 million CZK) and a few rejected ones, and the open rolling call of 2026
with a proposal in every state of the workflow. The history follows the workflow's transitions step by step
(with their activity-log entries, dated), scores are the services' weighted averages, and the approved
sums stay within every budget; it is written in bulk so that ``seed_demo`` stays fast.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from portal import roles
from portal.models import ActivityLog, Country, Municipality, Profile
from portal.services import user_set_roles

from . import services
from .models import (
    Assignment,
    BudgetLine,
    Call,
    Decision,
    FinalReport,
    Meeting,
    MeetingItem,
    Message,
    Programme,
    Proposal,
    Review,
    Score,
)
from .workflow import TRANSITIONS, Status

User = get_user_model()

SLUG = "plzensky-kraj-bezpecny-kraj"

# Seed 002: the programme's first members and when they joined; (name, okres) pairs are unique in the region.
PROGRAMME_MEMBERS = [
    ("Domažlice", "Domažlice", date(2010, 7, 1)),
    ("Rokycany", "Rokycany", date(2010, 7, 1)),
    ("Tachov", "Tachov", date(2010, 7, 1)),
    ("Blovice", "Plzeň-jih", date(2010, 12, 1)),
    ("Kralovice", "Plzeň-sever", date(2010, 12, 1)),
    ("Přeštice", "Plzeň-jih", date(2010, 12, 1)),
    ("Sušice", "Klatovy", date(2010, 12, 1)),
    ("Stříbro", "Tachov", date(2010, 12, 1)),
    ("Železná Ruda", "Klatovy", date(2010, 12, 1)),
    ("Nepomuk", "Plzeň-jih", date(2011, 6, 1)),
    ("Horažďovice", "Klatovy", date(2011, 6, 1)),
    ("Horní Bříza", "Plzeň-sever", date(2011, 6, 1)),
    ("Planá", "Tachov", date(2011, 6, 1)),
    ("Stod", "Plzeň-jih", date(2011, 6, 1)),
    ("Merklín", "Plzeň-jih", date(2011, 6, 1)),
]

REGIONAL_PROJECTS = [
    (
        "ebezpecnost",
        "eBezpečnost",
        "Odhalit a zmenšit nebezpečí, která hrozí při používání internetu. Projektový tým odborů krajského "
        "úřadu, Policie ČR, pedagogicko-psychologické poradny, Zařízení služeb pro školy a Hospodářské "
        "komory; "
        "lektoři oslovují děti přes pedagogy, rodiče, média, sociální sítě a on-line soutěž.",
        "děti a mládež",
        "od roku 2011",
        "plně z rozpočtu Plzeňského kraje",
    ),
    (
        "bezpeci-pro-seniory",
        "Bezpečí pro seniory",
        "Prevence podvodů a násilí páchaného na seniorech v úzké spolupráci s Krajským ředitelstvím policie "
        "Plzeňského kraje.",
        "senioři",
        "2. pololetí 2011 – 2012",
        "Ministerstvo vnitra ČR",
    ),
    (
        "informovany-senior",
        "Informovaný senior",
        "Navazuje na Bezpečí pro seniory a dobrou praxi eBezpečnosti: finanční gramotnost, práce "
        "s počítačem, "
        "sebeobrana, první pomoc.",
        "senioři",
        "2. pololetí 2012",
        "Ministerstvo vnitra ČR",
    ),
    (
        "klidne-prihranici",
        "Klidné příhraničí",
        "Bezpečnost silničního provozu v příhraničí a spolupráce s Bavorskem v přeshraniční turistice: "
        "systém sledování dopravy na vytipovaných silnicích s přenosovou soustavou; obecná data volně "
        "dostupná, citlivá spravuje Policie ČR. Navazuje na projekt Klidný region mikroregionu "
        "Šumava – západ.",
        "účastníci silničního provozu, turisté",
        "od roku 2012",
        "Program přeshraniční spolupráce Cíl 3 ČR–Bavorsko, asi 1,2 mil. EUR",
    ),
    (
        "zdravy-plzensky-kraj",
        "Zdravý Plzeňský kraj",
        "Kraj vstoupil do Národní sítě Zdravých měst; priority pro rok 2012: boj proti dětské obezitě, "
        "prevence rakoviny prsu, zdravý životní styl seniorů, prevence AIDS mezi dětmi a mládeží.",
        "obyvatelé kraje",
        "od konce roku 2011",
        "rozpočet Plzeňského kraje",
    ),
]

CRITERIA = [
    ("Soulad s cíli programu", "Zlepšuje bezpečnost na místní úrovni a zapojuje veřejnost.", Decimal("3")),
    (
        "Doložená místní potřeba",
        "Potřeba vychází z dat (hlášení, statistiky policie, průzkumy).",
        Decimal("2"),
    ),
    ("Přiměřenost rozpočtu", "Náklady odpovídají činnostem; spolufinancování obce.", Decimal("2")),
    ("Udržitelnost", "Výsledky vydrží i po skončení podpory.", Decimal("1")),
    ("Partneři a veřejnost", "Spolupráce s policií, školami, neziskovými organizacemi.", Decimal("1")),
]
COSTS = [
    ("Technické vybavení", "kamery, osvětlení, měřiče rychlosti, pult centralizované ochrany"),
    ("Stavební úpravy", "jen pokud slouží bezpečnosti (přechody, osvětlení, oplocení)"),
    ("Preventivní a vzdělávací programy", "lektoři, materiály, kurzy"),
    ("Informační kampaně", "letáky, tabule, web"),
    ("Osobní náklady", "asistent prevence kriminality, hlídky"),
]


@dataclass
class DemoProposal:
    town: str
    title: str
    outcome: str  # completed | rejected_nr (not recommended, rejected) | rejected_r (recommended, rejected)
    amount: int = 0  # approved (or requested, when rejected), CZK
    state: str | None = None  # where it stops (2026); by default completed or rejected
    extra: dict = field(default_factory=dict)

    @property
    def final_state(self) -> str:
        return self.state or ("completed" if self.outcome == "completed" else "rejected")


D = DemoProposal
CALLS = {
    2010: {
        "budget": 3_000_000,
        "max": 1_500_000,
        "window": (date(2010, 9, 1), date(2010, 12, 10)),
        "meeting": date(2010, 12, 14),
        "council": date(2010, 12, 20),
        "start": date(2011, 1, 10),
        "end": date(2011, 10, 31),
        "proposals": [
            D(
                "Stříbro",
                "Stříbro – vybudování městského kamerového dohledového systému",
                "completed",
                1_450_000,
            ),
            D("Železná Ruda", "Bezpečná Železná Ruda", "completed", 780_000),
            D("Domažlice", "Na kole občanům blíže", "completed", 420_000),
            D("Rokycany", "Sprayerem legálně", "completed", 300_000),
        ],
    },
    2011: {
        "budget": 6_500_000,
        "max": 900_000,
        "window": (date(2011, 6, 15), date(2011, 8, 31)),
        "meeting": date(2011, 9, 20),
        "council": date(2011, 10, 17),
        "start": date(2011, 11, 1),
        "end": date(2012, 9, 30),
        "proposals": [
            D("Domažlice", "Rozšíření městského kamerového dohledového systému", "completed", 880_000),
            D("Stříbro", "Kamerový systém Stříbro – 2. etapa", "completed", 850_000),
            D("Tachov", "Asistent prevence kriminality", "completed", 820_000),
            D("Sušice", "Bezpečně doma – prevence pro seniory", "completed", 760_000),
            D("Rokycany", "Bezpečná cesta do školy", "completed", 700_000),
            D("Přeštice", "Kamerový bod na náměstí", "completed", 610_000),
            D("Železná Ruda", "Přeshraniční hlídky v turistické sezóně", "completed", 520_000),
            D("Kralovice", "Měření rychlosti v obcích mikroregionu", "completed", 430_000),
            D("Blovice", "Osvětlení rizikových míst", "completed", 380_000),
            D("Nepomuk", "Dopravní hřiště pro děti", "completed", 250_000),
            D("Horažďovice", "Sportem proti kriminalitě", "completed", 200_000),
            D("Horní Bříza", "Rekonstrukce služebny obecní policie", "rejected_nr", 650_000),
            D("Planá", "Mobilní kamerový systém", "rejected_nr", 540_000),
        ],
    },
    2012: {
        "budget": 11_500_000,
        "max": 900_000,
        "window": (date(2012, 2, 1), date(2012, 3, 31)),
        "meeting": date(2012, 4, 18),
        "council": date(2012, 5, 14),
        "start": date(2012, 6, 1),
        "end": date(2013, 5, 31),
        "proposals": [
            D("Domažlice", "Pult centralizované ochrany pro školy", "completed", 850_000),
            D("Sušice", "Kamerový systém Sušice – 2. etapa", "completed", 820_000),
            D("Stříbro", "Kamerový systém Stříbro – 3. etapa", "completed", 800_000),
            D("Železná Ruda", "Projekt horské služby", "completed", 780_000),
            D("Tachov", "Osvětlení přechodů pro chodce", "completed", 760_000),
            D("Rokycany", "Kamerový systém na sídlišti", "completed", 720_000),
            D("Planá", "Kamerový dohled na náměstí", "completed", 680_000),
            D("Blovice", "Kamerový bod u nádraží", "completed", 640_000),
            D("Horažďovice", "Osvětlení parku a kamerový bod", "completed", 600_000),
            D("Merklín", "Bezpečná obec – osvětlení návsi", "completed", 560_000),
            D("Domažlice", "Cyklohlídky městské policie", "completed", 520_000),
            D("Přeštice", "Informační tabule rychlosti", "completed", 500_000),
            D("Horní Bříza", "Měřič rychlosti na průtahu obcí", "completed", 460_000),
            D("Kralovice", "Senioři v bezpečí", "completed", 420_000),
            D("Nepomuk", "Bezpečně do školy – přechody", "completed", 380_000),
            D("Tachov", "Prevence drogové závislosti na školách", "completed", 340_000),
            D("Stod", "Volnočasový klub pro mládež", "completed", 300_000),
            D("Železná Ruda", "Bezpečný přechod hranice – informační kampaň", "completed", 280_000),
            D("Sušice", "Bezpečná Šumava – první pomoc pro turisty", "completed", 260_000),
            D("Horní Bříza", "Prevence na základní škole", "completed", 240_000),
            D("Merklín", "Preventivní program pro seniory", "completed", 190_000),
            D("Rokycany", "Nákup služebního vozidla městské policie", "rejected_nr", 850_000),
            D("Přeštice", "Rekonstrukce dětského hřiště", "rejected_nr", 600_000),
            D("Kralovice", "Kamerový systém – 2. etapa", "rejected_r", 350_000),
        ],
    },
}
# The open rolling call of the current year: a proposal in every state of the workflow.
CALL_2026 = {
    "budget": 3_000_000,
    "max": 500_000,
    "window": (date(2026, 2, 1), date(2026, 12, 15)),
    "rounds": [
        # (meeting, council or None, start, end, proposals)
        (date(2026, 4, 22), date(2026, 5, 18), date(2026, 6, 1)),
        (date(2026, 9, 23), date(2026, 10, 19), None),
        (date(2026, 11, 10), None, None),
    ],
    "proposals": [
        D(
            "Stod",
            "Bezpečný přechod u základní školy",
            "completed",
            250_000,
            extra={"round": 0, "end": date(2026, 8, 31)},
        ),
        D(
            "Horažďovice",
            "Senior taxi a bezpečnostní kurzy",
            "completed",
            180_000,
            "final_report",
            {"round": 0, "end": date(2026, 9, 30)},
        ),
        D(
            "Nepomuk",
            "Kamerový bod u autobusového nádraží",
            "completed",
            420_000,
            "in_progress",
            {"round": 0, "end": date(2026, 12, 31)},
        ),
        D("Merklín", "Oprava místních komunikací", "rejected_nr", 480_000, "rejected", {"round": 0}),
        D("Kralovice", "Osvětlení cyklostezky", "completed", 350_000, "approved", {"round": 1}),
        D(
            "Přeštice",
            "Asistent prevence kriminality na sídlišti",
            "completed",
            300_000,
            "recommended",
            {"round": 2},
        ),
        D("Blovice", "Zpomalovací prahy v centru", "rejected_nr", 260_000, "not_recommended", {"round": 2}),
        D(
            "Sušice",
            "Kyberbezpečnost pro rodiče",
            "completed",
            150_000,
            "in_review",
            {"reviews": 2, "thread": True},
        ),
        D(
            "Tachov",
            "Streetwork pro mládež",
            "completed",
            400_000,
            "in_review",
            {"reviews": 1, "conflict": True},
        ),
        D("Horní Bříza", "Měřič rychlosti u školy", "completed", 220_000, "in_review", {"reviews": 0}),
        D("Rokycany", "Osvětlení podchodu u nádraží", "completed", 330_000, "submitted", {"returned": True}),
        D("Planá", "Mobilní kamerový systém", "completed", 280_000, "withdrawn"),
        D("Domažlice", "Bezpečná cesta do školy – chodníky a přechody", "completed", 450_000, "draft"),
    ],
}
TOTAL_BUDGET = Decimal("24000000")

COMMISSION = [
    ("commission@demo.okrsek.cz", None, None),  # the demo login (Alena Komisařová, no town)
    ("komise.kriz@demo.okrsek.cz", "Pavel Kříž", None),
    ("komise.domazlice@demo.okrsek.cz", "Jana Benešová", "Domažlice"),  # from an applicant town
]


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def load(created: list[str]) -> None:
    programme = Programme.objects.filter(slug=SLUG).first()
    if programme is None:
        programme = _programme(created)
    if not Call.objects.filter(programme=programme).exists():
        _calls(programme, created)


def _programme(created: list[str]) -> Programme:
    programme, _created = services.programme_upsert(
        slug=SLUG,
        name="Plzeňský kraj – bezpečný kraj",
        region="Plzeňský kraj",
        partners="Plzeňský kraj; Krajské ředitelství policie Plzeňského kraje",
        description=(
            "Preventivní projekt kraje a krajské policie: území zapojených měst je rozděleno na bezpečnostní "
            "okrsky s osobní odpovědností, Bezpečnostní komise doporučuje dílčí projekty, které vycházejí z "
            "místních potřeb a přesahují místní možnosti, a o jejich podpoře rozhodují orgány kraje."
        ),
        declared_on=date(2010, 1, 28),
        total_budget=TOTAL_BUDGET,
        currency="CZK",
    )
    for name, okres, joined_on in PROGRAMME_MEMBERS:
        municipality = Municipality.objects.get(country=Country.CZ, name=name, district_name=okres)
        services.membership_join(programme=programme, municipality=municipality, joined_on=joined_on)
    for order, (slug, name, summary, group, period, funding) in enumerate(REGIONAL_PROJECTS):
        services.regional_project_upsert(
            programme=programme,
            slug=slug,
            name=name,
            summary=summary,
            target_group=group,
            period=period,
            funding=funding,
            order=order,
        )
    created.append(
        f"programme with {len(PROGRAMME_MEMBERS)} member towns"
        f" and {len(REGIONAL_PROJECTS)} region-wide projects"
    )
    return programme


def _commission() -> list:
    members = []
    for email, full_name, town in COMMISSION:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email)
            user.set_unusable_password()  # reviewers of the demo's history; they do not log in
            user.save()
            municipality = None
            if town:
                municipality = Municipality.objects.get(country=Country.CZ, name=town, district_name=town)
            Profile.objects.create(user=user, full_name=full_name, language="cs", municipality=municipality)
            user_set_roles(user=user, roles=[roles.COMMISSION_MEMBER], notify=False)
        members.append(user)
    return members


def _text(town: str, title: str, year: int) -> dict:
    return {
        "local_need": (
            f"{town} řeší opakované problémy, na které projekt „{title}“ odpovídá. Potřebu potvrzují "
            "okrskáři Policie ČR, městská policie i podněty občanů; vlastní prostředky obce nestačí."
        ),
        "goals": "Snížit počet přestupků a trestných činů v dotčeném místě; zvýšit pocit bezpečí obyvatel.",
        "activities": (
            "Příprava a výběr dodavatele; realizace; informování veřejnosti; "
            "vyhodnocení s policií po půl roce."
        ),
        "timetable": "Příprava a výběrové řízení do 3 měsíců od rozhodnutí, "
        f"realizace v roce {year}–{year + 1}.",
    }


ITEMS = {
    "Technické vybavení": "Dodávka a instalace zařízení",
    "Stavební úpravy": "Stavební práce",
    "Preventivní a vzdělávací programy": "Lektoři a materiály",
    "Informační kampaně": "Letáky, tabule a web",
    "Osobní náklady": "Mzda asistenta prevence kriminality",
}


def _lines(costs: list, amount: int, rng: random.Random) -> tuple[list[dict], Decimal]:
    """2–3 budget lines of different cost types whose requested part (total minus the town's share) is
    exactly ``amount``."""
    chosen = rng.sample(costs, rng.randint(2, 3))
    shares = [rng.randint(2, 6) for _ in chosen]
    parts = [amount * share // sum(shares) // 1000 * 1000 for share in shares]
    parts[0] += amount - sum(parts)
    lines = []
    for cost, part in zip(chosen, parts, strict=True):
        cofinancing = (part * rng.choice([12, 15, 20, 25]) // 100) // 1000 * 1000 + 1000
        lines.append(
            {
                "eligible_cost": cost,
                "item": ITEMS.get(cost.name, cost.name),
                "amount": Decimal(part + cofinancing),
                "cofinancing": Decimal(cofinancing),
            }
        )
    return lines, Decimal(amount)


def _create_call(programme: Programme, year: int, spec: dict, admin) -> Call:
    opens, closes = spec["window"]
    return services.call_save(
        programme=programme,
        actor=admin,
        fields={
            "year": year,
            "title": f"Dílčí bezpečnostní projekty {year}" + (" (průběžná výzva)" if year == 2026 else ""),
            "description": "Podpora dílčích bezpečnostních projektů zapojených měst a obcí, které vycházejí "
            "z místních potřeb a přesahují místní možnosti.",
            "budget": Decimal(spec["budget"]),
            "opens_at": _at(opens, 8),
            "closes_at": _at(closes, 23),
            "max_per_proposal": Decimal(spec["max"]),
            "min_cofinancing_percent": Decimal("10"),
            "eligibility_notes": "Nezpůsobilé: provozní náklady obce, nákup vozidel, opravy komunikací.",
        },
        criteria=[{"name": n, "description": d, "weight": w} for n, d, w in CRITERIA],
        eligible_costs=[{"name": n, "description": d} for n, d in COSTS],
    )


# --- the history, written in bulk ------------------------------------------------------------------------
# Walking 54 proposals through the services takes tens of seconds; the history is written directly instead,
# along the workflow's own transitions (``_path`` checks each step against workflow.TRANSITIONS), with the
# scores computed by the services' weighted average. Tests check the totals against the budgets.


def _path(spec: DemoProposal) -> list[str]:
    """The workflow actions that take ``spec`` from a draft to its final state."""
    state = spec.final_state
    if state == "draft":
        return []
    start = ["submit", "return_for_changes", "submit"] if spec.extra.get("returned") else ["submit"]
    if state == "withdrawn":
        return [*start, "withdraw"]
    full = [
        *start,
        "start_review",
        "not_recommend" if spec.outcome == "rejected_nr" else "recommend",
        "approve" if spec.outcome == "completed" else "reject",
    ]
    if spec.outcome == "completed":
        full += ["start", "submit_final_report", "complete"]
    status = Status.DRAFT
    for index, action in enumerate(full):
        transition = TRANSITIONS[action]
        assert status in transition.sources, (spec.title, action, status)
        status = transition.target
        if status == state and index >= len(start) - 1:
            return full[: index + 1]
    raise ValueError(f"{spec.title}: no path to {state}")


@dataclass
class Schedule:
    submit: date
    review: date | None = None
    meeting: date | None = None
    council: date | None = None
    start: date | None = None
    end: date | None = None

    def day_of(self, action: str, spec: DemoProposal) -> date:
        return {
            "submit": self.submit,
            "return_for_changes": self.submit + timedelta(days=3),
            "withdraw": self.submit + timedelta(days=5),
            "start_review": self.review,
            "recommend": self.meeting,
            "not_recommend": self.meeting,
            "approve": self.council,
            "reject": self.council,
            "start": self.start,
            "submit_final_report": (self.end or self.submit) + timedelta(days=20),
            "complete": (self.end or self.submit) + timedelta(days=35),
        }[action]


class _Writer:
    """Collects the rows of the history and writes them with a few bulk inserts."""

    def __init__(self, *, admin, reviewers, towns, rng):
        self.admin, self.reviewers, self.towns, self.rng = admin, reviewers, towns, rng
        self.joined = {name: joined for name, _okres, joined in PROGRAMME_MEMBERS}
        self.content_type = ContentType.objects.get_for_model(Proposal)
        self.resolution = 2790

    def proposals(self, call: Call, entries: list[tuple[DemoProposal, Schedule]]) -> list[Proposal]:
        criteria = list(call.criteria.all())
        costs = list(call.eligible_costs.all())
        built = []
        for spec, schedule in entries:
            assert self.joined[spec.town] <= schedule.submit, (spec.title, "not a member yet")
            path = _path(spec)
            lines, requested = _lines(costs, spec.amount, self.rng)
            start = schedule.start or (schedule.submit + timedelta(days=60))
            end = spec.extra.get("end") or schedule.end or start + timedelta(days=300)
            proposal = Proposal(
                call=call,
                municipality=self.towns[spec.town],
                title=spec.title,
                **_text(spec.town, spec.title, call.year),
                starts_on=min(start, end),
                ends_on=end,
                requested_amount=requested,
                cite_reports=call.year == 2026,
                evidence=services.report_evidence(
                    municipality=self.towns[spec.town], now=_at(schedule.submit)
                )
                if call.year == 2026
                else {},
                status=TRANSITIONS[path[-1]].target if path else Status.DRAFT,
                version=len(path) + 1,
                created_by=self.admin,
                created_at=_at(schedule.submit - timedelta(days=12)),
            )
            stamps = {action: _at(schedule.day_of(action, spec), 11) for action in path}
            proposal.updated_at = max(stamps.values(), default=proposal.created_at)
            proposal.submitted_at = stamps.get("submit")
            proposal.decided_at = stamps.get("approve") or stamps.get("reject")
            proposal.started_at = stamps.get("start")
            proposal.completed_at = stamps.get("complete")
            if proposal.started_at:
                proposal.final_report_due_on = max(end, schedule.start) + timedelta(
                    days=services.FINAL_REPORT_DAYS
                )
                proposal.final_report_reminded = proposal.status != Status.IN_PROGRESS
                proposal.final_report_overdue_notified = proposal.status != Status.IN_PROGRESS
            proposal.full_clean(exclude=["call", "municipality", "created_by"])
            built.append((proposal, spec, schedule, path, stamps, lines, criteria))
        Proposal.objects.bulk_create([row[0] for row in built])
        self._rows(built)
        return [row[0] for row in built]

    def _rows(self, built) -> None:
        lines, assignments, reviews, scores, logs, decisions, reports, messages = (
            [],
            [],
            [],
            [],
            [],
            [],
            [],
            [],
        )
        for proposal, spec, schedule, path, stamps, proposal_lines, criteria in built:
            for order, line in enumerate(proposal_lines):
                lines.append(BudgetLine(proposal=proposal, order=order, **line))
            status = Status.DRAFT
            for action in path:
                transition = TRANSITIONS[action]
                note = ""
                if action == "return_for_changes":
                    note = "Doplňte prosím rozpočet o spolufinancování obce a harmonogram po měsících."
                if action in ("approve", "reject"):
                    self.resolution += 1
                    decision = Decision(
                        proposal=proposal,
                        outcome="approved" if action == "approve" else "rejected",
                        approved_amount=Decimal(spec.amount) if action == "approve" else Decimal(0),
                        resolution_number=f"{self.resolution}/{schedule.council:%y}",
                        resolved_on=schedule.council,
                        recorded_by=self.admin,
                        recorded_at=stamps[action],
                    )
                    decisions.append(decision)
                    note = f"{decision.resolution_number} ({schedule.council.isoformat()})"
                logs.append(
                    ActivityLog(
                        actor=self.admin,
                        verb=f"proposal.{action}",
                        target_type=self.content_type,
                        target_id=str(proposal.pk),
                        data={"from_status": status, "to_status": transition.target, "note": note},
                        at=stamps[action],
                    )
                )
                status = transition.target
            if "start_review" in path:
                count = spec.extra.get("reviews", 2)
                eligible = [
                    r for r in self.reviewers if r.profile.municipality_id != proposal.municipality_id
                ]
                members = sorted(self.rng.sample(eligible, 2), key=lambda user: user.email)
                review_scores = []
                for index, member in enumerate(members):
                    reviewed = index < count
                    conflict = spec.extra.get("conflict") and not reviewed
                    assignment = Assignment(
                        proposal=proposal,
                        member=member,
                        assigned_by=self.admin,
                        assigned_at=_at(schedule.review, 9),
                        conflict=Assignment.Conflict.CONFLICT
                        if conflict
                        else Assignment.Conflict.NONE
                        if reviewed
                        else Assignment.Conflict.UNDECLARED,
                        conflict_note="Jsem členem zastupitelstva obce." if conflict else "",
                        declared_at=_at(schedule.review, 12) if reviewed or conflict else None,
                    )
                    assignments.append(assignment)
                    if reviewed:
                        values = self._scores(criteria, good=spec.outcome != "rejected_nr")
                        review = Review(
                            assignment=assignment,
                            recommendation="yes"
                            if spec.outcome != "rejected_nr"
                            else self.rng.choice(["no", "maybe"]),
                            comment="Projekt odpovídá cílům programu; rozpočet je přiměřený."
                            if spec.outcome != "rejected_nr"
                            else "Náklady nejsou způsobilé nebo potřeba není doložena.",
                            score=services.weighted_average((c.weight, values[c.pk]) for c in criteria),
                            submitted_at=_at(schedule.review + timedelta(days=3), 15),
                            updated_at=_at(schedule.review + timedelta(days=3), 15),
                        )
                        reviews.append(review)
                        review_scores.append(review.score)
                        scores += [Score(review=review, criterion=c, value=values[c.pk]) for c in criteria]
                counted = [score for score in review_scores if score is not None]
                proposal.review_count = len(review_scores)
                proposal.score = (sum(counted) / len(counted)).quantize(Decimal("0.01")) if counted else None
            if "complete" in path or "submit_final_report" in path:
                spent = Decimal(spec.amount) - Decimal(self.rng.choice([0, 0, 0, 5000, 12000]))
                reports.append(
                    FinalReport(
                        proposal=proposal,
                        summary=f"Projekt „{spec.title}“ byl dokončen podle harmonogramu; "
                        "vybavení je v provozu "
                        "a městská policie i Policie ČR je využívají.",
                        results="Podle okrskáře ubylo v dotčeném místě přestupků; občané oceňují vyšší pocit "
                        "bezpečí.",
                        spent_amount=spent,
                        cofinancing_spent=Decimal(spec.amount) // 8,
                        submitted_by=self.admin,
                        submitted_at=stamps["submit_final_report"],
                    )
                )
            if spec.extra.get("thread"):
                day = _at(schedule.review + timedelta(days=1), 9)
                messages += [
                    Message(
                        proposal=proposal,
                        author=User.objects.filter(email="manager@demo.okrsek.cz").first(),
                        from_manager=True,
                        body="Kolik rodičů a škol plánujete kurzy oslovit a kdo je povede?",
                        created_at=day,
                    ),
                    Message(
                        proposal=proposal,
                        from_manager=False,
                        body="Oslovíme všechny tři základní školy ve městě, asi 600 rodičů; "
                        "kurzy povedou lektoři "
                        "projektu eBezpečnost a preventista Policie ČR.",
                        created_at=day + timedelta(hours=26),
                    ),
                ]
        BudgetLine.objects.bulk_create(lines)
        Assignment.objects.bulk_create(assignments)
        for review in reviews:
            review.assignment_id = review.assignment.pk
        Review.objects.bulk_create(reviews)
        for score in scores:
            score.review_id = score.review.pk
        Score.objects.bulk_create(scores)
        Decision.objects.bulk_create(decisions)
        FinalReport.objects.bulk_create(reports)
        Message.objects.bulk_create(messages)
        ActivityLog.objects.bulk_create(logs)
        Proposal.objects.bulk_update([row[0] for row in built], ["score", "review_count"])

    def _scores(self, criteria, *, good: bool) -> dict:
        low, high = (3, 5) if good else (1, 3)
        return {
            c.pk: None if index and self.rng.random() < 0.08 else self.rng.randint(low, high)
            for index, c in enumerate(criteria)
        }

    def meeting(self, call: Call, proposals: list[Proposal], specs: list[DemoProposal], day: date) -> None:
        meeting = Meeting.objects.create(
            call=call,
            held_on=day,
            place="Krajský úřad Plzeňského kraje, Škroupova 18, Plzeň",
            attendees="členové Bezpečnostní komise Plzeňského kraje",
            created_at=_at(day - timedelta(days=7)),
            closed_at=_at(day, 16),
            closed_by=self.admin,
        )
        ranked = sorted(
            zip(proposals, specs, strict=True), key=lambda pair: (-(pair[0].score or 0), pair[0].pk)
        )
        MeetingItem.objects.bulk_create(
            [
                MeetingItem(
                    meeting=meeting,
                    proposal=proposal,
                    rank=rank,
                    score=proposal.score,
                    review_count=proposal.review_count,
                    recommend=spec.outcome != "rejected_nr",
                    proposed_amount=proposal.requested_amount if spec.outcome != "rejected_nr" else None,
                    note="" if spec.outcome != "rejected_nr" else "Nedoporučeno: nízké hodnocení.",
                )
                for rank, (proposal, spec) in enumerate(ranked, start=1)
            ]
        )


def _calls(programme: Programme, created: list[str]) -> None:
    admin = User.objects.get(email="admin@demo.okrsek.cz")
    towns = {
        name: Municipality.objects.get(country=Country.CZ, name=name, district_name=okres)
        for name, okres, _joined in PROGRAMME_MEMBERS
    }
    writer = _Writer(admin=admin, reviewers=_commission(), towns=towns, rng=random.Random(2010))
    counts = {}
    for year, spec in CALLS.items():
        call = _create_call(programme, year, spec, admin)
        opens, closes = spec["window"]
        entries = []
        for index, proposal_spec in enumerate(spec["proposals"]):
            joined = writer.joined[proposal_spec.town]
            day = min(max(opens, joined) + timedelta(days=3 + index * 2), closes - timedelta(days=1))
            schedule = Schedule(
                submit=day,
                review=closes + timedelta(days=2),
                meeting=spec["meeting"],
                council=spec["council"],
                start=spec["start"],
                end=spec["end"],
            )
            entries.append((proposal_spec, schedule))
        proposals = writer.proposals(call, entries)
        writer.meeting(call, proposals, spec["proposals"], spec["meeting"])
        counts[year] = sum(1 for s in spec["proposals"] if s.outcome == "completed")
    _call_2026(programme, writer)
    created.append(
        "calls "
        + ", ".join(f"{year} ({n} supported)" for year, n in counts.items())
        + f" and 2026 (open) with {len(CALL_2026['proposals'])} proposals in every state"
    )


def _call_2026(programme: Programme, writer: _Writer) -> None:
    """The rolling call: three commission rounds so far, then what is still open."""
    spec = CALL_2026
    call = _create_call(programme, 2026, spec, writer.admin)
    opens = spec["window"][0]
    entries = []
    for index, proposal_spec in enumerate(spec["proposals"]):
        round_index = proposal_spec.extra.get("round")
        if round_index is not None:
            meeting_day, council_day, start_day = spec["rounds"][round_index]
            day = max(meeting_day - timedelta(days=40 - index), opens + timedelta(days=3))
            schedule = Schedule(
                submit=day,
                review=day + timedelta(days=5),
                meeting=meeting_day,
                council=council_day,
                start=start_day,
                end=proposal_spec.extra.get("end"),
            )
        else:
            day = date(2026, 10, 20) + timedelta(days=index * 2)
            schedule = Schedule(submit=day, review=day + timedelta(days=3))
        entries.append((proposal_spec, schedule))
    proposals = writer.proposals(call, entries)
    for round_index, (meeting_day, _council, _start) in enumerate(spec["rounds"]):
        members = [
            (proposal, proposal_spec)
            for proposal, (proposal_spec, _schedule) in zip(proposals, entries, strict=True)
            if proposal_spec.extra.get("round") == round_index
        ]
        writer.meeting(call, [p for p, _s in members], [s for _p, s in members], meeting_day)
