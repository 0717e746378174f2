"""Registration: seats, partner-country seats, the waitlist in order, cancellation through the secret link
promoting the next person, the confirmation email with its calendar invitation, double submits."""

import base64
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.models import Notification
from workshops import selectors, services
from workshops.models import Registration

CONFIRMED, WAITLISTED, CANCELLED = (
    Registration.Status.CONFIRMED,
    Registration.Status.WAITLISTED,
    Registration.Status.CANCELLED,
)


def test_general_seats_fill_then_the_waitlist_in_order(workshop, register):
    # capacity 4, of which 1 for the partner country: 3 general seats
    people = [register(workshop, f"p{i}@example.org") for i in range(5)]
    assert [p.status for p in people] == [CONFIRMED] * 3 + [WAITLISTED] * 2
    assert [selectors.waitlist_place(p) for p in people] == [None, None, None, 1, 2]


def test_partner_country_seats_count_separately(workshop, register):
    for i in range(3):
        register(workshop, f"cz{i}@example.org")
    norwegian = register(workshop, "ola@example.no", kind="partner_country")
    second_norwegian = register(workshop, "kari@example.no", kind="partner_country")
    czech_late = register(workshop, "late@example.org")
    assert norwegian.status == CONFIRMED and norwegian.partner_seat
    assert second_norwegian.status == WAITLISTED
    assert selectors.waitlist_place(second_norwegian) == 1  # the partner waitlist is its own
    assert czech_late.status == WAITLISTED and selectors.waitlist_place(czech_late) == 1


def test_same_email_twice_is_refused_with_a_clear_message(workshop, register):
    register(workshop, "Jana@Example.org")
    with pytest.raises(ValidationError) as error:
        register(workshop, "jana@example.org ")
    assert "jana@example.org" in error.value.message_dict["email"][0]
    assert Registration.objects.count() == 1


def test_database_refuses_a_duplicate_email_too(workshop, register):
    from django.db import IntegrityError, transaction

    first = register(workshop, "jana@example.org")
    duplicate = Registration.objects.get(pk=first.pk)
    duplicate.pk = None
    duplicate.cancel_token_hash = "other"
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_consent_and_open_window_are_required(workshop, register):
    with pytest.raises(ValidationError) as error:
        register(workshop, "a@example.org", consent=False)
    assert "consent" in error.value.message_dict
    workshop.registration_closes_at = timezone.now() - timedelta(minutes=1)
    workshop.save()
    with pytest.raises(ValidationError):
        register(workshop, "a@example.org")
    assert register(workshop, "a@example.org", by_organiser=True).status == CONFIRMED
    assert not Registration.objects.filter(email="b@example.org").exists()


@pytest.mark.django_db(transaction=True)
def test_confirmation_email_carries_the_calendar_invitation_and_the_link(workshop, register):
    registration = register(workshop, "jana@example.org", full_name="Jana Nováková")
    (message,) = mail.outbox
    assert message.to == ["jana@example.org"]
    assert "Jana Nováková" in message.body
    assert registration.cancel_token in message.body
    ((filename, content, mimetype),) = message.attachments
    assert filename == "workshop-1.ics" and mimetype == "text/calendar"
    assert "BEGIN:VEVENT" in content
    assert "SUMMARY:" in content and "Plzeň" in content
    assert "DTSTART;TZID=Europe/Prague:" in content and "T093000" in content
    assert "BEGIN:VTIMEZONE" in content
    row = Notification.objects.get(to_email="jana@example.org")
    assert base64.b64decode(row.attachments[0]["content_b64"]).startswith(b"BEGIN:VCALENDAR")


def test_only_the_token_hash_is_stored(workshop, register):
    registration = register(workshop, "jana@example.org")
    token = registration.cancel_token
    assert len(token) >= 32
    stored = Registration.objects.filter(pk=registration.pk).values()[0]
    assert token not in [str(value) for value in stored.values()]
    assert selectors.registration_by_token(token) == registration
    assert selectors.registration_by_token(token[:-1] + ("0" if token[-1] != "0" else "1")) is None


