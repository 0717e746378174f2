from datetime import time, timedelta

import pytest
from django.utils import timezone

from portal import roles
from workshops.models import Initiative, OrganisationType, Workshop
from workshops.services import registration_create


@pytest.fixture(autouse=True)
def _english(settings):
    """Pages and messages in English, the source language: the assertions read its texts."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def initiative(db):
    return Initiative.objects.create(
        code="bi-norway",
        name_cs="Sdílení dobré praxe",
        name_en="Sharing good practice",
        organiser="MV ČR",
        partner_country="NO",
        nomination_deadline=timezone.localdate() + timedelta(days=7),
        foreword="Předmluva: žluťoučký kůň úpěl ďábelské ódy.",
        foreword_en="Foreword in English.",
    )


@pytest.fixture
def workshop(initiative):
    return Workshop.objects.create(
        initiative=initiative,
        number=1,
        theme_cs="Místní záležitosti veřejného pořádku",
        theme_en="Local public order matters",
        held_on=timezone.localdate() + timedelta(days=20),
        start_time=time(9, 30),
        end_time=time(15, 0),
        venue="Plzeň, krajský úřad",
        capacity=4,
        partner_seats=1,
    )


@pytest.fixture
def staff(make_user, municipality):
    return make_user(email="urednice@example.org", roles=[roles.MUNICIPAL_STAFF], municipality=municipality)


@pytest.fixture
def organiser(make_user):
    return make_user(email="poradatel@example.org", roles=[roles.WORKSHOP_ORGANISER])


@pytest.fixture
def registrant(make_user):
    """Somebody whose role lets them register (the services ask for it)."""
    return make_user(email="registrar@example.org", roles=[roles.OFFICER])


@pytest.fixture
def register(registrant, organiser):
    """Register somebody through the service with sensible defaults: as a person with a role who may
    register, or as the organiser (``by_organiser``)."""

    def make(workshop, email, *, kind=OrganisationType.TOWN, actor=None, **extra):
        if actor is None:
            actor = organiser if extra.get("by_organiser") else registrant
        fields = {
            "full_name": extra.pop("full_name", email.split("@")[0].title()),
            "organisation": "Městský úřad Domažlice",
            "organisation_type": kind,
            "email": email,
            "consent": True,
            "language": "cs",
            **extra,
        }
        return registration_create(workshop=workshop, actor=actor, **fields)

    return make


@pytest.fixture
def form_data():
    """The registration form as a browser sends it."""

    def make(**overrides) -> dict:
        data = {
            "full_name": "Jana Nováková",
            "email": "jana@example.org",
            "phone": "+420 379 123 456",
            "organisation": "Městský úřad Domažlice",
            "organisation_type": "town",
            "position": "referentka",
            "language": "cs",
            "needs": "",
            "consent": "on",
        }
        data.update(overrides)
        return data

    return make
