"""``manage.py incidents_fake_reports N [--days D] [--seed S] [--no-events]``: a bench and demo tool that adds
N made-up but plausible reports inside the safety districts (and a few big towns outside every district),
spread over the last D days. For looking at the public map and the statistics with many reports, and for the
benchmarks: bulk inserts (a million reports take minutes), so it does not go through the services. The
histories are drawn here (how long police take); statuses, timestamps, deadlines and overdue and reminder
flags come from the workflow's declarations through ``incidents.fake.replay``.

Never for production data: the reports are fiction (their descriptions say so)."""

import math
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.fake import replay
from incidents.models import Category, District, Report, ReportEvent, Status, _reference
from incidents.workflow import TRANSITIONS
from portal.models import Country, Municipality, PartnerBody
from portal.services import activity_log

BIG_TOWNS_OUTSIDE_DISTRICTS = 5  # the most populous served towns without a district also get reports

DESCRIPTIONS = {
    "cs": [
        "Opakuje se to skoro každý den, hlavně večer.",
        "Viděl jsem to dnes ráno cestou do práce.",
        "Prosím o kontrolu, je to nebezpečné pro děti.",
        "Trvá to už několik týdnů.",
        "Nejhorší je to o víkendech.",
    ],
    "pl": [
        "Powtarza się to prawie codziennie, głównie wieczorem.",
        "Widziałem to dziś rano w drodze do pracy.",
        "Proszę o sprawdzenie, to niebezpieczne dla dzieci.",
        "Trwa to już od kilku tygodni.",
        "Najgorzej jest w weekendy.",
    ],
}
ANSWERS = {
    "cs": {
        Status.CONFIRMED: ["Potvrzeno, budeme místo častěji kontrolovat.", "Potvrzeno, řešíme."],
        Status.NOT_CONFIRMED: ["Hlídka problém nezjistila.", "Při kontrolách nic nezjištěno."],
        Status.JOKE_OR_MISTAKE: ["Hlášení se ukázalo jako omyl."],
        Status.ELIMINATED: ["Problém byl odstraněn.", "Pachatelé byli zjištěni a věc předána k řízení."],
        Status.HANDED_OVER: ["Předáno k řešení městské policii.", "Předáno správci komunikace."],
    },
    "pl": {
        Status.CONFIRMED: ["Potwierdzone, będziemy częściej kontrolować.", "Potwierdzone."],
        Status.NOT_CONFIRMED: ["Patrol sprawdził miejsce i nie stwierdził problemu."],
        Status.JOKE_OR_MISTAKE: ["Zgłoszenie okazało się pomyłką."],
        Status.ELIMINATED: ["Zagrożenie wyeliminowane.", "Sprawców ustalono, sprawa skierowana dalej."],
        Status.HANDED_OVER: ["Przekazano straży miejskiej.", "Przekazano zarządcy drogi."],
    },
}
# How verification ends (the transition and its share); a confirmed threat is then eliminated or handed over
OUTCOMES = [("confirm", 0.6), ("not_confirm", 0.32), ("joke", 0.08)]


@dataclass
class Area:
    geometry: GEOSGeometry
    prepared: object
    extent: tuple
    police_unit_id: int | None
    district_id: int | None
    municipality_id: int | None
    officer_id: int | None
    language: str
    weight: float


def _hours(rng: random.Random, median: float, sigma: float) -> timedelta:
    return timedelta(hours=rng.lognormvariate(math.log(median), sigma))


