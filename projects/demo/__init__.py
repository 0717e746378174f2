"""Demo data of the projects app, loaded by ``manage.py seed_demo``. Idempotent: a second run adds nothing.

The programme "Plzeňský kraj – bezpečný kraj" as seed 002 describes it: the towns joining in waves, the five
region-wide projects, a call a year 2010–2012 with the supported sub-projects the seed counts (2010: 4 named
ones, 2011: 11, 2012: 21; about 20.5 million CZK) and a few rejected ones, and the open rolling call of 2026
with a proposal in every state of the workflow. Every step of the history goes through the services, dated
with ``now=`` on the day it happened, so the demo can only be in states users can reach: the reviews'
scores, the commission's meetings and the council's budget checks are the real ones. Nobody is emailed
about the history.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model

from portal import roles
from portal.demo_data import PROGRAMME_MEMBERS
from portal.models import Country, Municipality, Profile
from portal.services import notifications_muted, user_set_roles

from .. import services
from ..models import Call, Programme
from .data import (
    CALL_2026,
    CALLS,
    COMMISSION,
    COSTS,
    CRITERIA,
    OPEN_SINCE,
    REGIONAL_PROJECTS,
    SLUG,
    TOTAL_BUDGET,
)
from .history import History, Schedule, at

User = get_user_model()


def load(created: list[str]) -> None:
    programme = Programme.objects.filter(slug=SLUG).first()
    if programme is None:
        programme = _programme(created)
    if not Call.objects.filter(programme=programme).exists():
        _calls(programme, created)
    from ..advice import demo as advice_demo  # the advice desk's own demo data

    advice_demo.load(programme, created)
    from ..results.demo import load as load_results  # results and effect of funded projects (issue 17)

    load_results(created)


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
            "opens_at": at(opens, 8),
            "closes_at": at(closes, 23),
            "max_per_proposal": Decimal(spec["max"]),
            "min_cofinancing_percent": Decimal("10"),
            "eligibility_notes": "Nezpůsobilé: provozní náklady obce, nákup vozidel, opravy komunikací.",
        },
        criteria=[{"name": n, "description": d, "weight": w} for n, d, w in CRITERIA],
        eligible_costs=[{"name": n, "description": d} for n, d in COSTS],
    )


def _calls(programme: Programme, created: list[str]) -> None:
    admin = User.objects.get(email="admin@demo.okrsek.cz")
    manager = User.objects.filter(email="manager@demo.okrsek.cz").first() or admin
    towns = {
        name: Municipality.objects.get(country=Country.CZ, name=name, district_name=okres)
        for name, okres, _joined in PROGRAMME_MEMBERS
    }
    history = History(
        admin=admin, manager=manager, reviewers=_commission(), towns=towns, rng=random.Random(2010)
    )
    joined = {name: day for name, _okres, day in PROGRAMME_MEMBERS}
    counts = {}
    with notifications_muted():
        for year, spec in CALLS.items():
            call = _create_call(programme, year, spec, admin)
            opens, closes = spec["window"]
            for index, proposal_spec in enumerate(spec["proposals"]):
                day = min(
                    max(opens, joined[proposal_spec.town]) + timedelta(days=3 + index * 2),
                    closes - timedelta(days=1),
                )
                schedule = Schedule(
                    submit=day,
                    review=closes + timedelta(days=2),
                    meeting=spec["meeting"],
                    council=spec["council"],
                    start=spec["start"],
                    end=spec["end"],
                )
                history.proposal(call, proposal_spec, schedule)
            counts[year] = sum(1 for s in spec["proposals"] if s.outcome == "completed")
        _call_2026(programme, history)
        history.plan_meetings()
        history.run()
    created.append(
        "calls "
        + ", ".join(f"{year} ({n} supported)" for year, n in counts.items())
        + f" and 2026 (open) with {len(CALL_2026['proposals'])} proposals in every state"
    )


def _call_2026(programme: Programme, history: History) -> None:
    """The rolling call: three commission rounds so far, then what is still open (after the last round)."""
    spec = CALL_2026
    call = _create_call(programme, 2026, spec, history.admin)
    opens = spec["window"][0]
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
            day = OPEN_SINCE + timedelta(days=(index - 7) * 2)
            schedule = Schedule(submit=day, review=day + timedelta(days=3))
        history.proposal(call, proposal_spec, schedule)
