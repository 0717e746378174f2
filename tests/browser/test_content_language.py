"""Content keeps its language in a real browser: a Polish visitor on a workshop kept only in Czech gets
the Polish interface with every Czech text (title, initiative, venue, description, programme) marked
``lang="cs"``, so a screen reader switches voices. Screenshot: docs/screenshots/lang-workshop-pl.png."""

from datetime import time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from workshops.models import Initiative, PresentationOffer, Workshop
from workshops.workflow import OfferStatus

from .test_accessibility import _axe_violations, _report

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings", "offline_tiles")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture
def czech_workshop(db):
    initiative = Initiative.objects.create(
        code="pdp4",
        name_cs="Sdílení dobré praxe obcí a policie",
        organiser="Ministerstvo vnitra",
        language="cs",
    )
    workshop = Workshop.objects.create(
        initiative=initiative,
        number=2,
        theme_cs="Bezpečné veřejné prostory",
        held_on=timezone.localdate() + timedelta(days=20),
        start_time=time(9, 30),
        end_time=time(15, 0),
        venue="Plzeň, krajský úřad, zasedací místnost 3",
        languages="čeština",
        description="Sdílíme zkušenosti s kamerovými systémy a osvětlením ulic.",
    )
    PresentationOffer.objects.create(
        workshop=workshop,
        speaker_name="Jana Nováková",
        speaker_organisation="Městská policie Plzeň",
        speaker_email="jana@example.org",
        title="Osvětlení podchodů v praxi",
        abstract="Zkušenosti.",
        status=OfferStatus.ACCEPTED,
    )
    return workshop


def test_polish_workshop_page_marks_czech_texts(new_context, live_server, czech_workshop):
    context = new_context(viewport=DESKTOP, bypass_csp=True)  # axe-core is injected as a script
    context.add_cookies([{"name": "django_language", "value": "pl", "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/workshops/{czech_workshop.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    for text in (
        "Bezpečné veřejné prostory",
        "Sdílení dobré praxe obcí a policie",
        "Plzeň, krajský úřad, zasedací místnost 3",
        "čeština",
        "Osvětlení podchodů v praxi",
    ):
        marked = page.locator('[lang="cs"]', has_text=text)
        expect(marked).to_have_count(1)
        expect(marked).to_be_visible()
    expect(page.locator('div[lang="cs"] p')).to_have_text(
        "Sdílíme zkušenosti s kamerovými systémy a osvětlením ulic."
    )
    # the interface around them is not marked: only content carries another language
    expect(page.locator('h1 [lang="cs"]')).to_have_count(1)
    expect(page.locator('main [lang]:not([lang="cs"])')).to_have_count(0)
    violations = _axe_violations(page)  # valid-lang among its rules
    assert not violations, _report(page.url, violations)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "lang-workshop-pl.png"), full_page=True, animations="disabled")
