"""The workshops in a real browser (Debian's Chromium, see conftest.py).

Municipal staff registers for a workshop's last seat, receives the confirmation with the .ics, cancels through
the link in the email, and the waitlisted person is promoted; the organiser accepts a presentation offer,
records a recommendation and builds the publication, then downloads it.

As in test_journey.py, no assertion reads a translated text: URLs, field names, data-* attributes and the data
written are checked.
"""

import re
import subprocess
import tempfile
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal import roles
from portal.models import Notification
from tests.conftest import PASSWORD
from workshops.models import (
    Initiative,
    PresentationOffer,
    Publication,
    Recommendation,
    Registration,
    Workshop,
)
from workshops.services import registration_create

from .test_accessibility import _axe_violations, _report

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings", "offline_tiles")]

LINK = re.compile(r"http://[^\s]+/workshops/registration/([0-9a-f]+)/")
SHOTS = Path(tempfile.gettempdir()) / "workshops-shots"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def workshop(db):
    initiative = Initiative.objects.create(
        code="bi-norway",
        name_cs="Sdílení dobré praxe v oblasti spolupráce státní policie s orgány místní samosprávy",
        organiser="Ministerstvo vnitra",
        partner_country="NO",
        foreword="Předmluva.",
    )
    return Workshop.objects.create(
        initiative=initiative,
        number=1,
        theme_cs="Místní záležitosti veřejného pořádku",
        held_on=timezone.localdate() + timedelta(days=20),
        start_time=time(9, 30),
        end_time=time(15, 0),
        venue="Plzeň, krajský úřad",
        capacity=3,
        partner_seats=1,  # two general seats
    )


def _person(workshop, email, *, by):
    """``by`` registers a colleague (anybody with a role may)."""
    return registration_create(
        workshop=workshop,
        actor=by,
        full_name=email.split("@")[0].title(),
        organisation="Městský úřad Klatovy",
        organisation_type="town",
        email=email,
        consent=True,
    )


def _log_in(page: Page, live_server, email: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form[method=post]").first.locator("[type=submit]").first.click()
    expect(page.locator(".user-email")).to_have_text(email)


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def test_register_cancel_promote_then_organiser_builds_the_publication(
    page: Page, live_server, console_errors, make_user, municipality, workshop, media
):
    staff_email, organiser_email = "urednice@example.org", "poradatel@example.org"
    make_user(
        email=staff_email,
        roles=[roles.MUNICIPAL_STAFF],
        municipality=municipality,
        full_name="Marie Úřednice",
    )
    make_user(email=organiser_email, roles=[roles.WORKSHOP_ORGANISER])
    colleague = make_user(email="kolega@example.org", roles=[roles.OFFICER])
    _person(workshop, "first@example.org", by=colleague)  # one of the two general seats is taken

    # --- municipal staff registers for the last seat
    _log_in(page, live_server, staff_email)
    page.goto(f"{live_server.url}/workshops/")
    page.locator(f'a[href="/workshops/{workshop.pk}/"]').click()
    expect(page).to_have_url(f"{live_server.url}/workshops/{workshop.pk}/")
    _shot(page, "workshop.png")
    page.locator(f'a[href="/workshops/{workshop.pk}/register/"]').click()
    expect(page.locator("input[name=email]")).to_have_value(staff_email)  # prefilled from the account
    page.locator("input[name=full_name]").fill("Marie Úřednice")
    page.locator("input[name=organisation]").fill("Městský úřad Domažlice")
    page.locator("select[name=organisation_type]").select_option("town")
    page.locator("input[name=position]").fill("referentka")
    page.locator("textarea[name=needs]").fill("bezbariérový přístup")
    page.locator("input[name=consent]").check()
    _shot(page, "register.png")
    page.locator("main form[method=post] [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/workshops/registration/[0-9a-f]+/$"))
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "confirmed")
    _shot(page, "registration.png")

    # The confirmation went through the outbox, with the calendar invitation attached
    notification = Notification.objects.get(to_email=staff_email, kind="workshop_registration_confirmed")
    assert notification.status == Notification.Status.SENT
    assert notification.attachments[0]["filename"].endswith(".ics")
    (confirmation,) = [m for m in mail.outbox if m.to == [staff_email]]
    ((filename, ics, mimetype),) = confirmation.attachments
    assert mimetype == "text/calendar" and "BEGIN:VEVENT" in ics and "Plzeň" in ics
    token = LINK.search(confirmation.body).group(1)

    # Somebody else comes too late and waits
    late = _person(workshop, "late@example.org", by=colleague)
    assert late.status == Registration.Status.WAITLISTED

    # --- staff cancels through the link in the email: the waitlisted person gets the seat and an email
    page.goto(f"{live_server.url}/workshops/registration/{token}/")
    page.locator("form.ws-cancel [type=submit]").click()
    page.locator("[data-confirm=yes]").click()  # the second step: "Yes, cancel my registration"
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "cancelled")
    late.refresh_from_db()
    assert late.status == Registration.Status.CONFIRMED
    promoted = [m for m in mail.outbox if m.to == ["late@example.org"]]
    assert len(promoted) == 2  # waitlisted, then promoted (with the invitation)
    assert promoted[-1].attachments[0][0].endswith(".ics")
    assert console_errors == [], "\n".join(console_errors)
    page.goto(f"{live_server.url}/accounts/logout/")
    page.locator("main form[method=post] [type=submit]").click()

    # --- the organiser accepts an offer, records a recommendation, builds the publication
    offer = PresentationOffer.objects.create(
        workshop=workshop,
        speaker_name="Pavel Fiala",
        speaker_organisation="Městská policie Plzeň",
        speaker_email="fiala@example.org",
        title="Společné hlídky",
        abstract="Rok zkušeností.",
    )
    _log_in(page, live_server, organiser_email)
    page.goto(f"{live_server.url}/workshops/manage/w/{workshop.pk}/offers/")
    page.locator(f"#offer-{offer.pk} textarea[name=message]").fill("Těšíme se.")
    page.locator(f'#offer-{offer.pk} button[name=action][value="accept"]').click()
    expect(page.locator(f"#offer-{offer.pk} [data-status]")).to_have_attribute("data-status", "accepted")
    offer.refresh_from_db()
    assert offer.status == "accepted"
    page.goto(f"{live_server.url}/workshops/{workshop.pk}/")
    expect(page.locator(".programme")).to_contain_text("Společné hlídky")

    page.goto(f"{live_server.url}/workshops/manage/w/{workshop.pk}/outputs/")
    page.locator("textarea[name=rec-text]").fill(
        "Uzavřít s policií koordinační dohodu a každý rok ji vyhodnotit."
    )
    page.locator("select[name=rec-addressee]").select_option("towns")
    page.locator("select[name=rec-priority]").select_option("1")
    page.locator("#recommendation form [type=submit]").click()
    expect(page.locator("#recommendation .ws-outputs")).to_contain_text("koordinační dohodu")
    assert Recommendation.objects.filter(workshop=workshop).count() == 1

    page.goto(f"{live_server.url}/workshops/manage/i/{workshop.initiative.code}/publication/")
    page.locator("form.ws-build select[name=language]").select_option("cs")
    page.locator("form.ws-build [type=submit]").click()
    download_link = page.locator("a.ws-download").first
    expect(download_link).to_be_visible(timeout=60_000)
    _shot(page, "publication.png")
    with page.expect_download() as info:
        download_link.click()
    path = info.value.path()
    data = Path(path).read_bytes()
    assert data.startswith(b"%PDF-")
    pages = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", pages).group(1)) >= 1
    assert Publication.objects.get().status == Publication.Status.DONE
    assert console_errors == [], "\n".join(console_errors)


