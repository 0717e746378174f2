"""Demo data of the workshops app, loaded by ``manage.py seed_demo``. Idempotent."""

from datetime import date

from portal.models import Country

from .models import Initiative
from .services import initiative_upsert, workshop_upsert

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


def load(created: list[str]) -> None:
    if Initiative.objects.filter(code="bi-norway").exists():
        return
    initiative, _created = initiative_upsert(
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
            initiative=initiative,
            number=number,
            theme_cs=theme_cs,
            theme_en=theme_en,
            theme_nb=theme_nb,
            held_on=held_on,
            capacity=35,
            partner_seats=2,
        )
    created.append(f"{len(BI_WORKSHOPS)} workshops")
