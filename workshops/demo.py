"""Demo data of the workshops app, loaded by ``manage.py seed_demo``. Idempotent: each part is added only when
it is missing, so a second run adds nothing.

- the bilateral initiative with Norway and its four workshops (seed 001, held 2020–2021): participants who
  attended, the Norwegian delegates on the partner-country seats, the demo town's nomination, accepted
  presentations, good practice and recommendations — enough for a publication;
- the national PDP4 activity with two upcoming workshops (dates relative to the day of loading): the first one
  full with a waitlist, the second open, presentation offers in every state, an open nomination period.

Everything is made through the services, by the demo accounts and at the times it would have happened (the
organiser registers the participants and checks them in, the reminder sweep runs 3 days before each past
workshop), so the demo is only ever in states that people can reach.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from portal.models import Country
from portal.permissions import user_profile

from . import services
from .models import GoodPractice, Initiative, Nomination, OrganisationType, PresentationOffer, Registration

# Seed 001: the four workshops of the bilateral initiative with Norway.
BI_WORKSHOPS = [
    (
        1,
        "Místní záležitosti veřejného pořádku",
        "Local public order matters",
        "Lokale spørsmål om offentlig ro og orden",
        date(2020, 11, 6),
    ),
    (
        2,
        "Systémové sdílení informací a spolupráce mezi relevantními aktéry",
        "Systematic information sharing and cooperation between the actors concerned",
        "Systematisk informasjonsdeling og samarbeid mellom relevante aktører",
        date(2021, 2, 19),
    ),
    (
        3,
        "Problematika spojená s migrací cizinců",
        "Issues related to the migration of foreigners",
        "Utfordringer knyttet til migrasjon",
        date(2021, 4, 30),
    ),
    (
        4,
        "Děti, mladiství a zvlášť zranitelné osoby",
        "Children, young people and particularly vulnerable persons",
        "Barn, unge og særlig sårbare personer",
        date(2021, 6, 25),
    ),
]
BI_VENUES = [
    "Praha, Ministerstvo vnitra, Nad Štolou 3",
    "Plzeň, krajský úřad",
    "Brno, Magistrát",
    "Praha, SMO ČR",
]
BI_FOREWORD = (
    "Bilaterální iniciativa „Sdílení dobré praxe v oblasti spolupráce státní policie s orgány místní "
    "samosprávy“ propojila zástupce měst a obcí, obecních a městských policií a Policie ČR s norskými "
    "partnery. Na čtyřech tematických workshopech jsme sdíleli zkušenosti, pojmenovali typické problémy a "
    "hledali, co funguje.\n\n"
    "Tato publikace shrnuje příklady dobré praxe a doporučení, která z workshopů vzešla. Je určena obcím, "
    "obecním policiím, Policii ČR i ústředním orgánům státní správy a nabízí se k volnému využití."
)
BI_FOREWORD_EN = (
    "The bilateral initiative “Sharing good practice in cooperation between the state police and local "
    "government” brought together towns, municipal police and the Police of the Czech Republic with their "
    "Norwegian partners. Four themed workshops shared experience, named the typical problems and looked for "
    "what works.\n\n"
    "This publication sums up the good practice and the recommendations of the workshops, for towns, "
    "municipal police, the state police and the ministries to use freely."
)

FIRST_NAMES = [
    "Jana",
    "Petr",
    "Lucie",
    "Martin",
    "Eva",
    "Tomáš",
    "Kateřina",
    "Jiří",
    "Markéta",
    "Pavel",
    "Zuzana",
    "Ondřej",
    "Lenka",
    "Michal",
    "Veronika",
    "David",
    "Hana",
    "Jakub",
    "Alena",
    "Radek",
]
LAST_NAMES = [
    ("Nováková", "Novák"),
    ("Svobodová", "Svoboda"),
    ("Dvořáková", "Dvořák"),
    ("Černá", "Černý"),
    ("Procházková", "Procházka"),
    ("Kučerová", "Kučera"),
    ("Veselá", "Veselý"),
    ("Horáková", "Horák"),
    ("Němcová", "Němec"),
    ("Marková", "Marek"),
    ("Pokorná", "Pokorný"),
    ("Růžičková", "Růžička"),
    ("Benešová", "Beneš"),
    ("Fialová", "Fiala"),
    ("Šťastná", "Šťastný"),
    ("Křížová", "Kříž"),
]
FEMALE_FIRST = {"Jana", "Lucie", "Eva", "Kateřina", "Markéta", "Zuzana", "Lenka", "Veronika", "Hana", "Alena"}
ORGANISATIONS = [
    ("Městský úřad Domažlice", OrganisationType.TOWN, "odbor vnitřních věcí"),
    ("Městský úřad Klatovy", OrganisationType.TOWN, "tajemník"),
    ("Magistrát města Plzně", OrganisationType.TOWN, "manažer prevence kriminality"),
    ("Městský úřad Rokycany", OrganisationType.TOWN, "místostarosta"),
    ("Městský úřad Sušice", OrganisationType.TOWN, "starosta"),
    ("Městská policie Domažlice", OrganisationType.MUNICIPAL_POLICE, "velitel"),
    ("Městská policie Plzeň", OrganisationType.MUNICIPAL_POLICE, "zástupce ředitele"),
    ("Městská policie Klatovy", OrganisationType.MUNICIPAL_POLICE, "strážník-okrskář"),
    ("Obvodní oddělení Domažlice", OrganisationType.STATE_POLICE, "vedoucí oddělení"),
    ("KŘP Plzeňského kraje", OrganisationType.STATE_POLICE, "preventista"),
    ("Obvodní oddělení Klatovy", OrganisationType.STATE_POLICE, "okrskář"),
    ("Ministerstvo vnitra – odbor bezpečnostní politiky", OrganisationType.MINISTRY, "referent"),
    ("Svaz měst a obcí ČR", OrganisationType.OTHER, "projektová manažerka"),
]
NORWEGIANS = [
    ("Ingrid Haugen", "Oslo politidistrikt", "politioverbetjent"),
    ("Lars Johansen", "KS – Kommunesektorens organisasjon", "seniorrådgiver"),
    ("Kari Nordmann", "Sør-Vest politidistrikt", "forebyggende leder"),
    ("Ola Berg", "Bergen kommune", "SLT-koordinator"),
]

GOOD_PRACTICE = {
    1: [
        (
            "Společné hlídky městské policie a Policie ČR v centru města",
            "Joint patrols of the municipal and the state police in the town centre",
            "Plzeň",
            "Městská policie a obvodní oddělení plánují o víkendových nocích společné hlídky "
            "podle mapy hlášení "
            "z předchozího měsíce. Hlídky mají společnou vysílačku a jednoho velitele směny. Počet oznámení "
            "rušení nočního klidu v centru klesl během roku o třetinu.",
            "Městská policie Plzeň, prevence@mpplzen.example",
        ),
        (
            "Měsíční koordinační porada okrskáře a starosty",
            "A monthly meeting of the community officer and the mayor",
            "Domažlice",
            "Okrskář, velitel městské policie a starosta se schází první pondělí v měsíci. Projdou hlášení, "
            "dohodnou priority na další měsíc a zápis zveřejní ve zpravodaji. "
            "Občané vědí, na koho se obrátit.",
            "Městský úřad Domažlice",
        ),
    ],
    2: [
        (
            "Sdílená mapa problémových míst",
            "A shared map of problem places",
            "Klatovy",
            "Město, městská policie a obvodní oddělení vedou jednu mapu míst, kde se opakují problémy. Každý "
            "partner do ní zapisuje svá zjištění; mapa slouží k plánování hlídek i oprav osvětlení.",
            "Městská policie Klatovy",
        ),
        (
            "Koordinační dohoda obce s Policií ČR s ročním vyhodnocením",
            "A cooperation agreement with the police, reviewed every year",
            "Rokycany",
            "Dohoda stanoví kontaktní osoby, výměnu informací a společné akce. Každý leden ji strany "
            "vyhodnotí podle statistik a připomínek občanů a upraví priority.",
            "Městský úřad Rokycany",
        ),
    ],
    3: [
        (
            "Interkulturní pracovník při městské policii",
            "An intercultural worker with the municipal police",
            "Plzeň",
            "Interkulturní pracovník doprovází strážníky při řešení situací s cizinci, vysvětluje místní "
            "pravidla a pomáhá s tlumočením. Ubylo konfliktů v ubytovnách a zlepšila se důvěra komunit.",
            "Magistrát města Plzně, odbor sociálních služeb",
        ),
    ],
    4: [
        (
            "Preventivní program „Bezpečná cesta do školy“",
            "The “Safe way to school” prevention programme",
            "Sušice",
            "Strážníci a okrskář navštěvují první stupně základních škol, s dětmi projdou cestu do školy a "
            "označí nebezpečná místa. Rodiče dostanou mapu s doporučenými trasami.",
            "Městská policie Sušice",
        ),
        (
            "Kontaktní místo pro oběti domácího násilí",
            "A contact point for victims of domestic violence",
            "Domažlice",
            "Město poskytuje prostory, policie a intervenční centrum se střídají ve službě. Oběti najdou "
            "pomoc na jednom místě a bez zbytečného opakování své výpovědi.",
            "Intervenční centrum Plzeň",
        ),
    ],
}
RECOMMENDATIONS = {
    1: [
        (
            "towns",
            1,
            "Uzavřít s Policií ČR koordinační dohodu a každoročně ji vyhodnotit.",
            "Sign a cooperation agreement with the state police and review it every year.",
        ),
        (
            "state_police",
            1,
            "Určit pro každou obec okrskáře jako stálou kontaktní osobu a zveřejnit jeho kontakt.",
            "Name a community officer as the permanent contact for every town and publish the contact.",
        ),
        (
            "municipal_police",
            2,
            "Sdílet plán výkonu služby s obvodním oddělením alespoň týden předem.",
            "Share the duty plan with the police station at least a week ahead.",
        ),
        (
            "ministry",
            2,
            "Vydat vzorovou koordinační dohodu s komentářem a příklady z praxe.",
            "Publish a model cooperation agreement with commentary and examples.",
        ),
    ],
    2: [
        (
            "towns",
            2,
            "Vést s policií společný přehled problémových míst a pravidelně ho aktualizovat.",
            "Keep a shared overview of problem places with the police and update it regularly.",
        ),
        (
            "state_police",
            1,
            "Informovat obec o výsledcích řešení hlášení, která obec předala.",
            "Tell the town how the reports it passed on were resolved.",
        ),
        (
            "ministry",
            2,
            "Vyjasnit, které informace smí policie obcím předávat, a vydat k tomu metodiku.",
            "Clarify which information the police may share with towns, with guidance.",
        ),
    ],
    3: [
        (
            "towns",
            2,
            "Zapojit do prevence interkulturní pracovníky a zástupce komunit cizinců.",
            "Involve intercultural workers and representatives of foreign communities in prevention.",
        ),
        (
            "state_police",
            2,
            "Sdílet s obcemi aktuální informace o ubytovnách a pobytu cizinců v rozsahu zákona.",
            "Share current information on hostels and the stay of foreigners with towns, within the law.",
        ),
    ],
    4: [
        (
            "municipal_police",
            1,
            "Zavést pravidelné preventivní programy ve školách ve spolupráci s okrskářem.",
            "Run regular prevention programmes in schools together with the community officer.",
        ),
        (
            "towns",
            1,
            "Zřídit jedno kontaktní místo pro oběti domácího násilí a ohrožené děti.",
            "Set up one contact point for victims of domestic violence and children at risk.",
        ),
        (
            "ministry",
            3,
            "Podpořit výměnu zkušeností mezi obcemi formou pravidelných setkání.",
            "Support regular meetings where towns share experience.",
        ),
    ],
}


@dataclass(frozen=True)
class DemoOffer:
    initiative: str
    workshop: int
    title: str
    speaker: str
    organisation: str
    minutes: int
    decision: str = ""  # the organiser's step ("accept", "reject"), if any
    message: str = ""
    withdrawn: bool = False  # the author took it back


OFFERS = [
    DemoOffer(
        "bi-norway",
        1,
        "Společné hlídky v Plzni: rok zkušeností",
        "Pavel Fiala",
        "Městská policie Plzeň",
        25,
        "accept",
    ),
    DemoOffer("bi-norway", 1, "Nabolagspoliti i Oslo", "Ingrid Haugen", "Oslo politidistrikt", 30, "accept"),
    DemoOffer(
        "bi-norway",
        2,
        "Sdílená mapa problémových míst",
        "Lenka Marková",
        "Městská policie Klatovy",
        20,
        "accept",
    ),
    DemoOffer(
        "bi-norway",
        4,
        "SLT-modellen: samordning av lokale forebyggende tiltak",
        "Ola Berg",
        "Bergen kommune",
        30,
        "accept",
    ),
    DemoOffer("pdp4", 2, "Koordinační dohoda v Domažlicích", "Marie Úřednice", "Městský úřad Domažlice", 20),
    DemoOffer(
        "pdp4",
        2,
        "Okrskář jako kontaktní osoba obce",
        "Jiří Kříž",
        "KŘP Plzeňského kraje",
        25,
        "accept",
        "Děkujeme, zařadili jsme vás hned za úvodní blok.",
    ),
    DemoOffer(
        "pdp4",
        2,
        "Nový kamerový systém města",
        "Radek Beneš",
        "Městský úřad Sušice",
        45,
        "reject",
        "Téma patří spíše na workshop o technologiích; nabídněte ho prosím příště.",
    ),
    DemoOffer(
        "pdp4", 1, "Noční hlídky o víkendech", "David Horák", "Městská policie Klatovy", 15, withdrawn=True
    ),
]
# The town's nominations, made by the demo's municipal staff: (initiative, name, position, email)
NOMINATIONS = [
    ("bi-norway", "Marie Úřednice", "odbor vnitřních věcí", "uradnice@demo.okrsek.cz"),
    ("pdp4", "Lenka Marková", "tajemnice", "markova@demo.okrsek.cz"),
]
ASCII = str.maketrans("áčďéěíňóřšťúůýž", "acdeeinorstuuyz")


def _people(count: int, seed: int):
    """``count`` believable Czech participants: (name, email, organisation, type, position)."""
    for index in range(count):
        first = FIRST_NAMES[(index * 7 + seed) % len(FIRST_NAMES)]
        female, male = LAST_NAMES[(index * 5 + seed * 3) % len(LAST_NAMES)]
        last = female if first in FEMALE_FIRST else male
        organisation, kind, position = ORGANISATIONS[(index + seed) % len(ORGANISATIONS)]
        email = f"{first}.{last}.{seed}{index}@demo.okrsek.cz".lower()
        yield f"{first} {last}", email, organisation, kind, position


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


# --- initiatives and workshops --------------------------------------------------------------------------


def _initiative(
    created: list[str], summary: str, *, code: str, workshops: list[dict], **fields
) -> Initiative:
    """The initiative ``code`` with its workshops (numbered in order), made once."""
    initiative = Initiative.objects.filter(code=code).first()
    if initiative is None:
        initiative, _new = services.initiative_upsert(code=code, **fields)
        for number, workshop in enumerate(workshops, start=1):
            services.workshop_upsert(initiative=initiative, number=number, **workshop)
        created.append(summary)
    return initiative


def _themes(theme_cs: str, theme_en: str, theme_nb: str) -> dict:
    return {"theme_cs": theme_cs, "theme_en": theme_en, "theme_nb": theme_nb}


def _bi_norway(created: list[str]) -> Initiative:
    return _initiative(
        created,
        f"{len(BI_WORKSHOPS)} workshops",
        code="bi-norway",
        name_cs="Sdílení dobré praxe v oblasti spolupráce státní policie s orgány místní samosprávy",
        name_en="Sharing good practice in cooperation between the state police and local government",
        name_nb="Deling av god praksis i samarbeidet mellom statlig politi og lokale myndigheter",
        organiser="Odbor bezpečnostní politiky Ministerstva vnitra; SMO ČR; Policie ČR",
        partner_country=Country.NO,
        nomination_deadline=date(2020, 10, 2),
        description="Bilaterální iniciativa Programu Vnitřní věci Norských fondů 2014–2021.",
        foreword=BI_FOREWORD,
        foreword_en=BI_FOREWORD_EN,
        workshops=[
            {
                **_themes(*themes),
                "held_on": held_on,
                "start_time": time(9, 30),
                "end_time": time(15, 30),
                "venue": venue,
                "languages": "čeština, angličtina (tlumočeno)",
                "capacity": 35,
                "partner_seats": 2,
            }
            for (_number, *themes, held_on), venue in zip(BI_WORKSHOPS, BI_VENUES, strict=True)
        ],
    )


def _pdp4(created: list[str]) -> Initiative:
    """Dated from the day of loading: the first workshop in 10 days, the second in 40."""
    today = timezone.localdate()
    venues = ["Plzeň, Krajské ředitelství policie, Nádražní 2", "Klatovy, kulturní dům"]
    return _initiative(
        created,
        "PDP4 with 2 workshops",
        code="pdp4",
        name_cs="Klíčová aktivita PDP4: sdílení dobré praxe na národní úrovni",
        name_en="Key activity PDP4: sharing good practice nationally",
        name_nb="Nøkkelaktivitet PDP4: deling av god praksis nasjonalt",
        organiser="Policejní prezidium ČR",
        nomination_deadline=today + timedelta(days=7),
        description="Národní workshopy Programu Vnitřní věci Norských fondů 2014–2021 (ukázková data).",
        workshops=[
            {
                **_themes(*themes),
                "held_on": today + timedelta(days=days),
                "start_time": time(9, 0),
                "end_time": time(14, 0),
                "venue": venue,
                "languages": "čeština",
                "capacity": 35,
                "partner_seats": 0,
            }
            for (_number, *themes, _held_on), days, venue in zip(
                BI_WORKSHOPS[:2], (10, 40), venues, strict=True
            )
        ],
    )


# --- registrations --------------------------------------------------------------------------------------


def _register(workshop, organiser, since: datetime, *, general: int, partner: int, seed: int) -> list:
    """The organiser registers ``general`` Czech participants and ``partner`` Norwegian delegates, an hour
    apart from ``since``: confirmed while seats are free, then on the waitlist."""
    people = [
        (name, email, organisation, kind, position, "cs")
        for name, email, organisation, kind, position in _people(general, seed)
    ]
    for index in range(partner):
        name, organisation, position = NORWEGIANS[(index + seed) % len(NORWEGIANS)]
        email = name.lower().replace(" ", ".") + f".{seed}@demo.okrsek.no"
        people.append((name, email, organisation, OrganisationType.PARTNER_COUNTRY, position, "nb"))
    return [
        services.registration_create(
            workshop=workshop,
            actor=organiser,
            by_organiser=True,
            full_name=name,
            email=email.translate(ASCII),
            organisation=organisation,
            organisation_type=kind,
            position=position,
            language=language,
            consent=True,
            now=since + timedelta(hours=index),
        )
        for index, (name, email, organisation, kind, position, language) in enumerate(people)
    ]


def _registrations(created: list[str], bi: Initiative, pdp4: Initiative, organiser) -> None:
    if Registration.objects.filter(workshop__initiative__in=[bi, pdp4]).exists():
        return
    count = 0
    for workshop in bi.workshops.order_by("number"):
        held_on = workshop.held_on
        people = _register(
            workshop,
            organiser,
            _at(held_on - timedelta(days=30), 9),
            general=24 + workshop.number * 2,
            partner=2,
            seed=workshop.number,
        )
        services.reminders_send(now=_at(held_on - timedelta(days=3), 8))  # what the beat did then
        for registration in people:
            services.registration_check_in(registration=registration, actor=organiser, now=workshop.starts_at)
        count += len(people)
    first, second = pdp4.workshops.order_by("number")
    since = timezone.now() - timedelta(days=20)
    count += len(_register(first, organiser, since, general=38, partner=0, seed=7))  # 35 seats: 3 wait
    count += len(_register(second, organiser, since, general=12, partner=0, seed=8))
    created.append(f"{count} workshop registrations")


# --- nominations, offers, outputs -----------------------------------------------------------------------


def _nominations(created: list[str], staff) -> None:
    municipality = getattr(user_profile(staff), "municipality", None)
    if municipality is None or Nomination.objects.exists():
        return
    for code, name, position, email in NOMINATIONS:
        initiative = Initiative.objects.get(code=code)
        services.nomination_save(
            initiative=initiative,
            municipality=municipality,
            actor=staff,
            representative_name=name,
            position=position,
            email=email,
            phone="+420 379 000 000",
            now=min(
                _at(initiative.nomination_deadline - timedelta(days=5), 10),
                timezone.now() - timedelta(days=1),
            ),
        )
    created.append("workshop nominations")


def _offers(created: list[str], staff, organiser) -> None:
    if PresentationOffer.objects.exists():
        return
    now = timezone.now()
    for demo in OFFERS:
        workshop = Initiative.objects.get(code=demo.initiative).workshops.get(number=demo.workshop)
        author = staff if demo.initiative == "pdp4" else organiser
        # Offered three weeks before a past workshop, a few days ago for an upcoming one
        offered = min(_at(workshop.held_on - timedelta(days=21), 10), now - timedelta(days=5))
        offer = services.offer_submit(
            workshop=workshop,
            author=author,
            speaker_name=demo.speaker,
            speaker_organisation=demo.organisation,
            speaker_email=author.email,
            title=demo.title,
            abstract="Krátké představení praxe, co se osvědčilo, co ne, a co doporučujeme ostatním městům.",
            minutes=demo.minutes,
            now=offered,
        )
        if demo.decision:
            services.offer_transition(
                offer=offer,
                action=demo.decision,
                actor=organiser,
                message=demo.message,
                now=offered + timedelta(days=2),
            )
        if demo.withdrawn:
            services.offer_withdraw(offer=offer, actor=author, now=offered + timedelta(days=1))
    created.append(f"{len(OFFERS)} presentation offers")


def _outputs(created: list[str], bi: Initiative, organiser) -> None:
    if GoodPractice.objects.filter(workshop__initiative=bi).exists():
        return
    for workshop in bi.workshops.order_by("number"):
        for title, title_en, town, description, contact in GOOD_PRACTICE.get(workshop.number, []):
            services.good_practice_save(
                workshop=workshop,
                actor=organiser,
                title=title,
                title_en=title_en,
                town=town,
                description=description,
                contact=contact,
            )
        for addressee, priority, text, text_en in RECOMMENDATIONS.get(workshop.number, []):
            services.recommendation_save(
                workshop=workshop,
                actor=organiser,
                addressee=addressee,
                priority=priority,
                text=text,
                text_en=text_en,
            )
    created.append("good practice and recommendations")


def load(created: list[str]) -> None:
    bi, pdp4 = _bi_norway(created), _pdp4(created)
    users = get_user_model().objects.filter(email__in=["staff@demo.okrsek.cz", "organiser@demo.okrsek.cz"])
    people = {user.email: user for user in users}
    staff, organiser = people.get("staff@demo.okrsek.cz"), people.get("organiser@demo.okrsek.cz")
    if staff is None or organiser is None:
        return  # the shared demo (its accounts) was not loaded
    _registrations(created, bi, pdp4, organiser)
    _nominations(created, staff)
    _offers(created, staff, organiser)
    _outputs(created, bi, organiser)
