"""Load the demo data. Idempotent: a second run adds what is missing and changes nothing that exists.

The services it calls queue emails as usual (welcome, registration confirmations…), addressed to the demo
accounts. They are sent here and now, in this process, into an in-memory mailbox: nothing is left in the
broker's queue under var/ for whichever worker starts next, and no demo email reaches a real mail server or
floods the terminal of `make run`.
"""

import logging
from importlib import import_module
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.gis.gdal import DataSource
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from portal import roles, services
from portal.celery import app as celery_app
from portal.models import Country, Municipality, PartnerBody, PoliceUnit, Profile
from portal.permissions import admin_override

DATA = Path(__file__).resolve().parents[2] / "data"
DEMO_PASSWORD = "okrsek-demo"  # noqa: S105 - demo accounts only, printed on purpose
WROCLAW_TERYT = "0264011"

DEMO_APPS = ["incidents", "audits", "projects", "workshops"]

# One demo user per role: (email, role, full name, organisation kind)
DEMO_USERS = [
    ("officer@demo.okrsek.cz", roles.OFFICER, "Jan Okrskář", "unit"),
    ("coordinator@demo.okrsek.cz", roles.COORDINATOR, "Eva Koordinátorová", "unit"),
    ("partner@demo.okrsek.cz", roles.PARTNER_BODY, "Petr Strážník", "partner"),
    ("staff@demo.okrsek.cz", roles.MUNICIPAL_STAFF, "Marie Úřednice", "municipality"),
    ("organiser@demo.okrsek.cz", roles.WORKSHOP_ORGANISER, "Tomáš Pořadatel", None),
    ("commission@demo.okrsek.cz", roles.COMMISSION_MEMBER, "Alena Komisařová", None),
    ("manager@demo.okrsek.cz", roles.PROGRAMME_MANAGER, "Karel Manažer", None),
    ("methodologist@demo.okrsek.cz", roles.SURVEY_METHODOLOGIST, "Lucie Metodičková", None),
    ("interviewer@demo.okrsek.cz", roles.SURVEY_INTERVIEWER, "Ondřej Tazatel", "municipality"),
]


# (code, name, kind, town) of the partner bodies besides the demo partner's own (MP Domažlice)
TOWN_BODIES = [
    ("mp-rokycany", "Městská policie Rokycany", PartnerBody.Kind.MUNICIPAL_POLICE, "Rokycany"),
    (
        "rokycany-zp",
        "Městský úřad Rokycany – odbor životního prostředí",
        PartnerBody.Kind.TOWN_DEPARTMENT,
        "Rokycany",
    ),
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
        eager = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = True  # the outbox's "send now" tasks run here, after commit
        trace = logging.getLogger("celery.app.trace")  # one "Task … succeeded" line per email otherwise
        level = trace.level
        trace.setLevel(logging.WARNING)
        try:
            # The administrator acts for the towns and units without demo accounts: logged as admin overrides
            with (
                override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
                admin_override(),
            ):
                self.load()
        finally:
            celery_app.conf.task_always_eager = eager
            trace.setLevel(level)
        if options["verbosity"] < 1:  # `make run` prints the logins in its own summary
            return
        self.stdout.write(
            self.style.SUCCESS("Demo data: " + ("; ".join(self.created) if self.created else "nothing new"))
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, role, _name, _org in DEMO_USERS:
            self.stdout.write(f"  {role:<20} {email}")
        self.stdout.write(f"  {'admin (superuser)':<20} admin@demo.okrsek.cz")

    def load(self) -> None:
        self.created: list[str] = []
        with transaction.atomic():
            services.roles_ensure()
            self.load_municipalities()
            unit, partner_body = self.load_organisations()
            self.load_town_bodies()
            self.load_users(unit, partner_body)
            # Each feature app loads its own demo data (``<app>/demo.py``: ``load(created)``) after the
            # shared part, which it may use (municipalities, organisations, demo users).
            for app in DEMO_APPS:
                import_module(f"{app}.demo").load(self.created)

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

    def load_town_bodies(self) -> None:
        """More towns' own bodies, so that a report is handed over to the bodies of its own town."""
        for code, name, kind, town in TOWN_BODIES:
            towns = Municipality.objects.filter(country=Country.CZ, name=town, district_name=town)
            municipality = towns.first()
            if municipality is None:
                continue
            _body, created = PartnerBody.objects.get_or_create(
                code=code, defaults={"name": name, "kind": kind, "municipality": municipality}
            )
            if created:
                self.created.append(f"partner body {name}")

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
