"""The officer searches the queue by part of a reference, on a phone in Czech and on a laptop in English, and
the report page shows small thumbnails of the photos, each a link to the full photo.

Assertions read URLs, field names, data-* attributes and image sizes, not translated texts. With
``OKRSEK_SCREENSHOTS=1`` the pages are saved to docs/screenshots/ (staff-search-*.png)."""

import io
import random

import pytest
from django.conf import settings
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from incidents import services
from incidents.models import Category, District
from portal import roles
from portal.models import Country, Municipality, PoliceUnit

from .test_report_staff import _axe_violations, _context, _log_in, _no_sideways_scroll, _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings")]

PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1366, "height": 768}


def _photo(seed: int) -> SimpleUploadedFile:
    """A 1600 × 1200 photo with detail everywhere, as phones take them."""
    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize((1600, 1200)).convert("RGB")
    noise = Image.frombytes("RGB", (1600, 1200), rng.randbytes(1600 * 1200 * 3))
    buffer = io.BytesIO()
    Image.blend(base, noise, 0.3).save(buffer, format="JPEG", quality=92)
    return SimpleUploadedFile(f"IMG_{seed}.jpg", buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def reports(make_user, settings, tmp_path):
    """Rokycany's district with its officer and three reports, the second with two photos."""
    settings.MEDIA_ROOT = tmp_path
    settings.REPORTS_PER_CLIENT_CATEGORY_DAY = 0
    square = MultiPolygon(
        Polygon(((13.80, 49.72), (13.86, 49.72), (13.86, 49.76), (13.80, 49.76), (13.80, 49.72))), srid=4326
    )
    town = Municipality.objects.create(country=Country.CZ, code="559717", name="Rokycany", boundary=square)
    unit = PoliceUnit.objects.create(code="oop-rokycany", name="OOP Rokycany", country=Country.CZ)
    unit.municipalities.add(town)
    district = District.objects.create(
        code="ro-1", name="Rokycany – střed", area=square, police_unit=unit, municipality=town
    )
    officer = make_user(
        email="okrskar@example.org", roles=[roles.OFFICER], police_unit=unit, full_name="Jana Okrsková"
    )
    district.officers.add(officer)
    category = Category.objects.create(
        code="illegal-dumping",
        group="environment",
        name_cs="černé skládky",
        name_pl="dzikie wysypiska śmieci",
        name_en="Illegal rubbish dump",
    )
    made = []
    for number, (text, photos) in enumerate(
        (
            ("Pneumatiky u garáží.", []),
            ("Stavební suť za školou, u potoka.", [_photo(1), _photo(2)]),
            ("Pytle s odpadem na parkovišti.", []),
        )
    ):
        report, _token = services.report_submit(
            category=category,
            point=Point(13.83, 49.74, srid=4326),
            description=text,
            ip=f"192.0.2.{40 + number}",
            attachments=photos,
        )
        made.append(report)
    return made


@pytest.mark.parametrize(
    ("viewport", "language", "name"),
    [(PHONE, "cs", "phone-cs"), (LAPTOP, "en", "laptop-en")],
    ids=["phone-cs", "laptop-en"],
)
def test_officer_finds_a_report_by_part_of_its_reference(
    new_context, live_server, reports, viewport, language, name
):
    wanted = reports[1]
    typed = wanted.reference[:6].lower().replace("-", "")  # "abcd-e" typed as "abcde"
    context, page, errors = _context(new_context, viewport, bypass_csp=True)  # axe-core is injected
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    _log_in(page, live_server, "okrskar@example.org")
    page.goto(live_server.url + "/reports/staff/")
    expect(page.locator("tr[data-reference]")).to_have_count(3)
    page.locator("input[name=q]").fill(typed)
    page.locator("input[name=q]").press("Enter")
    expect(page.locator("tr[data-reference]")).to_have_count(1)
    expect(page.locator("tr[data-reference]")).to_have_attribute("data-reference", wanted.reference)
    expect(page.locator("input[name=q]")).to_have_value(typed)
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert _axe_violations(page) == []
    _no_sideways_scroll(page)
    _screenshot(page, f"staff-search-{name}.png")

    page.locator(f"tr[data-reference='{wanted.reference}'] a.reference").click()
    expect(page).to_have_url(f"{live_server.url}/reports/staff/{wanted.pk}/")
    thumbnails = page.locator(".staff-attachments img")
    expect(thumbnails).to_have_count(2)
    for index, item in enumerate(wanted.attachments.order_by("pk")):
        full = f"/reports/staff/attachments/{item.pk}/"
        thumbnail = thumbnails.nth(index)
        expect(thumbnail).to_have_attribute("src", f"{full}?size=thumb")
        expect(thumbnail.locator("xpath=..")).to_have_attribute("href", full)
        thumbnail.scroll_into_view_if_needed()
        page.wait_for_function(
            "(img) => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
        )
        assert thumbnail.evaluate("(img) => [img.naturalWidth, img.naturalHeight]") == [320, 240]
    thumbnails.first.scroll_into_view_if_needed()
    assert _axe_violations(page) == []
    _no_sideways_scroll(page)
    _screenshot(page, f"staff-search-report-{name}.png")

    # The thumbnail's link opens the whole photo
    with page.expect_response(
        lambda r: r.url.endswith(f"/reports/staff/attachments/{wanted.attachments.first().pk}/")
    ) as response:
        thumbnails.first.click()
    assert response.value.status == 200 and response.value.headers["content-type"] == "image/jpeg"
    assert len(response.value.body()) > 100 * 1024
    assert errors == [], "\n".join(errors)
    context.close()
