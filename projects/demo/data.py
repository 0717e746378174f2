"""The demo programme's facts (seed 002) and the demo's proposals: what ``projects.demo`` loads."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

SLUG = "plzensky-kraj-bezpecny-kraj"

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
# The 2026 proposals without a round are submitted from this day on, after the last commission round
OPEN_SINCE = date(2026, 11, 12)

COMMISSION = [
    ("commission@demo.okrsek.cz", None, None),  # the demo login (Alena Komisařová, no town)
    ("komise.kriz@demo.okrsek.cz", "Pavel Kříž", None),
    ("komise.domazlice@demo.okrsek.cz", "Jana Benešová", "Domažlice"),  # from an applicant town
]


def proposal_texts(town: str, title: str, year: int) -> dict:
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
