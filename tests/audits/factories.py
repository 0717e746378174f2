"""Helpers of the audits tests: a wave in two towns with districts, and synthetic responses made through
the services."""

import itertools
from datetime import timedelta

from django.contrib.gis.geos import MultiPolygon, Polygon
from django.utils import timezone

from audits import services
from audits.models import Question, Wave
from audits.workflow import WaveStatus
from portal.models import PoliceUnit

_counter = itertools.count(1)


def district(town, name, *, x0=13.0):
    from incidents.models import District

    unit = PoliceUnit.objects.get_or_create(code="u-audits", defaults={"name": "U", "country": "CZ"})[0]
    n = next(_counter)
    area = MultiPolygon(
        Polygon(((x0, 49), (x0 + 0.01, 49), (x0 + 0.01, 49.01), (x0, 49.01), (x0, 49))), srid=4326
    )
    return District.objects.create(code=f"d{n}", name=name, area=area, police_unit=unit, municipality=town)


def wave(methodologist, towns, *, status=WaveStatus.OPEN, web_open=True, name="Spring 2026", opens=None):
    questionnaire = services.questionnaire_core_ensure()
    today = timezone.localdate()
    w = services.wave_create(
        actor=methodologist,
        questionnaire=questionnaire,
        name=name,
        municipalities=towns,
        opens_on=opens or today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
        web_open=web_open,
        invitations=True,
        interviews=True,
    )
    Wave.objects.filter(pk=w.pk).update(status=status)
    w.refresh_from_db()
    return w


CORE_ANSWERS = {
    "safety_day": {"value": "very_safe"},
    "safety_dark": {"value": "fairly_safe"},
    "worry": {
        "grid": dict.fromkeys(("burglary", "robbery", "vehicle", "drugs", "vandalism", "drinking"), "not")
    },
    "victim": {"value": "no"},
    "reported": {},
    "trust_state": {"value": "some"},
    "trust_municipal": {"value": "high"},
    "problems": {"values": ["traffic", "litter"]},
    "unsafe_places": {},
    "age_group": {"value": "30-44"},
    "sex": {"value": "f"},
}


def respond(wave, town, *, district=None, dark="fairly_safe", points="", token=None, ip=None, submit=True):
    """One web response through the services, every question answered like CORE_ANSWERS (``dark`` for the
    after-dark question)."""
    response = services.response_start_web(
        wave=wave,
        municipality=town,
        device_token=token or f"t{next(_counter)}",
        ip=ip or f"10.1.{next(_counter)}",
        district_id=district.pk if district else None,
    )
    for question in Question.objects.filter(questionnaire=wave.questionnaire):
        data = dict(CORE_ANSWERS.get(question.code, {}))
        if question.code == "safety_dark":
            data = {"value": dark}
        if question.code == "unsafe_places":
            data = {"points": points}
        services.answer_save(response=response, question=question, data=data)
    if submit:
        services.response_submit(response=response)
    return response
