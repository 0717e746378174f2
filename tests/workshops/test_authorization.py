"""The services authorize every write themselves (the views only check early for a nicer page): somebody
without the right is refused and nothing is written, whichever way the service is reached."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portal import roles
from portal.models import ActivityLog
from workshops import services
from workshops.models import GoodPractice, Nomination, Registration, WorkshopMessage
from workshops.workflow import OfferStatus

OFFER = {
    "speaker_name": "Pavel Fiala",
    "speaker_organisation": "Městská policie Plzeň",
    "speaker_email": "fiala@example.org",
    "title": "Společné hlídky",
    "abstract": "Rok zkušeností.",
    "minutes": 20,
}
PERSON = {
    "full_name": "Jana Nováková",
    "organisation": "Městský úřad Domažlice",
    "organisation_type": "town",
    "email": "jana@example.org",
    "consent": True,
}


@pytest.fixture
def nobody(make_user):
    return make_user(email="nobody@example.org")  # an account, no role


@pytest.fixture
def offer(workshop, staff):
    return services.offer_submit(workshop=workshop, author=staff, **OFFER)


@pytest.fixture
def registration(workshop, register):
    return register(workshop, "p@example.org")


def test_registering_needs_a_role_and_registering_others_needs_the_organiser(workshop, nobody, staff):
    with pytest.raises(PermissionDenied):
        services.registration_create(workshop=workshop, actor=nobody, **PERSON)
    with pytest.raises(PermissionDenied):
        services.registration_create(workshop=workshop, actor=None, **PERSON)
    with pytest.raises(PermissionDenied):
        services.registration_create(workshop=workshop, actor=staff, by_organiser=True, **PERSON)
    assert not Registration.objects.exists()
    assert services.registration_create(workshop=workshop, actor=staff, **PERSON).user == staff


def test_cancelling_needs_the_secret_link_or_the_organiser(registration, staff, organiser):
    token = registration.cancel_token
    for attempt in (
        {},
        {"token": token[:-1] + ("0" if token[-1] != "0" else "1")},
        {"actor": staff},  # a logged-in person without the link
        {"actor": staff, "by_organiser": True},
    ):
        with pytest.raises(PermissionDenied):
            services.registration_cancel(registration=registration, **attempt)
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    services.registration_cancel(registration=registration, actor=organiser, by_organiser=True)
    assert registration.status == Registration.Status.CANCELLED


def test_check_in_is_the_organisers(registration, staff, organiser):
    with pytest.raises(PermissionDenied):
        services.registration_check_in(registration=registration, actor=staff)
    assert services.registration_check_in(registration=registration, actor=organiser)


def test_a_town_is_nominated_by_its_own_staff_only(
    initiative, staff, organiser, municipality, other_municipality, make_user
):
    data = {"representative_name": "Marie Úřednice", "email": "marie@example.org"}
    for actor, town in ((staff, other_municipality), (organiser, municipality), (None, municipality)):
        with pytest.raises(PermissionDenied):
            services.nomination_save(initiative=initiative, municipality=town, actor=actor, **data)
    assert not Nomination.objects.exists()
    nomination, _created = services.nomination_save(
        initiative=initiative, municipality=municipality, actor=staff, **data
    )
    stranger = make_user(
        email="s2@example.org", roles=[roles.MUNICIPAL_STAFF], municipality=other_municipality
    )
    with pytest.raises(PermissionDenied):
        services.nomination_withdraw(nomination=nomination, actor=stranger)
    assert services.nomination_withdraw(nomination=nomination, actor=staff).status == "withdrawn"


def test_offers_need_an_account_and_only_the_author_edits(workshop, offer, nobody, organiser):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.offer_submit(workshop=workshop, author=AnonymousUser(), **OFFER)
    for actor in (nobody, organiser):
        with pytest.raises(PermissionDenied):
            services.offer_update(offer=offer, actor=actor, title="Jiný název")
    offer.refresh_from_db()
    assert offer.title == "Společné hlídky"


def test_the_organiser_decides_and_the_author_withdraws(offer, staff, organiser, nobody):
    with pytest.raises(PermissionDenied):
        services.offer_transition(offer=offer, action="accept", actor=staff)  # the author is no organiser
    with pytest.raises(PermissionDenied):
        services.offer_withdraw(offer=offer, actor=organiser)  # somebody else's offer
    with pytest.raises(ValidationError):  # the author's step is not one of the organiser's decisions
        services.offer_transition(offer=offer, action="withdraw", actor=staff)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.SUBMITTED
    services.offer_transition(offer=offer, action="accept", actor=organiser)
    services.offer_withdraw(offer=offer, actor=staff)
    assert offer.status == OfferStatus.WITHDRAWN
    verbs = list(
        ActivityLog.objects.filter(verb__startswith="offer.").order_by("pk").values_list("verb", "data")
    )
    assert verbs[1:] == [
        ("offer.accept", {"status": "accepted"}),
        ("offer.withdraw", {"status": "withdrawn"}),
    ]


def test_a_new_decision_replaces_the_message_and_a_superuser_is_no_organiser(offer, organiser, make_user):
    services.offer_transition(offer=offer, action="reject", actor=organiser, message="Téma nesedí.")
    admin = make_user(email="admin@example.org")
    admin.is_superuser = True
    admin.save()
    # Superusers get no implicit rule in the normal UI (portal.permissions): refused, nothing written
    with pytest.raises(PermissionDenied):
        services.offer_transition(offer=offer, action="reopen", actor=admin, message="Ještě jednou.")
    assert not ActivityLog.objects.filter(verb="offer.reopen").exists()
    services.offer_transition(offer=offer, action="reopen", actor=organiser, message="Ještě jednou.")
    services.offer_transition(offer=offer, action="accept", actor=organiser)
    offer.refresh_from_db()
    assert (offer.status, offer.decision_message, offer.decided_by) == ("accepted", "", organiser)
    assert not ActivityLog.objects.filter(data__admin_override=True).exists()


def test_outputs_messages_workshop_and_publication_are_the_organisers(workshop, staff, initiative):
    writes = [
        lambda: services.good_practice_save(
            workshop=workshop, actor=staff, title="X", town="Y", description="Z"
        ),
        lambda: services.recommendation_save(workshop=workshop, actor=staff, text="X", addressee="towns"),
        lambda: services.workshop_message_send(
            workshop=workshop, actor=staff, subject="S", body="B", audience="confirmed"
        ),
        lambda: services.workshop_update(workshop=workshop, actor=staff, capacity=50),
        lambda: services.publication_request(initiative=initiative, language="cs", actor=staff),
    ]
    for write in writes:
        with pytest.raises(PermissionDenied):
            write()
    practice = GoodPractice.objects.create(workshop=workshop, title="X", town="Y", description="Z")
    with pytest.raises(PermissionDenied):
        services.output_delete(obj=practice, actor=staff)
    assert GoodPractice.objects.count() == 1 and not WorkshopMessage.objects.exists()
    workshop.refresh_from_db()
    assert workshop.capacity == 4
