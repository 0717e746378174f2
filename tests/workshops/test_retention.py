"""Personal data of the workshops expires: participants' names, contacts and needs ~6 months after their
workshop, speakers' emails (and the names of speakers not accepted) likewise, nominated representatives after
the initiative's last workshop. The rows stay for the attendance figures and the programme."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from portal import retention
from workshops.models import Nomination, PresentationOffer, Registration, Workshop, token_hash
from workshops.workflow import OfferStatus

pytestmark = pytest.mark.django_db
PRAGUE = ZoneInfo("Europe/Prague")
HELD = date(2026, 4, 15)
BEFORE = datetime.combine(HELD + timedelta(days=182), time(12), tzinfo=PRAGUE)
AFTER = datetime.combine(HELD + timedelta(days=184), time(12), tzinfo=PRAGUE)


@pytest.fixture
def held(initiative):
    return Workshop.objects.create(initiative=initiative, number=2, theme_cs="Migrace", held_on=HELD)


def registration(workshop, n: int, **extra) -> Registration:
    return Registration(
        workshop=workshop,
        full_name=f"Jana Nováková {n}",
        organisation="MěÚ Domažlice",
        organisation_type="town",
        position="starostka",
        email=f"jana{n}@example.org",
        phone="+420 777 000 111",
        needs="vegetarian",
        consent_at=timezone.now(),
        status=Registration.Status.ATTENDED,
        cancel_nonce=f"n{n}",
        cancel_token_hash=token_hash(f"t{n}-{workshop.pk}"),
        **extra,
    )


def test_participants_personal_data_goes_six_months_after_the_workshop(held, workshop):
    old = registration(held, 1)
    old.save()
    upcoming = registration(workshop, 2)  # the fixture's workshop is still to come
    upcoming.save()
    with time_machine.travel(BEFORE, tick=False):
        assert retention.purge()["workshops.registrations"] == 0
    assert Registration.objects.get(pk=old.pk).email == "jana1@example.org"

    with time_machine.travel(AFTER, tick=False):
        assert retention.purge()["workshops.registrations"] == 1
        assert retention.purge()["workshops.registrations"] == 0  # nothing twice
    cleared = Registration.objects.get(pk=old.pk)
    assert (cleared.full_name, cleared.position, cleared.phone, cleared.needs) == ("", "", "", "")
    assert cleared.email == f"removed-{old.pk}@removed.invalid"
    # what the attendance figures need stays
    assert (cleared.organisation, cleared.organisation_type, cleared.status) == (
        "MěÚ Domažlice",
        "town",
        "attended",
    )
    assert Registration.objects.get(pk=upcoming.pk).full_name == "Jana Nováková 2"


def test_a_full_workshop_is_cleared_in_a_few_statements(held, django_assert_max_num_queries):
    Registration.objects.bulk_create(registration(held, n) for n in range(60))
    policy = next(p for p in retention.policies() if p.name == "workshops.registrations")
    with django_assert_max_num_queries(12):  # 3 batches: savepoint, select ids, update, release
        assert retention._purge_one(policy, AFTER, 25) == 60  # unique placeholders: no clash in a batch
    assert set(Registration.objects.values_list("full_name", flat=True)) == {""}


def test_speakers_and_nominees_contacts_go_after_the_workshops(initiative, held, workshop, municipality):
    offer = {"workshop": held, "speaker_organisation": "Politiet", "title": "Talk", "abstract": "About it"}
    accepted = PresentationOffer.objects.create(
        **offer, speaker_name="Ola Nordmann", speaker_email="ola@example.no", status=OfferStatus.ACCEPTED
    )
    rejected = PresentationOffer.objects.create(
        **offer, speaker_name="Kari Hansen", speaker_email="kari@example.no", status=OfferStatus.REJECTED
    )
    nomination = Nomination.objects.create(
        initiative=initiative,
        municipality=municipality,
        representative_name="Petr Svoboda",
        email="petr@example.org",
        phone="777",
    )
    with time_machine.travel(AFTER, tick=False):
        done = retention.purge()
    assert done["workshops.offer_contacts"] == 2 and done["workshops.offers_not_accepted"] == 1
    accepted.refresh_from_db()
    rejected.refresh_from_db()
    # the programme keeps the accepted speaker's name; nobody's email stays
    assert (accepted.speaker_name, accepted.speaker_email, accepted.title) == ("Ola Nordmann", "", "Talk")
    assert (rejected.speaker_name, rejected.speaker_organisation, rejected.speaker_email) == ("", "", "")
    # the initiative's other workshop is still to come: the representative is still needed
    assert done["workshops.nominations"] == 0
    assert Nomination.objects.get(pk=nomination.pk).email == "petr@example.org"
    Workshop.objects.filter(pk=workshop.pk).update(held_on=HELD)
    with time_machine.travel(AFTER, tick=False):
        assert retention.purge()["workshops.nominations"] == 1
    nomination.refresh_from_db()
    assert (nomination.representative_name, nomination.email, nomination.phone) == ("", "", "")
    assert nomination.municipality == municipality
