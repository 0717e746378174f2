"""Presentation offers: submitted → accepted / rejected / withdrawn (the workflow as data), with a message to
the author; accepted ones form the workshop's programme; the author edits until the deadline."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from portal.models import Notification
from workshops import services, workflow
from workshops.forms import OfferForm
from workshops.models import PresentationOffer
from workshops.rules import is_offer_author
from workshops.workflow import OfferStatus

OFFER = {
    "title": "Společné hlídky v Plzni",
    "speaker_name": "Pavel Fiala",
    "speaker_organisation": "Městská policie Plzeň",
    "speaker_email": "fiala@example.org",
    "abstract": "Rok zkušeností se společnými hlídkami.",
    "minutes": 20,
}


@pytest.fixture
def offer(workshop, staff):
    return services.offer_submit(workshop=workshop, author=staff, **OFFER)


def test_anyone_logged_in_may_offer_and_a_double_submit_saves_once(client, workshop, make_user):
    author = make_user(email="author@example.org")  # no role at all
    client.force_login(author)
    page = client.get(reverse("workshops:offer_new"), {"workshop": workshop.pk})
    assert page.status_code == 200
    key = page.context["form"].initial["submission_key"]
    data = {**OFFER, "workshop": workshop.pk, "submission_key": key}
    assert client.post(reverse("workshops:offer_new"), data).status_code == 302
    assert client.post(reverse("workshops:offer_new"), data).status_code == 302
    offer = PresentationOffer.objects.get()
    assert offer.author == author and offer.status == OfferStatus.SUBMITTED
    assert Notification.objects.filter(kind="workshop_offer_received").count() == 1
    assert "Společné hlídky v Plzni" in client.get(reverse("workshops:my")).content.decode()


def test_invalid_offer_keeps_what_was_typed(client, workshop, staff):
    client.force_login(staff)
    response = client.post(
        reverse("workshops:offer_new"),
        {**OFFER, "workshop": workshop.pk, "minutes": 500, "submission_key": str(uuid.uuid4())},
    )
    assert response.status_code == 200
    assert "Společné hlídky v Plzni" in response.content.decode()
    assert not PresentationOffer.objects.exists()


def test_accept_puts_the_offer_in_the_programme_and_tells_the_author(client, offer, organiser, workshop):
    client.force_login(organiser)
    response = client.post(
        reverse("workshops:manage_offer_decide", args=[offer.pk]),
        {"action": "accept", "message": "Těšíme se!"},
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and offer.decided_by == organiser
    notification = Notification.objects.get(kind="workshop_offer_decided")
    assert notification.to_email == offer.author.email and "Těšíme se!" in notification.body_text
    page = client.get(reverse("workshops:workshop", args=[workshop.pk])).content.decode()
    assert "Společné hlídky v Plzni" in page and "Pavel Fiala" in page


def test_reject_needs_a_message(offer, organiser):
    with pytest.raises(ValidationError) as error:
        services.offer_transition(offer=offer, action="reject", actor=organiser)
    assert "message" in error.value.message_dict
    services.offer_transition(offer=offer, action="reject", actor=organiser, message="Téma nesedí.")
    assert offer.status == OfferStatus.REJECTED
    with pytest.raises(ValidationError):  # not twice, not from another state
        services.offer_transition(offer=offer, action="accept", actor=organiser)


def test_author_edits_until_the_deadline_and_withdraws(client, offer, staff, workshop):
    client.force_login(staff)
    url = reverse("workshops:offer_edit", args=[offer.pk])
    client.post(url, {**OFFER, "workshop": workshop.pk, "title": "Nový název"})
    offer.refresh_from_db()
    assert offer.title == "Nový název"
    workshop.offers_close_at = timezone.now() + timedelta(hours=1)
    workshop.save()
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        page = client.post(url, {**OFFER, "workshop": workshop.pk, "title": "Pozdě"})
        assert "can no longer be edited" in page.content.decode()
        offer.refresh_from_db()
        assert offer.title == "Nový název"
    withdraw = reverse("workshops:offer_withdraw", args=[offer.pk])
    assert client.post(withdraw, {"confirm": "1"}).status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN


def test_nobody_else_may_touch_an_offer(client, offer, make_user, workshop):
    client.force_login(make_user(email="other@example.org"))
    assert client.get(reverse("workshops:offer_edit", args=[offer.pk])).status_code == 403
    assert client.post(reverse("workshops:offer_withdraw", args=[offer.pk])).status_code == 403
    assert (
        client.post(
            reverse("workshops:manage_offer_decide", args=[offer.pk]), {"action": "accept"}
        ).status_code
        == 403
    )
    assert offer.author.has_perm("workshops.change_offer", offer)


def test_workflow_is_data():
    transitions = workflow.OFFER.transitions
    assert {t.name for t in transitions.values()} == {"accept", "reject", "reopen", "withdraw"}
    assert transitions["withdraw"].allowed is is_offer_author  # the author's step


def test_organiser_list_filters_and_exports(
    client, offer, organiser, workshop, django_assert_max_num_queries
):
    client.force_login(organiser)
    url = reverse("workshops:manage_offers", args=[workshop.pk])
    with django_assert_max_num_queries(8):
        assert "Společné hlídky v Plzni" in client.get(url).content.decode()
    assert "Společné hlídky v Plzni" not in client.get(url, {"status": "accepted"}).content.decode()
    assert "Pavel Fiala" in client.get(url, {"format": "csv"}).content.decode()


def test_the_offer_form_itself_bounds_the_minutes(workshop):
    """Issue 12, item 1: the form checks the model's 5–120 minutes too, and tells the browser."""
    form = OfferForm({**OFFER, "workshop": workshop.pk, "minutes": "100000"})
    with translation.override("en"):
        assert not form.is_valid()
        assert form.errors["minutes"] == ["Ensure this value is less than or equal to 120."]
    assert 'min="5" max="120"' in str(form["minutes"])
