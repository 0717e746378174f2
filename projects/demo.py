"""Demo data of the projects app, loaded by ``manage.py seed_demo``. Idempotent."""

from datetime import date
from decimal import Decimal

from portal.models import Country, Municipality

from .models import Programme
from .services import membership_join, programme_upsert

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


def load(created: list[str]) -> None:
    if Programme.objects.filter(slug="plzensky-kraj-bezpecny-kraj").exists():
        return
    programme, _created = programme_upsert(
        slug="plzensky-kraj-bezpecny-kraj",
        name="Plzeňský kraj – bezpečný kraj",
        region="Plzeňský kraj",
        partners="Plzeňský kraj; Krajské ředitelství policie Plzeňského kraje",
        declared_on=date(2010, 1, 28),
        total_budget=Decimal("24000000"),
        currency="CZK",
    )
    for name, okres, joined_on in PROGRAMME_MEMBERS:
        municipality = Municipality.objects.get(country=Country.CZ, name=name, district_name=okres)
        membership_join(programme=programme, municipality=municipality, joined_on=joined_on)
    created.append(f"programme with {len(PROGRAMME_MEMBERS)} member towns")
