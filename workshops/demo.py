"""Demo data of the workshops app, loaded by ``manage.py seed_demo``. Idempotent: each part is added only when
it is missing, so a second run adds nothing.

- the bilateral initiative with Norway and its four workshops (seed 001, held 2020–2021): participants who
  attended, the Norwegian delegates on the partner-country seats, two nominated towns, accepted presentations,
  good practice and recommendations — enough for a publication;
- the national PDP4 activity with two upcoming workshops (dates relative to the day of loading): the first one
  full with a waitlist, the second open, presentation offers in every state, an open nomination period.

Registrations and offers are written directly (bulk), not through the services: demo people must not get
emails, and loading has to stay fast.
"""

import secrets
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from portal.models import Country, Municipality

from .models import (
    GoodPractice,
    Initiative,
    Nomination,
    OrganisationType,
    PresentationOffer,
    Recommendation,
    Registration,
    Workshop,
    registration_token,
    token_hash,
)
from .services import initiative_upsert, workshop_upsert
from .workflow import OfferStatus

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
OFFERS = [
    # (initiative code, workshop number, status, title, speaker, organisation, minutes, message)
    (
        "bi-norway",
        1,
        OfferStatus.ACCEPTED,
        "Společné hlídky v Plzni: rok zkušeností",
        "Pavel Fiala",
        "Městská policie Plzeň",
        25,
        "",
    ),
    (
        "bi-norway",
        1,
        OfferStatus.ACCEPTED,
        "Nabolagspoliti i Oslo",
        "Ingrid Haugen",
        "Oslo politidistrikt",
        30,
        "",
    ),
    (
        "bi-norway",
        2,
        OfferStatus.ACCEPTED,
        "Sdílená mapa problémových míst",
        "Lenka Marková",
        "Městská policie Klatovy",
        20,
        "",
    ),
    (
        "bi-norway",
        4,
        OfferStatus.ACCEPTED,
        "SLT-modellen: samordning av lokale forebyggende tiltak",
        "Ola Berg",
        "Bergen kommune",
        30,
        "",
    ),
    (
        "pdp4",
        2,
        OfferStatus.SUBMITTED,
        "Koordinační dohoda v Domažlicích",
        "Marie Úřednice",
        "Městský úřad Domažlice",
        20,
        "",
    ),
    (
        "pdp4",
        2,
        OfferStatus.ACCEPTED,
        "Okrskář jako kontaktní osoba obce",
        "Jiří Kříž",
        "KŘP Plzeňského kraje",
        25,
        "Děkujeme, zařadili jsme vás hned za úvodní blok.",
    ),
    (
        "pdp4",
        2,
        OfferStatus.REJECTED,
        "Nový kamerový systém města",
        "Radek Beneš",
        "Městský úřad Sušice",
        45,
        "Téma patří spíše na workshop o technologiích; nabídněte ho prosím příště.",
    ),
    (
        "pdp4",
        1,
        OfferStatus.WITHDRAWN,
        "Noční hlídky o víkendech",
        "David Horák",
        "Městská policie Klatovy",
        15,
        "",
    ),
]


def _people(count: int, seed: int):
    """``count`` believable Czech participants: (name, email, organisation, type, position)."""
    for index in range(count):
        first = FIRST_NAMES[(index * 7 + seed) % len(FIRST_NAMES)]
        female, male = LAST_NAMES[(index * 5 + seed * 3) % len(LAST_NAMES)]
        last = female if first in FEMALE_FIRST else male
        organisation, kind, position = ORGANISATIONS[(index + seed) % len(ORGANISATIONS)]
        email = f"{first}.{last}.{seed}{index}@demo.okrsek.cz".lower()
        yield f"{first} {last}", email, organisation, kind, position


def _registration(
    workshop, at, status, name, email, organisation, kind, position, partner=False, language="cs"
):
    nonce = secrets.token_hex(16)
    return Registration(
        workshop=workshop,
        full_name=name,
        email=email.translate(str.maketrans("áčďéěíňóřšťúůýž", "acdeeinorstuuyz")),
        organisation=organisation,
        organisation_type=kind,
        position=position,
        language=language,
        consent_at=at,
        partner_seat=partner,
        status=status,
        created_at=at,
        confirmed_at=at if status != Registration.Status.WAITLISTED else None,
        waitlisted_at=at if status == Registration.Status.WAITLISTED else None,
        attended_at=at if status == Registration.Status.ATTENDED else None,
        reminder_sent_at=at if status != Registration.Status.WAITLISTED else None,
        cancel_nonce=nonce,
        cancel_token_hash=token_hash(registration_token(nonce)),
    )


