"""Destructive steps ask first, without any script: cancelling a registration (the self-service link, the
organiser's list), withdrawing an offer or a nomination, deleting an output. The first POST only shows the
question ("Yes, …" / "No, keep it") and changes nothing; only the confirmed POST acts. And a place on the
waitlist gets no calendar entry: neither a link to an .ics on its page, nor the file, nor an attachment in
its email."""

import pytest
from django.core import mail
from django.urls import reverse

from portal.models import Notification
from workshops import services
from workshops.models import GoodPractice, Nomination, PresentationOffer, Registration
from workshops.workflow import OfferStatus

CONFIRMED, WAITLISTED, CANCELLED = (
    Registration.Status.CONFIRMED,
    Registration.Status.WAITLISTED,
    Registration.Status.CANCELLED,
)


def _asks(response, *, question: str, back: str) -> str:
    """The confirmation page: the question, a form that posts confirm=1, and the way back."""
    assert response.status_code == 200
    html = response.content.decode()
    assert question in html
    assert 'name="confirm" value="1"' in html
    assert 'data-confirm="yes"' in html
    assert f'href="{back}" data-confirm="no"' in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    return html


def test_cancelling_through_the_link_asks_first(client, workshop, register):
    people = [register(workshop, f"p{i}@example.org") for i in range(3)]
    waiting = register(workshop, "w@example.org")
    url = reverse("workshops:registration", args=[people[0].cancel_token])
    sent = Notification.objects.count()

    html = _asks(client.post(url), question=f"Cancel your registration for {workshop}?", back=url)
    assert "Yes, cancel my registration" in html and "No, keep it" in html
    people[0].refresh_from_db()
    waiting.refresh_from_db()
    assert people[0].status == CONFIRMED and waiting.status == WAITLISTED
    assert Notification.objects.count() == sent  # nobody was told anything

    assert client.post(url, {"confirm": "1"}).status_code == 302
    people[0].refresh_from_db()
    waiting.refresh_from_db()
    assert people[0].status == CANCELLED and waiting.status == CONFIRMED


def test_leaving_the_waitlist_asks_first_too(client, workshop, register):
    for i in range(3):
        register(workshop, f"p{i}@example.org")
    waiting = register(workshop, "w@example.org")
    url = reverse("workshops:registration", args=[waiting.cancel_token])
    html = _asks(client.post(url), question=f"Cancel your registration for {workshop}?", back=url)
    assert "You leave the waitlist." in html
    waiting.refresh_from_db()
    assert waiting.status == WAITLISTED
    client.post(url, {"confirm": "1"})
    waiting.refresh_from_db()
    assert waiting.status == CANCELLED


def test_the_organiser_cancels_in_two_steps_and_comes_back_to_the_list(client, organiser, workshop, register):
    people = [register(workshop, f"p{i}@example.org", full_name=f"Účastník {i}") for i in range(3)]
    client.force_login(organiser)
    url = reverse("workshops:manage_registration_cancel", args=[people[0].pk])
    back = reverse("workshops:manage_registrations", args=[workshop.pk]) + "?status=confirmed"

    html = _asks(
        client.post(url, {"next": back}), question="Cancel the registration of Účastník 0?", back=back
    )
    assert f'name="next" value="{back}"' in html  # the confirmed POST still comes back to the filtered list
    people[0].refresh_from_db()
    assert people[0].status == CONFIRMED

    response = client.post(url, {"next": back, "confirm": "1"})
    assert response["Location"] == back
    people[0].refresh_from_db()
    assert people[0].status == CANCELLED


def test_the_organisers_first_step_does_not_send_back_to_another_site(client, organiser, workshop, register):
    person = register(workshop, "p@example.org")
    client.force_login(organiser)
    url = reverse("workshops:manage_registration_cancel", args=[person.pk])
    html = client.post(url, {"next": "https://evil.example/"}).content.decode()
    assert "evil.example" not in html


