"""A resident answers the safety survey on a phone with the code from their letter (including the map
question), and cannot answer twice; the public sees suppressed and published districts.

Assertions read URLs, field names and the database, not translated texts."""

import pytest
from playwright.sync_api import Page, expect

from audits import services
from audits.models import Answer, Response
from audits.workflow import WaveStatus
from portal import roles
from tests.audits import factories
from tests.browser.conftest import no_sideways_scroll as _no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings", "offline_tiles")]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def survey(make_user, municipality):
    methodologist = make_user(email="method@example.org", roles=[roles.SURVEY_METHODOLOGIST])
    district = factories.district(municipality, "Centrum")
    wave = factories.wave(methodologist, [municipality], web_open=True)
    _batch, codes = services.invitations_generate(
        actor=methodologist, wave=wave, municipality=municipality, count=2
    )
    return {"wave": wave, "codes": codes, "district": district, "methodologist": methodologist}


@pytest.mark.browser_context_args(viewport=PHONE, has_touch=True, is_mobile=True)
def test_resident_answers_on_a_phone_with_a_code_and_cannot_answer_twice(
    page: Page, live_server, survey, browser, console_errors
):
    wave, code = survey["wave"], survey["codes"][0]
    page.goto(f"{live_server.url}/surveys/{wave.pk}/")
    _no_sideways_scroll(page)
    page.fill("input[name=code]", code.lower())
    page.click("form[action$='/code/'] button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/surveys/{wave.pk}/district/")
    page.select_option("select[name=district]", str(survey["district"].pk))
    page.click("main button[type=submit]")
    for _step in range(1, 30):
        expect(page.locator("input[name=q]")).to_have_count(1)
        _no_sideways_scroll(page)
        if page.locator("#survey-map").count():
            expect(page.locator("#survey-map")).to_be_visible()
            box = page.locator("#survey-map").bounding_box()
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            assert page.input_value("input[name=points]").count(",") == 1
        radios = page.locator("fieldset")
        for i in range(radios.count()):
            radios.nth(i).locator("input").first.check()
        page.click("form.survey-question button[type=submit]")
        if "/review/" in page.url:
            break
    page.click("main form button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/surveys/{wave.pk}/done/")

    response = Response.objects.get()
    assert response.submitted and response.district == survey["district"] and response.mode == "invitation"
    assert Answer.objects.filter(response=response, point__isnull=False).count() == 1
    assert console_errors == []

    # The same phone: the survey says it is done; another phone with the same code is refused
    page.goto(f"{live_server.url}/surveys/{wave.pk}/")
    expect(page).to_have_url(f"{live_server.url}/surveys/{wave.pk}/done/")
    other = browser.new_context(viewport=PHONE, locale="cs-CZ")
    second = other.new_page()
    second.goto(f"{live_server.url}/surveys/{wave.pk}/")
    second.fill("input[name=code]", code)
    second.click("form[action$='/code/'] button[type=submit]")
    expect(second.locator(".field-error input[name=code]")).to_have_count(1)
    other.close()
    assert Response.objects.count() == 1


def test_the_public_sees_suppressed_and_published_districts(page: Page, live_server, survey, municipality):
    wave = survey["wave"]
    small = factories.district(municipality, "Malá", x0=13.3)
    for _ in range(24):
        factories.respond(wave, municipality, district=survey["district"])
    for _ in range(12):
        factories.respond(wave, municipality, district=small)
    for _ in range(3):
        factories.respond(wave, municipality)
    type(wave).objects.filter(pk=wave.pk).update(status=WaveStatus.PUBLISHED)
    page.goto(f"{live_server.url}/surveys/{wave.pk}/results/")
    districts = page.locator("table.results").first
    expect(districts.locator("tbody tr")).to_have_count(3)
    # 3 answers without a district: hidden; "Malá" with 12: hidden too, or the town total would reveal them
    expect(districts.locator("tbody tr.suppressed")).to_have_count(2)
    expect(districts.locator("tbody tr:not(.suppressed) th")).to_have_text("Centrum")
    expect(page.locator("svg.chart[role=img]").first).to_be_visible()
