"""The staff report page shows small thumbnails of the photos, each a link to the full photo; thumbnails are
served under the same access rules as the photos."""

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from incidents.models import Attachment
from portal.uploads import THUMBNAIL_LONG_SIDE, THUMBNAIL_MAX_BYTES, photo_thumbnail

from .staff_helpers import act, login, pdf_upload, staff_fixture, submit  # noqa: F401


def phone_photo(width: int = 1600, height: int = 1200) -> SimpleUploadedFile:
    """A photo as phones take them: detail everywhere (noise over a gradient): it does not compress well."""
    rng = random.Random(7)
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    photo = Image.blend(image, noise, 0.35)
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=92)
    return SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def files(staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = submit(staff, attachments=[phone_photo(), pdf_upload()])
    photo, pdf = Attachment.objects.filter(report=report).order_by("pk")
    return {"report": report, "photo": photo, "pdf": pdf}


def full(item) -> str:
    return f"/reports/staff/attachments/{item.pk}/"


def thumb(item) -> str:
    return f"{full(item)}?size=thumb"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db
def test_a_1600_px_photo_gets_a_small_thumbnail_at_upload(client, staff, files):
    photo = files["photo"]
    assert photo.size > 200 * 1024  # the full photo, as the page used to load it
    assert photo.thumbnail and not files["pdf"].thumbnail
    login(client, staff["officer"])
    response = client.get(thumb(photo))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    data = body(response)
    assert len(data) <= THUMBNAIL_MAX_BYTES == 30 * 1024
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG" and max(image.size) == THUMBNAIL_LONG_SIDE == 320
        assert image.size == (320, 240)
    with Image.open(io.BytesIO(body(client.get(full(photo))))) as image:
        assert image.size == (1600, 1200)  # the link still opens the whole photo


@pytest.mark.django_db
def test_report_page_shows_thumbnails_linking_to_the_full_photo(client, staff, files):
    login(client, staff["officer"])
    html = client.get(f"/reports/staff/{files['report'].pk}/").content.decode()
    assert f'<a href="{full(files["photo"])}"><img src="{thumb(files["photo"])}"' in html
    assert f'src="{full(files["photo"])}"' not in html  # never the full photo as a thumbnail
    assert files["photo"].thumbnail.name not in html and "/media/" not in html


@pytest.mark.django_db
def test_thumbnail_has_the_photos_access_rules_and_headers(client, staff, files):
    login(client, staff["coordinator"])
    response = client.get(thumb(files["photo"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline; filename=")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    for user in (staff["officer2"], staff["other_coordinator"], staff["partner"], staff["nobody"]):
        login(client, user)
        assert client.get(thumb(files["photo"])).status_code == 404, user
    client.logout()
    response = client.get(thumb(files["photo"]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_partner_body_sees_the_thumbnails_of_reports_handed_to_it(client, staff, files):
    report = files["report"]
    for action in ("take_up", "confirm"):
        act(report, action, staff["officer"])
    act(report, "hand_over", staff["officer"], partner_body=staff["body"])
    login(client, staff["partner"])
    assert client.get(thumb(files["photo"])).status_code == 200


@pytest.mark.django_db
def test_a_document_has_no_thumbnail(client, staff, files):
    login(client, staff["officer"])
    assert client.get(thumb(files["pdf"])).status_code == 404


@pytest.mark.django_db
def test_photos_stored_before_thumbnails_get_one_on_first_request(client, staff, files):
    photo = files["photo"]
    photo.thumbnail.delete(save=False)
    Attachment.objects.filter(pk=photo.pk).update(thumbnail=None)  # as the migration left older photos
    login(client, staff["officer"])
    first = body(client.get(thumb(photo)))
    assert len(first) <= THUMBNAIL_MAX_BYTES
    photo.refresh_from_db()
    assert photo.thumbnail  # stored: the next request does not make it again
    name = photo.thumbnail.name
    assert body(client.get(thumb(photo))) == first
    photo.refresh_from_db()
    assert photo.thumbnail.name == name


@pytest.mark.django_db
def test_missing_photo_file_gives_404_for_its_thumbnail(client, staff, files):
    photo = files["photo"]
    photo.thumbnail.delete(save=False)
    photo.file.delete(save=False)
    login(client, staff["officer"])
    assert client.get(thumb(photo)).status_code == 404


def test_a_detailed_photo_gets_a_lower_quality_to_stay_under_30_kb():
    """Detail at the thumbnail's own scale (at quality 70 it would take about 35 KB)."""
    rng = random.Random(7)
    detail = Image.frombytes("RGB", (320, 240), rng.randbytes(320 * 240 * 3)).resize(
        (1600, 1200), Image.NEAREST
    )
    buffer = io.BytesIO()
    detail.save(buffer, format="JPEG", quality=95)
    thumbnail = photo_thumbnail(buffer.getvalue())
    assert 20 * 1024 < len(thumbnail) <= THUMBNAIL_MAX_BYTES
    with Image.open(io.BytesIO(thumbnail)) as image:
        assert image.size == (320, 240)


def test_no_thumbnail_of_what_is_no_photo():
    assert photo_thumbnail(b"%PDF-1.4 not a photo") is None