@pytest.mark.django_db(transaction=True)
def test_cancelling_through_the_link_promotes_the_next_person_and_emails_them(client, workshop, register):
    confirmed = [register(workshop, f"p{i}@example.org") for i in range(3)]
    first_waiting = register(workshop, "w1@example.org", full_name="První Čekající")
    second_waiting = register(workshop, "w2@example.org")
    mail.outbox.clear()
    url = reverse("workshops:registration", args=[confirmed[1].cancel_token])

    page = client.get(url)
    assert page.status_code == 200
    assert confirmed[1].full_name in page.content.decode()
    confirmed[1].refresh_from_db()
    assert confirmed[1].status == CONFIRMED  # a GET (a link scanner) never cancels

    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    confirmed[1].refresh_from_db()
    first_waiting.refresh_from_db()
    second_waiting.refresh_from_db()
    assert confirmed[1].status == CANCELLED
    assert first_waiting.status == CONFIRMED
    assert second_waiting.status == WAITLISTED and selectors.waitlist_place(second_waiting) == 1
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == ["p1@example.org", "w1@example.org"]
    promoted_mail = next(m for m in mail.outbox if m.to == ["w1@example.org"])
    assert promoted_mail.attachments and promoted_mail.attachments[0][0].endswith(".ics")
    assert first_waiting.cancel_token in promoted_mail.body  # the same link still works

    # A second POST (double click) changes nothing and says so.
    again = client.post(url, {"confirm": "1"}, follow=True)
    assert "This registration is already cancelled." in again.content.decode()
    assert Registration.objects.filter(status=CONFIRMED).count() == 3


def test_cancelling_a_waitlisted_registration_promotes_nobody(workshop, register):
    for i in range(3):
        register(workshop, f"p{i}@example.org")
    waiting = [register(workshop, f"w{i}@example.org") for i in range(2)]
    assert services.registration_cancel(registration=waiting[0], token=waiting[0].cancel_token) == []
    waiting[1].refresh_from_db()
    assert waiting[1].status == WAITLISTED and selectors.waitlist_place(waiting[1]) == 1


def test_cancelled_person_may_register_again_at_the_end_of_the_queue(workshop, register):
    people = [register(workshop, f"p{i}@example.org") for i in range(4)]
    services.registration_cancel(registration=people[0], token=people[0].cancel_token)
    people[3].refresh_from_db()
    assert people[3].status == CONFIRMED
    again = register(workshop, "p0@example.org")
    assert again.pk == people[0].pk and again.status == WAITLISTED


def test_no_self_service_cancellation_after_the_start(workshop, register, organiser):
    registration = register(workshop, "jana@example.org")
    with time_machine.travel(workshop.starts_at + timedelta(minutes=5)), pytest.raises(ValidationError):
        services.registration_cancel(registration=registration, token=registration.cancel_token)
    services.registration_cancel(registration=registration, actor=organiser, by_organiser=True)


def test_unknown_or_garbage_token_is_404(client, db):
    assert client.get("/workshops/registration/nope/").status_code == 404
    assert client.get("/workshops/registration/" + "x" * 300 + "/").status_code == 404


def test_ics_download(client, workshop, register):
    registration = register(workshop, "jana@example.org")
    response = client.get(reverse("workshops:registration_ics", args=[registration.cancel_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VEVENT" in response.content


def test_register_page_prefills_and_registers(client, workshop, staff, form_data):
    client.force_login(staff)
    page = client.get(reverse("workshops:register", args=[workshop.pk]))
    assert page.status_code == 200
    assert 'value="urednice@example.org"' in page.content.decode()
    assert 'value="Domažlice"' in page.content.decode()

    response = client.post(reverse("workshops:register", args=[workshop.pk]), form_data())
    registration = Registration.objects.get(email="jana@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("workshops:registration", args=[registration.cancel_token])
    assert registration.user == staff and registration.status == CONFIRMED

    # The same form again (double click): a clear message, the typed values kept, nothing added.
    again = client.post(
        reverse("workshops:register", args=[workshop.pk]), form_data(needs="bezlepková strava")
    )
    assert again.status_code == 200
    html = again.content.decode()
    assert "already registered" in html
    assert "bezlepková strava" in html
    assert Registration.objects.count() == 1


def test_register_form_errors_keep_what_was_typed(client, workshop, staff, form_data):
    client.force_login(staff)
    response = client.post(
        reverse("workshops:register", args=[workshop.pk]),
        form_data(consent="", email="not-an-email", needs="<script>alert(1)</script>"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert Registration.objects.count() == 0
    assert "Jana Nováková" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert html.count('class="errorlist') >= 2


def test_registration_needs_an_account_and_a_role(client, workshop, make_user):
    url = reverse("workshops:register", args=[workshop.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(make_user(email="nobody@example.org"))
    assert client.get(url).status_code == 403


def test_workshop_page_shows_seats_programme_and_own_registration(client, workshop, staff, register):
    register(workshop, "urednice@example.org", actor=staff)
    client.force_login(staff)
    html = client.get(reverse("workshops:workshop", args=[workshop.pk])).content.decode()
    registration = Registration.objects.get()
    assert reverse("workshops:registration", args=[registration.cancel_token]) in html


def test_index_costs_a_constant_number_of_queries(client, workshop, register, django_assert_max_num_queries):
    for i in range(6):
        register(workshop, f"p{i}@example.org")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("workshops:index"))
    assert response.status_code == 200
    assert "Local public order matters" in response.content.decode()
