"""Load the demo data. Idempotent: a second run adds what is missing and changes nothing that exists."""

from datetime import date
from decimal import Decimal
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.gis.gdal import DataSource
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.management.base import BaseCommand
from django.db import transaction

from incidents.catalogue import KMZB_CATEGORIES
from incidents.models import Category
from incidents.services import category_upsert
from portal import roles, services
from portal.models import Country, Municipality, PartnerBody, PoliceUnit, Profile
from projects.models import Programme
from projects.services import membership_join, programme_upsert
from workshops.models import Initiative
from workshops.services import initiative_upsert, workshop_upsert

DATA = Path(__file__).resolve().parents[2] / "data"
DEMO_PASSWORD = "okrsek-demo"  # noqa: S105 - demo accounts only, printed on purpose
WROCLAW_TERYT = "0264011"

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

# One demo user per role: (email, role, full name, organisation kind)
DEMO_USERS = [
    ("officer@demo.okrsek.cz", roles.OFFICER, "Jan Okrskář", "unit"),
    ("coordinator@demo.okrsek.cz", roles.COORDINATOR, "Eva Koordinátorová", "unit"),
    ("partner@demo.okrsek.cz", roles.PARTNER_BODY, "Petr Strážník", "partner"),
    ("staff@demo.okrsek.cz", roles.MUNICIPAL_STAFF, "Marie Úřednice", "municipality"),
    ("organiser@demo.okrsek.cz", roles.WORKSHOP_ORGANISER, "Tomáš Pořadatel", None),
    ("commission@demo.okrsek.cz", roles.COMMISSION_MEMBER, "Alena Komisařová", None),
    ("manager@demo.okrsek.cz", roles.PROGRAMME_MANAGER, "Karel Manažer", None),
]


def _multipolygon(geometry: GEOSGeometry) -> MultiPolygon:
    geometry = geometry if geometry.valid else geometry.buffer(0)
    if geometry.geom_type == "Polygon":
        geometry = MultiPolygon(geometry, srid=geometry.srid)
    return geometry


class Command(BaseCommand):
    help = (
        "Load the Okrsek demo data (municipalities, users per role, programme, workshops, KMZB categories)."
    )

    def handle(self, *args, **options):
        self.created: list[str] = []
        with transaction.atomic():
            services.roles_ensure()
            self.load_municipalities()
            unit, partner_body = self.load_organisations()
            self.load_categories()
            self.load_programme()
            self.load_workshops()
            self.load_users(unit, partner_body)
        self.stdout.write(
            self.style.SUCCESS("Demo data: " + ("; ".join(self.created) if self.created else "nothing new"))
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, role, _name, _org in DEMO_USERS:
            self.stdout.write(f"  {role:<20} {email}")
        self.stdout.write(f"  {'admin (superuser)':<20} admin@demo.okrsek.cz")

    def load_municipalities(self) -> None:
        existing = set(Municipality.objects.filter(country=Country.CZ).values_list("code", flat=True))
        layer = DataSource(str(DATA / "cz-plzensky-kraj" / "obce.geojson"))[0]
        new = []
        for feature in layer:
            code = str(feature.get("kod_obce"))
            if code in existing:
                continue
            geometry = feature.geom.geos
            geometry.srid = 4326
            new.append(
                Municipality(
                    country=Country.CZ,
                    code=code,
                    name=feature.get("nazev"),
                    district_name=feature.get("okres"),
                    population=feature.get("obyvatel_2020"),
                    boundary=_multipolygon(geometry),
                )
            )
        Municipality.objects.bulk_create(new)
        if new:
            self.created.append(f"{len(new)} Czech municipalities")
        if not Municipality.objects.filter(country=Country.PL, code=WROCLAW_TERYT).exists():
            layer = DataSource(str(DATA / "pl-wroclaw" / "osiedla.geojson"))[0]
            union = None
            for feature in layer:
                geometry = feature.geom.geos
                union = geometry if union is None else union.union(geometry)
            union.srid = 4326
            Municipality.objects.create(
                country=Country.PL,
                code=WROCLAW_TERYT,
                name="Wrocław",
                district_name="Wrocław",
                population=672929,
                boundary=_multipolygon(union),
            )
            self.created.append("Wrocław")

    def load_organisations(self) -> tuple[PoliceUnit, PartnerBody]:
        unit, created = PoliceUnit.objects.get_or_create(
            code="krpp",
            defaults={"name": "Krajské ředitelství policie Plzeňského kraje", "country": Country.CZ},
        )
        if created:
            unit.municipalities.set(Municipality.objects.filter(country=Country.CZ))
            self.created.append("police unit KŘP Plzeňského kraje")
        wroclaw_unit, created = PoliceUnit.objects.get_or_create(
            code="kmp-wroclaw",
            defaults={"name": "Komenda Miejska Policji we Wrocławiu", "country": Country.PL},
        )
        if created:
            wroclaw_unit.municipalities.set(
                Municipality.objects.filter(country=Country.PL, code=WROCLAW_TERYT)
            )
            self.created.append("police unit KMP Wrocław")
        domazlice = Municipality.objects.get(country=Country.CZ, name="Domažlice", district_name="Domažlice")
        partner_body, created = PartnerBody.objects.get_or_create(
            code="mp-domazlice",
            defaults={
                "name": "Městská policie Domažlice",
                "kind": PartnerBody.Kind.MUNICIPAL_POLICE,
                "municipality": domazlice,
            },
        )
        if created:
            self.created.append("partner body MP Domažlice")
        return unit, partner_body

    def load_categories(self) -> None:
        if Category.objects.exists():
            return
        for order, (code, group, pl, cs, en, nb, extra) in enumerate(KMZB_CATEGORIES):
            category_upsert(
                code=code,
                group=group,
                name_pl=pl,
                name_cs=cs,
                name_en=en,
                name_nb=nb,
                sort_order=order,
                **extra,
            )
        self.created.append(f"{len(KMZB_CATEGORIES)} KMZB categories")

    def load_programme(self) -> None:
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
        self.created.append(f"programme with {len(PROGRAMME_MEMBERS)} member towns")

    def load_workshops(self) -> None:
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
        self.created.append(f"{len(BI_WORKSHOPS)} workshops")

    def load_users(self, unit: PoliceUnit, partner_body: PartnerBody) -> None:
        User = get_user_model()  # noqa: N806
        domazlice = partner_body.municipality
        accounts = [*DEMO_USERS, ("admin@demo.okrsek.cz", None, "Správce Okrsku", None)]
        for email, role, full_name, organisation in accounts:
            if User.objects.filter(email__iexact=email).exists():
                continue
            user = User(email=email, is_staff=role is None, is_superuser=role is None)
            user.set_password(DEMO_PASSWORD)
            user.save()
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
            Profile.objects.create(
                user=user,
                full_name=full_name,
                language="cs",
                police_unit=unit if organisation == "unit" else None,
                partner_body=partner_body if organisation == "partner" else None,
                municipality=domazlice if organisation in ("partner", "municipality") else None,
            )
            if role:
                services.user_set_roles(user=user, roles=[role], notify=False)
            self.created.append(email)
