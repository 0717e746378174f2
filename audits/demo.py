"""Demo data of the audits app, loaded by ``manage.py seed_demo`` through the services. Idempotent.

- the core questionnaire;
- "Pocit bezpečí – jaro 2026" in Domažlice, Rokycany and Tachov: 550 synthetic interviews, published,
  spread so that some cells fall under the suppression threshold (Tachov's district has 8 answers: hidden,
  and its "district not given" cell with it, by secondary suppression);
- audits: Domažlice's, taken through every phase to a published report (its PDF built at once; with an
  action seeking a grant);
  Rokycany's, in the diagnosis phase;
- "Pocit bezpečí – podzim 2026", open now in the same towns, with 20 invitation letters for Domažlice and the
  open web link.
"""

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from incidents.selectors import districts_of_municipalities
from portal.models import Country, Municipality

from . import services
from .models import Question, Wave

TOWNS = {
    "Domažlice": (260, 250),
    "Rokycany": (240, 200),
    "Tachov": (50, 8),
}  # answers, of which in the district
METHODOLOGIST = "methodologist@demo.okrsek.cz"
STAFF, ADMIN = "staff@demo.okrsek.cz", "admin@demo.okrsek.cz"
SPRING, AUTUMN = "Pocit bezpečí – jaro 2026", "Pocit bezpečí – podzim 2026"


def load(created: list[str]) -> None:
    methodologist = get_user_model().objects.filter(email=METHODOLOGIST).first()
    if methodologist is None:
        return
    questionnaire = services.questionnaire_core_ensure()
    towns = [
        Municipality.objects.filter(country=Country.CZ, name=name).order_by("code").first() for name in TOWNS
    ]
    towns = [town for town in towns if town is not None]
    if not towns:
        return
    today = timezone.localdate()
    if not Wave.objects.filter(name=SPRING).exists():
        wave = services.wave_create(
            actor=methodologist,
            questionnaire=questionnaire,
            name=SPRING,
            municipalities=towns,
            opens_on=today - timedelta(days=40),
            closes_on=today,
            web_open=True,
            invitations=True,
            interviews=True,
        )
        services.wave_transition(wave=wave, action="open", actor=methodologist)
        count = _answers(wave, towns, methodologist)
        services.wave_transition(wave=wave, action="close", actor=methodologist)
        services.wave_transition(wave=wave, action="publish", actor=methodologist)
        created.append(f"survey wave {SPRING} with {count} answers (published)")
    if not Wave.objects.filter(name=AUTUMN).exists():
        wave = services.wave_create(
            actor=methodologist,
            questionnaire=questionnaire,
            name=AUTUMN,
            municipalities=towns,
            opens_on=today,
            closes_on=today + timedelta(days=60),
            web_open=True,
            invitations=True,
            interviews=True,
        )
        services.wave_transition(wave=wave, action="open", actor=methodologist)
        services.invitations_generate(actor=methodologist, wave=wave, municipality=towns[0], count=20)
        created.append(f"survey wave {AUTUMN} (open, 20 invitation letters)")
    _audits(towns, created)


def _audits(towns, created) -> None:
    from datetime import date
    from decimal import Decimal

    from .models import Audit, Finding

    users = get_user_model().objects
    staff, admin = users.filter(email=STAFF).first(), users.filter(email=ADMIN).first()
    by_name = {town.name: town for town in towns}
    plans = [("Domažlice", staff, "publish"), ("Rokycany", admin, "diagnose")]
    for name, actor, last in plans:
        town = by_name.get(name)
        if town is None or actor is None or Audit.objects.filter(municipality=town).exists():
            continue
        audit = services.audit_create(
            actor=actor,
            municipality=town,
            title=f"Bezpečnostní audit {name} 2026",
            starts_on=date(2026, 2, 1),
            report_due_on=date(2026, 11, 30),
            themes="veřejný prostor, doprava, noční život",
            area=f"celé město {name}",
        )
        audit.waves.set(Wave.objects.filter(name=SPRING))
        services.steering_member_add(
            actor=actor,
            audit=audit,
            name="Mgr. Jana Nová",
            organisation=f"Město {name}",
            kind="town",
            role="koordinátorka prevence",
        )
        services.steering_member_add(
            actor=actor,
            audit=audit,
            name="npor. Petr Malý",
            organisation="Policie ČR",
            kind="police",
            role="vedoucí OOP",
        )
        for action in ("gather_evidence", "diagnose", "plan", "write_report", "publish"):
            if action == "diagnose":
                _fieldwork(audit, actor, name)
                finding = services.finding_add(
                    actor=actor,
                    audit=audit,
                    text="Lidé se po setmění necítí bezpečně u nádraží a v podchodu.",
                    evidence=Finding.Evidence.SURVEY,
                    evidence_note=SPRING,
                    wave=audit.waves.first(),
                )
            if action == "plan":
                priority = services.priority_add(
                    actor=actor,
                    audit=audit,
                    title="Osvětlení a průchodnost podchodu u nádraží",
                    rationale="Nejčastěji označené místo v průzkumu a opakovaná hlášení.",
                    findings=[finding],
                )
            if action == "write_report":
                services.action_add(
                    actor=actor,
                    priority=priority,
                    title="Nové osvětlení podchodu",
                    owner=f"Město {name}",
                    deadline=date(2027, 6, 30),
                    cost=Decimal("450000"),
                    seeking_grant=True,
                )
                services.indicator_add(
                    actor=actor,
                    priority=priority,
                    name="% lidí, kteří se po setmění cítí bezpečně",
                    baseline="48 %",
                    target="60 % ve vlně 2028",
                    source="průzkum pocitu bezpečí",
                )
            if action == "publish":
                from .services.audit_reports import audit_report_build_now

                audit_report_build_now(actor=actor, audit=audit, language="cs")
            services.audit_transition(audit=audit, action=action, actor=actor)
            if action == last:
                break
        created.append(f"safety audit {name} ({audit.get_phase_display()})")