def _registrations(workshop: Workshop, *, general: int, partner: int, waitlisted: int, status, seed: int):
    if workshop.held_on is None or workshop.held_on > timezone.localdate():
        base = timezone.now() - timedelta(days=20)
    else:
        base = timezone.make_aware(datetime.combine(workshop.held_on - timedelta(days=30), time(9)))
    rows = []
    for index, (name, email, organisation, kind, position) in enumerate(_people(general + waitlisted, seed)):
        row_status = status if index < general else Registration.Status.WAITLISTED
        rows.append(
            _registration(
                workshop, base + timedelta(hours=index), row_status, name, email, organisation, kind, position
            )
        )
    for index in range(partner):
        name, organisation, position = NORWEGIANS[(index + seed) % len(NORWEGIANS)]
        email = name.lower().replace(" ", ".") + f".{seed}@demo.okrsek.no"
        rows.append(
            _registration(
                workshop,
                base + timedelta(hours=general + index),
                status,
                name,
                email,
                organisation,
                OrganisationType.PARTNER_COUNTRY,
                position,
                partner=True,
                language="nb",
            )
        )
    Registration.objects.bulk_create(rows)
    return len(rows)


def _municipality(name: str, district: str) -> Municipality | None:
    return Municipality.objects.filter(country=Country.CZ, name=name, district_name=district).first()