def test_withdrawing_an_offer_asks_first(client, workshop, staff):
    offer = services.offer_submit(
        workshop=workshop,
        author=staff,
        title="Společné hlídky",
        speaker_name="Pavel Fiala",
        speaker_organisation="Městská policie Plzeň",
        speaker_email="fiala@example.org",
        abstract="Rok zkušeností.",
        minutes=20,
    )
    client.force_login(staff)
    my = reverse("workshops:my")
    assert reverse("workshops:offer_withdraw", args=[offer.pk]) in client.get(my).content.decode()
    url = reverse("workshops:offer_withdraw", args=[offer.pk])

    html = _asks(client.post(url), question="Withdraw your offer “Společné hlídky”?", back=my)
    assert "Yes, withdraw the offer" in html
    assert PresentationOffer.objects.get(pk=offer.pk).status == OfferStatus.SUBMITTED

    assert client.post(url, {"confirm": "1"})["Location"] == my
    assert PresentationOffer.objects.get(pk=offer.pk).status == OfferStatus.WITHDRAWN


def test_withdrawing_a_nomination_asks_first(client, initiative, staff):
    client.force_login(staff)
    url = reverse("workshops:nomination", args=[initiative.code])
    data = {
        "representative_name": "Marie Úřednice",
        "position": "tajemnice",
        "email": "marie@example.org",
        "phone": "",
        "note": "",
    }
    client.post(url, {**data, "action": "save"})
    nomination = Nomination.objects.get()

    html = _asks(
        client.post(url, {"action": "withdraw"}),
        question="Withdraw the nomination of Marie Úřednice?",
        back=url,
    )
    assert 'name="action" value="withdraw"' in html
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.ACTIVE

    client.post(url, {"action": "withdraw", "confirm": "1"})
    nomination.refresh_from_db()
    assert nomination.status == Nomination.Status.WITHDRAWN


def test_deleting_an_output_asks_first(client, organiser, workshop):
    practice = GoodPractice.objects.create(
        workshop=workshop, title="Společné hlídky", town="Plzeň", description="Rok zkušeností."
    )
    client.force_login(organiser)
    url = reverse("workshops:manage_output_delete", args=["good_practice", practice.pk])
    back = reverse("workshops:manage_outputs", args=[workshop.pk])
    _asks(client.post(url), question="Delete “Společné hlídky”?", back=back)
    assert GoodPractice.objects.filter(pk=practice.pk).exists()
    assert client.post(url, {"confirm": "1"})["Location"] == back
    assert not GoodPractice.objects.filter(pk=practice.pk).exists()


# --- no calendar entry for a place on the waitlist -------------------------------------------------------


def test_a_confirmed_place_links_its_calendar_file(client, workshop, register):
    person = register(workshop, "p@example.org")
    ics = reverse("workshops:registration_ics", args=[person.cancel_token])
    page = client.get(reverse("workshops:registration", args=[person.cancel_token])).content.decode()
    assert ics in page and ".ics" in page
    assert client.get(ics).status_code == 200


def test_a_place_on_the_waitlist_has_no_calendar_file(client, workshop, register):
    for i in range(3):
        register(workshop, f"p{i}@example.org")
    waiting = register(workshop, "w@example.org")
    assert waiting.status == WAITLISTED
    ics = reverse("workshops:registration_ics", args=[waiting.cancel_token])
    page = client.get(reverse("workshops:registration", args=[waiting.cancel_token])).content.decode()
    assert "number 1 on the waitlist" in page
    assert ics not in page and ".ics" not in page
    assert client.get(ics).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_waitlist_email_has_no_calendar_file_and_the_promotion_email_has_one(workshop, register):
    people = [register(workshop, f"p{i}@example.org") for i in range(3)]
    mail.outbox.clear()
    waiting = register(workshop, "w@example.org")
    (waitlisted,) = mail.outbox
    assert waitlisted.to == ["w@example.org"]
    assert not waitlisted.attachments and ".ics" not in waitlisted.body
    assert not Notification.objects.get(to_email="w@example.org").attachments

    services.registration_cancel(registration=people[0], token=people[0].cancel_token)
    waiting.refresh_from_db()
    assert waiting.status == CONFIRMED
    promoted = [m for m in mail.outbox if m.to == ["w@example.org"]][-1]
    ((filename, _content, mimetype),) = promoted.attachments
    assert filename.endswith(".ics") and mimetype == "text/calendar"
