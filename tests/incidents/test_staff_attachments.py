"""Attachments are served only to those who may see the report, never as public media files."""

import pytest

from incidents.models import Attachment

from .staff_helpers import act, login, pdf_upload, png_upload, staff_fixture, submit  # noqa: F401


@pytest.fixture
def files(staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = submit(staff, attachments=[png_upload(), pdf_upload("dopis <b>.pdf")])
    photo, pdf = Attachment.objects.filter(report=report).order_by("pk")
    return {"report": report, "photo": photo, "pdf": pdf}


def url(item) -> str:
    return f"/reports/staff/attachments/{item.pk}/"


@pytest.mark.django_db
def test_officer_of_the_district_gets_the_photo_inline(client, staff, files):
    login(client, staff["officer"])
    response = client.get(url(files["photo"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"  # re-encoded
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"


@pytest.mark.django_db
def test_pdf_is_downloaded_not_shown(client, staff, files):
    login(client, staff["coordinator"])
    response = client.get(url(files["pdf"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert "<b>" not in response["Content-Disposition"] or '"' in response["Content-Disposition"]


@pytest.mark.django_db
def test_report_page_links_the_protected_urls_not_media(client, staff, files):
    login(client, staff["officer"])
    html = client.get(f"/reports/staff/{files['report'].pk}/").content.decode()
    assert f'src="{url(files["photo"])}?size=thumb"' in html and f'href="{url(files["pdf"])}"' in html
    assert "/media/" not in html and files["photo"].file.name not in html


@pytest.mark.django_db
def test_others_get_404_and_anonymous_the_login(client, staff, files):
    for user in (staff["officer2"], staff["other_coordinator"], staff["partner"], staff["nobody"]):
        login(client, user)
        assert client.get(url(files["photo"])).status_code == 404, user
        assert client.get("/reports/staff/attachments/999999/").status_code == 404
    client.logout()
    response = client.get(url(files["photo"]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_partner_body_sees_the_photos_of_reports_handed_to_it(client, staff, files):
    report = files["report"]
    act(report, "take_up", staff["officer"])
    act(report, "confirm", staff["officer"])
    act(report, "hand_over", staff["officer"], partner_body=staff["body"])
    login(client, staff["partner"])
    assert client.get(url(files["photo"])).status_code == 200


@pytest.mark.django_db
def test_missing_file_is_404_not_an_error(client, staff, files):
    files["photo"].file.delete(save=False)
    login(client, staff["officer"])
    assert client.get(url(files["photo"])).status_code == 404
