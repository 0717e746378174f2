"""A partner body's access follows the report's current state: it sees a report (page, description, photos,
queue) while the report is handed over to it, and loses all of it when the police take the report back."""

import pytest

from incidents.models import Attachment, Status
from incidents.staff_forms import ALL_STATUSES

from .staff_helpers import act, login, png_upload, staff_fixture, submit  # noqa: F401

DESCRIPTION = "Rozbitá lampa u školy, svítí jen občas."


@pytest.fixture
def handed_over(staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = submit(staff, description=DESCRIPTION, attachments=[png_upload()])
    act(report, "take_up", staff["officer"])
    act(report, "confirm", staff["officer"])
    act(report, "hand_over", staff["officer"], partner_body=staff["body"], internal_note="Pro MP")
    report.refresh_from_db()
    return {"report": report, "photo": Attachment.objects.get(report=report)}


def _page(report) -> str:
    return f"/reports/staff/{report.pk}/"


def _photo(item) -> str:
    return f"/reports/staff/attachments/{item.pk}/"


@pytest.mark.django_db
def test_partner_loses_the_report_its_description_and_photos_when_it_is_taken_back(
    client, staff, handed_over
):
    report, photo = handed_over["report"], handed_over["photo"]
    login(client, staff["partner"])
    page = client.get(_page(report))
    assert page.status_code == 200 and DESCRIPTION in page.content.decode()
    assert client.get(_photo(photo)).status_code == 200
    assert report.reference in client.get("/reports/staff/").content.decode()

    act(report, "reopen", staff["coordinator"], public_answer="Převezmeme to zpět.")
    report.refresh_from_db()
    assert report.status == Status.VERIFYING and report.partner_body_id == staff["body"].pk  # name kept

    page = client.get(_page(report))
    assert page.status_code == 404 and DESCRIPTION not in page.content.decode()
    assert client.get(_photo(photo)).status_code == 404
    queue = client.get("/reports/staff/").content.decode()
    assert report.reference not in queue
    assert report.reference not in client.get(f"/reports/staff/?status={ALL_STATUSES}").content.decode()
    # Nor can it answer any more (the form is gone, and a crafted post finds no report)
    answer = {"action": "partner_answer", "partner_answer-public_answer": "Opraveno"}
    assert client.post(f"/reports/staff/{report.pk}/act/", answer).status_code == 404

    # The police still have it, and handing it over again gives the body access again
    login(client, staff["officer"])
    assert client.get(_page(report)).status_code == 200
    act(report, "confirm", staff["officer"])
    act(report, "hand_over", staff["officer"], partner_body=staff["body"])
    login(client, staff["partner"])
    assert client.get(_page(report)).status_code == 200
    assert client.get(_photo(photo)).status_code == 200