def load(created: list[str]) -> None:
    User = get_user_model()  # noqa: N806
    staff = User.objects.filter(email="staff@demo.okrsek.cz").first()
    organiser = User.objects.filter(email="organiser@demo.okrsek.cz").first()

    bi = Initiative.objects.filter(code="bi-norway").first()
    if bi is None:
        bi, _created = initiative_upsert(
            code="bi-norway",
            name_cs="Sdílení dobré praxe v oblasti spolupráce státní policie s orgány místní samosprávy",
            name_en="Sharing good practice in cooperation between the state police and local government",
            name_nb="Deling av god praksis i samarbeidet mellom statlig politi og lokale myndigheter",
            organiser="Odbor bezpečnostní politiky Ministerstva vnitra; SMO ČR; Policie ČR",
            partner_country=Country.NO,
            nomination_deadline=date(2020, 10, 2),
            description="Bilaterální iniciativa Programu Vnitřní věci Norských fondů 2014–2021.",
        )
        for number, theme_cs, theme_en, theme_nb, held_on in BI_WORKSHOPS:
            workshop_upsert(
                initiative=bi,
                number=number,
                theme_cs=theme_cs,
                theme_en=theme_en,
                theme_nb=theme_nb,
                held_on=held_on,
                capacity=35,
                partner_seats=2,
            )
        created.append(f"{len(BI_WORKSHOPS)} workshops")
    if not bi.foreword:
        Initiative.objects.filter(pk=bi.pk).update(foreword=BI_FOREWORD, foreword_en=BI_FOREWORD_EN)
        for workshop, venue in zip(bi.workshops.order_by("number"), BI_VENUES, strict=False):
            Workshop.objects.filter(pk=workshop.pk).update(
                venue=venue,
                start_time=time(9, 30),
                end_time=time(15, 30),
                languages="čeština, angličtina (tlumočeno)",
            )

    today = timezone.localdate()
    pdp4 = Initiative.objects.filter(code="pdp4").first()
    if pdp4 is None:
        pdp4, _created = initiative_upsert(
            code="pdp4",
            name_cs="Klíčová aktivita PDP4: sdílení dobré praxe na národní úrovni",
            name_en="Key activity PDP4: sharing good practice nationally",
            name_nb="Nøkkelaktivitet PDP4: deling av god praksis nasjonalt",
            organiser="Policejní prezidium ČR",
            nomination_deadline=today + timedelta(days=7),
            description="Národní workshopy Programu Vnitřní věci Norských fondů 2014–2021 (ukázková data).",
        )
        for number, (theme_cs, theme_en, theme_nb, _held_on), days in zip(
            (1, 2), [w[1:] for w in BI_WORKSHOPS[:2]], (10, 40), strict=True
        ):
            workshop_upsert(
                initiative=pdp4,
                number=number,
                theme_cs=theme_cs,
                theme_en=theme_en,
                theme_nb=theme_nb,
                held_on=today + timedelta(days=days),
                start_time=time(9, 0),
                end_time=time(14, 0),
                venue="Plzeň, Krajské ředitelství policie, Nádražní 2"
                if number == 1
                else "Klatovy, kulturní dům",
                languages="čeština",
                capacity=35,
                partner_seats=0,
            )
        created.append("PDP4 with 2 workshops")

    if not Registration.objects.filter(workshop__initiative__in=[bi, pdp4]).exists():
        count = 0
        for workshop in bi.workshops.order_by("number"):
            count += _registrations(
                workshop,
                general=24 + workshop.number * 2,
                partner=2,
                waitlisted=0,
                status=Registration.Status.ATTENDED,
                seed=workshop.number,
            )
        first, second = pdp4.workshops.order_by("number")
        count += _registrations(
            first, general=35, partner=0, waitlisted=3, status=Registration.Status.CONFIRMED, seed=7
        )
        count += _registrations(
            second, general=12, partner=0, waitlisted=0, status=Registration.Status.CONFIRMED, seed=8
        )
        created.append(f"{count} workshop registrations")

    if not Nomination.objects.exists():
        nominations = [
            (
                bi,
                "Domažlice",
                "Domažlice",
                "Marie Úřednice",
                "odbor vnitřních věcí",
                "uradnice@demo.okrsek.cz",
            ),
            (bi, "Klatovy", "Klatovy", "Lenka Marková", "tajemnice", "markova@demo.okrsek.cz"),
            (pdp4, "Rokycany", "Rokycany", "Tomáš Veselý", "místostarosta", "vesely@demo.okrsek.cz"),
        ]
        for initiative, town, district, name, position, email in nominations:
            municipality = _municipality(town, district)
            if municipality is not None:
                Nomination.objects.create(
                    initiative=initiative,
                    municipality=municipality,
                    representative_name=name,
                    position=position,
                    email=email,
                    phone="+420 379 000 000",
                    submitted_by=staff,
                )
        created.append("workshop nominations")

    if not PresentationOffer.objects.exists():
        now = timezone.now()
        for code, number, status, title, speaker, organisation, minutes, message in OFFERS:
            workshop = Workshop.objects.get(initiative__code=code, number=number)
            decided = status in (OfferStatus.ACCEPTED, OfferStatus.REJECTED)
            PresentationOffer.objects.create(
                workshop=workshop,
                author=staff if code == "pdp4" else organiser,
                speaker_name=speaker,
                speaker_organisation=organisation,
                speaker_email="staff@demo.okrsek.cz" if code == "pdp4" else "organiser@demo.okrsek.cz",
                title=title,
                abstract=(
                    "Krátké představení praxe, co se osvědčilo, co ne, a co doporučujeme ostatním městům."
                ),
                minutes=minutes,
                status=status,
                decision_message=message,
                decided_by=organiser if decided else None,
                decided_at=now if decided else None,
            )
        created.append(f"{len(OFFERS)} presentation offers")

    if not GoodPractice.objects.filter(workshop__initiative=bi).exists():
        for workshop in bi.workshops.order_by("number"):
            for title, title_en, town, description, contact in GOOD_PRACTICE.get(workshop.number, []):
                GoodPractice.objects.create(
                    workshop=workshop,
                    title=title,
                    title_en=title_en,
                    town=town,
                    description=description,
                    contact=contact,
                    created_by=organiser,
                )
            for addressee, priority, text, text_en in RECOMMENDATIONS.get(workshop.number, []):
                Recommendation.objects.create(
                    workshop=workshop,
                    addressee=addressee,
                    priority=priority,
                    text=text,
                    text_en=text_en,
                    created_by=organiser,
                )
        created.append("good practice and recommendations")