@pytest.mark.browser_context_args(viewport={"width": 360, "height": 740})
def test_workshop_pages_fit_a_phone(page: Page, live_server, make_user, municipality, workshop):
    make_user(email="urednice@example.org", roles=[roles.MUNICIPAL_STAFF], municipality=municipality)
    _log_in(page, live_server, "urednice@example.org")
    for path in ["/workshops/", f"/workshops/{workshop.pk}/", f"/workshops/{workshop.pk}/register/"]:
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} scrolls sideways on a 360 px phone: {width} px"
    _shot(page, "register-phone.png")


def test_workshop_pages_have_no_serious_axe_violation(
    browser, live_server, make_user, municipality, workshop, media
):
    """axe-core needs the CSP bypassed to be injected, so this runs in its own context."""
    make_user(email="poradatel@example.org", roles=[roles.WORKSHOP_ORGANISER])
    colleague = make_user(email="kolega@example.org", roles=[roles.OFFICER])
    registration = _person(workshop, "first@example.org", by=colleague)
    context = browser.new_context(bypass_csp=True, locale="cs-CZ")
    page = context.new_page()
    _log_in(page, live_server, "poradatel@example.org")
    paths = [
        "/workshops/",
        f"/workshops/{workshop.pk}/",
        f"/workshops/registration/{registration.cancel_token}/",
        "/workshops/my/",
        "/workshops/offer/",
        f"/workshops/manage/i/{workshop.initiative.code}/",
        f"/workshops/manage/i/{workshop.initiative.code}/nominations/",
        f"/workshops/manage/i/{workshop.initiative.code}/publication/",
        f"/workshops/manage/i/{workshop.initiative.code}/publication/preview/",
        f"/workshops/manage/w/{workshop.pk}/",
        f"/workshops/manage/w/{workshop.pk}/register/",
        f"/workshops/manage/w/{workshop.pk}/check-in/",
        f"/workshops/manage/w/{workshop.pk}/offers/",
        f"/workshops/manage/w/{workshop.pk}/outputs/",
        f"/workshops/manage/w/{workshop.pk}/message/",
        f"/workshops/manage/w/{workshop.pk}/edit/",
    ]
    problems = []
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        violations = _axe_violations(page)
        if violations:
            problems.append(_report(path, violations))
    context.close()
    assert problems == [], "\n".join(problems)