class Command(BaseCommand):
    help = gettext_lazy(
        "Add N made-up, plausible reports inside the demo districts and towns, spread over the last days, "
        "with realistic statuses and timestamps (bulk inserts: for the map, statistics and benchmarks)."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help=_("how many reports to add"))
        parser.add_argument("--days", type=int, default=120, help=_("spread them over this many past days"))
        parser.add_argument("--seed", type=int, help=_("random seed, for the same reports every run"))
        parser.add_argument("--batch-size", type=int, default=2000, help=_("rows per insert"))
        parser.add_argument(
            "--no-events", action="store_true", help=_("leave out the timeline entries (faster)")
        )

    def handle(self, *args, count: int, days: int, seed, batch_size: int, no_events: bool, **options):
        if count < 1 or days < 1 or batch_size < 1:
            raise CommandError(_("The count, the days and the batch size must be positive numbers."))
        rng = random.Random(seed)
        areas = self.areas()
        categories = list(Category.objects.filter(active=True))
        if not areas or not categories:
            raise CommandError(_("No districts, towns or categories yet: run `manage.py seed_demo` first."))
        partner_bodies = list(PartnerBody.objects.values_list("pk", flat=True))
        # Person-related (non-public) categories are rarer in real data
        category_weights = [1.0 if c.public else 0.15 for c in categories]
        area_weights = [a.weight for a in areas]
        now = timezone.now()
        made = 0
        while made < count:
            size = min(batch_size, count - made)
            faked = [
                self.fake(
                    rng,
                    now,
                    days,
                    rng.choices(areas, area_weights)[0],
                    rng.choices(categories, category_weights)[0],
                    partner_bodies,
                )
                for _i in range(size)
            ]
            reports = [report for report, _events in faked]
            self.unique_references(reports)
            with transaction.atomic():
                Report.objects.bulk_create(reports, batch_size=batch_size)
                if not no_events:
                    ReportEvent.objects.bulk_create(
                        [event for _report, events in faked for event in events], batch_size=batch_size
                    )
            made += size
            if options.get("verbosity", 1) > 1:
                self.stdout.write(f"{made}/{count}")
        activity_log(verb="reports.faked", count=count, days=days)
        self.stdout.write(self.style.SUCCESS(_("Added %(count)d made-up reports.") % {"count": count}))

    def areas(self) -> list[Area]:
        areas = []
        districts = District.objects.filter(active=True).select_related("municipality", "police_unit")
        officers = {}
        for district_id, officer_id in District.officers.through.objects.order_by("user_id").values_list(
            "district_id", "user_id"
        ):
            officers.setdefault(district_id, officer_id)
        for district in districts:
            areas.append(
                self.area(
                    district.area,
                    police_unit_id=district.police_unit_id,
                    district_id=district.pk,
                    municipality_id=district.municipality_id,
                    officer_id=officers.get(district.pk),
                    country=district.police_unit.country,
                    weight=1.0,
                )
            )
        with_district = District.objects.exclude(municipality=None).values("municipality_id")
        towns = (
            Municipality.objects.filter(police_units__isnull=False)
            .exclude(boundary=None)
            .exclude(pk__in=with_district)
            .order_by("-population")
            .prefetch_related("police_units")[:BIG_TOWNS_OUTSIDE_DISTRICTS]
        )
        for town in towns:
            unit = town.police_units.all()[0]
            areas.append(
                self.area(
                    town.boundary,
                    police_unit_id=unit.pk,
                    district_id=None,
                    municipality_id=town.pk,
                    officer_id=None,
                    country=town.country,
                    weight=3.0,
                )
            )
        return areas

    @staticmethod
    def area(geometry, *, country, **fields) -> Area:
        return Area(
            geometry=geometry,
            prepared=geometry.prepared,
            extent=geometry.extent,
            language="pl" if country == Country.PL else "cs",
            **fields,
        )

    @staticmethod
    def point_in(rng: random.Random, area: Area) -> Point:
        west, south, east, north = area.extent
        for _attempt in range(1000):
            point = Point(rng.uniform(west, east), rng.uniform(south, north), srid=4326)
            if area.prepared.contains(point):
                return point
        return area.geometry.point_on_surface

    def fake(self, rng, now: datetime, days: int, area: Area, category: Category, partner_bodies) -> tuple:
        """One report and its timeline rows, its history drawn from how long police take: take-up after
        ~10 h (some past the 48 h), verification ~1.5 days later, confirmed threats eliminated or handed over
        within days."""
        created = now - timedelta(seconds=rng.uniform(0, days * 86400))
        report = Report(
            reference=_reference(),
            token_hash=secrets.token_hex(32),
            category=category,
            point=self.point_in(rng, area),
            description=rng.choice(DESCRIPTIONS[area.language]) + " (fake report)",
            reporter_email=f"citizen{rng.randrange(10**6)}@example.org" if rng.random() < 0.2 else "",
            reporter_language=area.language,
            ip_hash=secrets.token_hex(32),
            police_unit_id=area.police_unit_id,
            district_id=area.district_id,
            municipality_id=area.municipality_id,
            assignee_id=area.officer_id,
            support_count=rng.choice([0, 0, 0, 0, 1, 2]),
            created_at=created,
        )
        answers = ANSWERS[area.language]

        def answer(transition: str, share: float) -> dict:
            status = TRANSITIONS[transition].target
            return {"public_answer": rng.choice(answers[status])} if rng.random() < share else {}

        taken = created + _hours(rng, 10, 1.0)
        verified = taken + _hours(rng, 36, 0.8)
        outcome = rng.choices([o for o, _w in OUTCOMES], [w for _o, w in OUTCOMES])[0]
        confirmed = TRANSITIONS[outcome].target == Status.CONFIRMED
        path = [("take_up", taken, {}), (outcome, verified, answer(outcome, 0.4 if confirmed else 0.7))]
        if confirmed:
            closing = "hand_over" if partner_bodies and rng.random() < 0.3 else "eliminate"
            inputs = answer(closing, 1.0)
            if TRANSITIONS[closing].input("partner_body"):
                inputs["partner_body"] = rng.choice(partner_bodies)
            path.append((closing, verified + _hours(rng, 4 * 24, 1.0), inputs))
        return report, replay(report, path, now=now)

    @staticmethod
    def unique_references(reports: list[Report]) -> None:
        """8 random characters collide now and then among a million: draw again where they do."""
        while True:
            seen, clashes = set(), []
            for report in reports:
                if report.reference in seen:
                    clashes.append(report)
                seen.add(report.reference)
            taken = set(Report.objects.filter(reference__in=seen).values_list("reference", flat=True))
            clashes += [r for r in reports if r.reference in taken]
            if not clashes:
                return
            for report in clashes:
                report.reference = _reference()
