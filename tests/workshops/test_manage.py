"""The organiser's lists, exports, attendance sheet, check-in, messages and workshop details."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from portal.models import Notification
from workshops.models import Registration, WorkshopMessage


@pytest.fixture
def people(workshop, register):
    people = [register(workshop, f"p{i}@example.org", full_name=f"Účastník {i}") for i in range(3)]
    people.append(register(workshop, "evil@example.org", full_name="=cmd|' /C calc'!A0", phone="+420 1"))
    people.append(register(workshop, "ola@example.no", full_name="Ola Nordmann", kind="partner_country"))
    return people


def test_organiser_pages_are_for_organisers_only(client, workshop, staff):
    urls = [
        reverse("workshops:manage_registrations", args=[workshop.pk]),
        reverse("workshops:manage_check_in", args=[workshop.pk]),
        reverse("workshops:manage_attendance_sheet", args=[workshop.pk]),
        reverse("workshops:manage_offers", args=[workshop.pk]),
        reverse("workshops:manage_outputs", args=[workshop.pk]),
        reverse("workshops:manage_message", args=[workshop.pk]),
        reverse("workshops:manage_workshop_edit", args=[workshop.pk]),
        reverse("workshops:publication_manage", args=[workshop.initiative.code]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302, url  # to the login page
    client.force_login(staff)
    for url in urls:
        assert client.get(url).status_code == 403, url


def test_registrations_list_filters_and_query_budget(
    client, organiser, workshop, people, django_assert_max_num_queries
):
    client.force_login(organiser)
    url = reverse("workshops:manage_registrations", args=[workshop.pk])
    with django_assert_max_num_queries(9):
        html = client.get(url).content.decode()
    assert all(p.email in html for p in people)
    html = client.get(url, {"status": "waitlisted"}).content.decode()
    assert "evil@example.org" in html and "p0@example.org" not in html
    html = client.get(url, {"organisation_type": "partner_country"}).content.decode()
    assert "ola@example.no" in html and "p0@example.org" not in html


def test_exports_are_safe_against_formula_injection(client, organiser, workshop, people):
    client.force_login(organiser)
    url = reverse("workshops:manage_registrations", args=[workshop.pk])
    csv = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert "\"'=cmd|' /C calc'!A0\"" in csv or "'=cmd|' /C calc'!A0" in csv
    assert "Účastník 0" in csv

    response = client.get(url, {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    evil = next(cell for cell in cells if cell.value and "calc" in str(cell.value))
    assert evil.data_type == "s"  # a string cell: never evaluated as a formula
    assert not any(cell.data_type == "f" for cell in cells)


def test_attendance_sheet_is_a_pdf_with_the_confirmed_names(client, organiser, workshop, people):
    client.force_login(organiser)
    response = client.get(reverse("workshops:manage_attendance_sheet", args=[workshop.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_check_in_marks_present_and_a_second_click_changes_nothing(client, organiser, workshop, people):
    client.force_login(organiser)
    url = reverse("workshops:manage_registration_check_in", args=[people[0].pk])
    client.post(url)
    client.post(url)
    people[0].refresh_from_db()
    assert people[0].status == Registration.Status.ATTENDED and people[0].attended_at
    assert (
        people[0].full_name
        in client.get(reverse("workshops:manage_check_in", args=[workshop.pk])).content.decode()
    )
    client.post(url, {"undo": "1"})
    people[0].refresh_from_db()
    assert people[0].status == Registration.Status.CONFIRMED


def test_organiser_cancels_and_the_waitlist_moves(client, organiser, workshop, people):
    client.force_login(organiser)
    waiting = people[3]
    assert waiting.status == Registration.Status.WAITLISTED
    client.post(reverse("workshops:manage_registration_cancel", args=[people[0].pk]), {"confirm": "1"})
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.CONFIRMED


@pytest.mark.django_db(transaction=True)
def test_message_reaches_every_registrant_once(client, organiser, workshop, people):
    client.force_login(organiser)
    mail.outbox.clear()
    url = reverse("workshops:manage_message", args=[workshop.pk])
    key = client.get(url).context["form"].initial["submission_key"]
    data = {
        "audience": "confirmed",
        "subject": "Místo konání",
        "body": "Sál 204, 2. patro.",
        "submission_key": key,
    }
    client.post(url, data)
    client.post(url, data)  # double click
    assert WorkshopMessage.objects.count() == 1
    confirmed = {p.email for p in people if p.status == "confirmed"}
    assert {m.to[0] for m in mail.outbox} == confirmed
    assert len(mail.outbox) == len(confirmed)
    assert all("Sál 204, 2. patro." in m.body for m in mail.outbox)
    assert Notification.objects.filter(kind="workshop_message").count() == len(confirmed)


def test_more_seats_promote_the_waitlist_fewer_than_taken_is_refused(client, organiser, workshop, people):
    from workshops import services

    with pytest.raises(Exception) as error:
        services.workshop_update(workshop=workshop, actor=organiser, capacity=2)
    assert "capacity" in error.value.message_dict
    _saved, promoted = services.workshop_update(workshop=workshop, actor=organiser, capacity=5)
    assert [p.email for p in promoted] == ["evil@example.org"]


def test_outputs_are_recorded_once_and_edited(client, organiser, workshop):
    client.force_login(organiser)
    url = reverse("workshops:manage_outputs", args=[workshop.pk])
    key = client.get(url).context["recommendation_form"].initial["submission_key"]
    data = {
        "kind": "recommendation",
        "rec-text": "Uzavřít koordinační dohodu.",
        "rec-addressee": "towns",
        "rec-priority": "1",
        "rec-text_en": "",
        "rec-submission_key": key,
    }
    client.post(url, data)
    client.post(url, data)
    from workshops.models import Recommendation

    recommendation = Recommendation.objects.get()
    assert recommendation.text == "Uzavřít koordinační dohodu."
    client.post(
        reverse("workshops:manage_recommendation", args=[recommendation.pk]),
        {"text": "Upraveno.", "addressee": "ministry", "priority": "2", "text_en": ""},
    )
    recommendation.refresh_from_db()
    assert (recommendation.text, recommendation.addressee) == ("Upraveno.", "ministry")
    delete = reverse("workshops:manage_output_delete", args=["recommendation", recommendation.pk])
    client.post(delete, {"confirm": "1"})
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize("target", ["/\\evil.example", "//evil", "https://evil.example/", "\\\\evil"])
def test_back_to_the_list_never_leaves_the_site(client, organiser, workshop, people, target):
    client.force_login(organiser)
    url = reverse("workshops:manage_registration_check_in", args=[people[0].pk])
    response = client.post(url, {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("workshops:manage_check_in", args=[workshop.pk])


def test_back_to_the_list_keeps_its_filters(client, organiser, workshop, people):
    client.force_login(organiser)
    back = reverse("workshops:manage_registrations", args=[workshop.pk]) + "?status=confirmed&q=P"
    response = client.post(
        reverse("workshops:manage_registration_cancel", args=[people[0].pk]), {"next": back, "confirm": "1"}
    )
    assert response["Location"] == back


@pytest.mark.parametrize("field", ["registration_opens_at", "offers_close_at", "held_on"])
def test_a_year_one_date_is_refused_and_the_workshop_stays_readable(client, organiser, workshop, field):
    """The hostile run typed year 1 into the organiser's edit form: it was saved, and on PostgreSQL every page
    that reads the workshop answered 500 from then on."""
    from workshops.forms import WorkshopForm

    form = WorkshopForm(instance=workshop)
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    data[field] = "0001-01-01" if field == "held_on" else "0001-01-01T00:00"
    before = getattr(workshop, field)
    client.force_login(organiser)
    response = client.post(reverse("workshops:manage_workshop_edit", args=[workshop.pk]), data)
    assert response.status_code == 200  # the form again, with the error; not saved
    assert "Enter a date between the years" in response.content.decode()
    workshop.refresh_from_db()
    assert getattr(workshop, field) == before
    assert client.get(reverse("workshops:manage_registrations", args=[workshop.pk])).status_code == 200