def _fieldwork(audit, actor, name) -> None:
    """A walking audit after dark with two stops, police statistics and interview notes (evidence phase)."""
    from datetime import datetime

    from .services import fieldwork

    centre = audit.municipality.boundary.centroid if audit.municipality.boundary else None
    x, y = (centre.x, centre.y) if centre else (13.0, 49.5)
    walk = fieldwork.walk_add(
        actor=actor,
        audit=audit,
        title="Nádraží – podchod – park",
        held_at=timezone.make_aware(datetime(2026, 3, 12, 19, 0)),
        after_dark=True,
        route="\n".join(f"{y + dy:.5f}, {x + dx:.5f}" for dx, dy in ((0, 0), (0.002, 0.001), (0.004, 0.001))),
        route_description="Od nádraží podchodem k parku",
        participants={"residents": 9, "seniors": 3, "women": 5, "police": 1},
    )
    fieldwork.walk_stop_add(
        actor=actor,
        walk=walk,
        label="Podchod u nádraží",
        checklist={"lighting": "poor", "visibility": "poor", "escape": "fair", "maintenance": "fair"},
        comment="Dvě lampy nesvítí, graffiti.",
        lat=y + 0.001,
        lon=x + 0.002,
    )
    fieldwork.walk_stop_add(
        actor=actor, walk=walk, label="Vstup do parku", checklist={"lighting": "fair", "isolation": "poor"}
    )
    fieldwork.police_figures_import(
        actor=actor,
        audit=audit,
        data="district,period,offence,count\nCentrum,2025,krádeže,41\nCentrum,2025,výtržnictví,9\n".encode(),
        filename="statistika-2025.csv",
        source=f"Policie ČR, OOP {name}, statistika 2025",
    )
    fieldwork.note_add(
        actor=actor,
        audit=audit,
        kind="focus_group",
        held_on=date(2026, 3, 20),
        title="Senioři z klubu",
        text="Večer nechodí přes podchod, raději obcházejí.",
    )


def _answers(wave, towns, methodologist) -> int:
    """Interviews entered in bulk through the service (as paper questionnaires would be)."""
    rng = random.Random(15)
    questions = list(Question.objects.filter(questionnaire=wave.questionnaire))
    districts = districts_of_municipalities(municipality_ids=[t.pk for t in towns])
    rows = []
    for town in towns:
        count, in_district = TOWNS[town.name]
        district = (districts.get(town.pk) or [None])[0]
        centre = town.boundary.centroid if town.boundary else None
        safe_bias = {"Domažlice": 0.7, "Rokycany": 0.55, "Tachov": 0.45}[town.name]
        for i in range(count):
            rows.append(
                {
                    "municipality": town,
                    "district": district if i < in_district else None,
                    "answers": {q.code: _answer(q, rng, safe_bias, centre) for q in questions},
                }
            )
    return services.responses_record_bulk(actor=methodologist, wave=wave, rows=rows)


def _answer(question, rng, safe_bias, centre) -> dict:
    codes = [o["code"] for o in question.options]
    if question.kind == Question.Kind.SINGLE:
        if question.code in ("safety_day", "safety_dark"):
            bias = safe_bias + (0.2 if question.code == "safety_day" else 0)
            if rng.random() < 0.06:
                return {"value": "dont_know"}
            return {
                "value": rng.choice(
                    ["very_safe", "fairly_safe"] if rng.random() < bias else ["bit_unsafe", "very_unsafe"]
                )
            }
        if question.code == "reported":
            return {"value": rng.choice(["yes", "no"])} if rng.random() < 0.3 else {}
        return {"value": rng.choice(codes)}
    if question.kind == Question.Kind.GRID:
        return {"grid": {row["code"]: rng.choice(codes) for row in question.rows}}
    if question.kind == Question.Kind.MULTIPLE:
        return {"values": rng.sample(codes, 3)}
    if question.kind == Question.Kind.MAP and centre is not None and rng.random() < 0.4:
        spots = [(0.0, 0.0), (0.004, 0.002), (-0.003, 0.003)]
        dx, dy = rng.choice(spots)
        x, y = centre.x + dx + rng.uniform(-0.0005, 0.0005), centre.y + dy + rng.uniform(-0.0005, 0.0005)
        return {"points": f"{x:.6f},{y:.6f}"}
    return {}
