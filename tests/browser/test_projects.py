"""Safety grants in a real browser (Debian's Chromium): a town submits a proposal, a commission member reviews
it, the programme manager takes it through the commission meeting and records the council's decision, and the
public list shows it. No assertion reads a translated text: URLs, field names and data attributes only."""

import os
import re
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.utils import timezone
from playwright.sync_api import Page, expect

from portal import roles
from portal.models import Country, Municipality
from projects.models import Call, Criterion, EligibleCost, Membership, Programme, Proposal
from projects.workflow import Status
from tests.conftest import PASSWORD

from .test_accessibility import _axe_violations, _report

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings", "offline_tiles")]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHOTS = os.environ.get("OKRSEK_SCREENSHOTS") == "1"


def _square(x: float, y: float) -> MultiPolygon:
    return MultiPolygon(Polygon(((x, y), (x + 0.1, y), (x + 0.1, y + 0.1), (x, y + 0.1), (x, y))), srid=4326)


@pytest.fixture
def grants(db, make_user):
    """A programme with Domažlice (member) and Rokycany, an open call, and one person per role."""
    domazlice = Municipality.objects.create(
        country=Country.CZ, code="553468", name="Domažlice", boundary=_square(12.9, 49.4)
    )
    rokycany = Municipality.objects.create(
        country=Country.CZ, code="559717", name="Rokycany", boundary=_square(13.6, 49.7)
    )
    programme = Programme.objects.create(
        slug="pk-bk",
        name="Plzeňský kraj – bezpečný kraj",
        region="Plzeňský kraj",
        total_budget=Decimal("24000000"),
    )
    for town, joined in ((domazlice, "2010-07-01"), (rokycany, "2010-07-01")):
        Membership.objects.create(programme=programme, municipality=town, status="joined", joined_on=joined)
    now = timezone.now()
    call = Call.objects.create(
        programme=programme,
        year=now.year,
        title=f"Dílčí projekty {now.year}",
        budget=Decimal("3000000"),
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=30),
        max_per_proposal=Decimal("500000"),
        min_cofinancing_percent=Decimal("10"),
    )
    for order, (name, weight) in enumerate((("Soulad s cíli", 3), ("Doložená potřeba", 2), ("Rozpočet", 1))):
        Criterion.objects.create(call=call, name=name, weight=weight, order=order)
    cost = EligibleCost.objects.create(call=call, name="Technické vybavení")
    return {
        "programme": programme,
        "call": call,
        "cost": cost,
        "staff": make_user(
            email="urednice@domazlice.cz", roles=[roles.MUNICIPAL_STAFF], municipality=domazlice
        ),
        "member": make_user(email="komisar@kraj.cz", roles=[roles.COMMISSION_MEMBER], municipality=rokycany),
        "member_from_town": make_user(
            email="komisarka@domazlice.cz", roles=[roles.COMMISSION_MEMBER], municipality=domazlice
        ),
        "manager": make_user(email="manazer@kraj.cz", roles=[roles.PROGRAMME_MANAGER]),
    }


def _login(page: Page, live_server, user) -> None:
    page.context.clear_cookies()
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form[method=post]").first.locator("[type=submit]").first.click()
    expect(page.locator(".user-email")).to_have_text(user.email)


def _shot(page: Page, name: str) -> None:
    path = SCREENSHOTS / name if SHOTS else Path(tempfile.gettempdir()) / f"okrsek-{name}"
    page.screenshot(path=str(path), full_page=True, animations="disabled")


def test_proposal_from_submission_to_the_public_list(page: Page, live_server, grants, console_errors):
    call = grants["call"]

    # 1. Municipal staff of Domažlice start a draft from the call's page and fill it in.
    _login(page, live_server, grants["staff"])
    page.goto(f"{live_server.url}/grants/calls/{call.pk}/")
    page.locator("input[name=title]").fill("Bezpečná cesta do školy")
    page.locator(f'form[action="/grants/calls/{call.pk}/propose/"] [type=submit]').click()
    expect(page).to_have_url(re.compile(r"/grants/proposals/\d+/edit/$"))
    proposal = Proposal.objects.get(title="Bezpečná cesta do školy")
    page.locator("textarea[name=local_need]").fill("Děti přecházejí silnici I/26 bez přechodu.")
    page.locator("textarea[name=goals]").fill("Bezpečný přechod u školy.")
    page.locator("textarea[name=activities]").fill("Přechod s osvětlením, kampaň ve škole.")
    page.locator("textarea[name=timetable]").fill("Jaro: projekt. Léto: stavba.")
    page.locator("input[name=starts_on]").fill(f"{call.year}-12-01")
    page.locator("input[name=ends_on]").fill(f"{call.year + 1}-08-31")
    page.locator("select[name=lines-0-eligible_cost]").select_option(str(grants["cost"].pk))
    page.locator("input[name=lines-0-item]").fill("Osvětlení přechodu")
    page.locator("input[name=lines-0-amount]").fill("250000")
    page.locator("input[name=lines-0-cofinancing]").fill("50000")
    expect(page.locator("#budget-requested")).to_contain_text("200")  # computed while typing
    _shot(page, "grants-proposal-form.png")
    page.locator("button[name=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/grants/proposals/{proposal.pk}/")
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "submitted")

    # 2. The programme manager sends it to the commission: the member from Domažlice is not offered.
    _login(page, live_server, grants["manager"])
    page.goto(f"{live_server.url}/grants/proposals/{proposal.pk}/")
    expect(page.locator(f'input[name=members][value="{grants["member_from_town"].pk}"]')).to_have_count(0)
    page.locator(f'input[name=members][value="{grants["member"].pk}"]').check()
    page.locator(f'form[action="/grants/proposals/{proposal.pk}/assign/"] [type=submit]').click()
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "in_review")

    # 3. The commission member declares no conflict and reviews.
    _login(page, live_server, grants["member"])
    page.goto(f"{live_server.url}/grants/commission/")
    page.locator(f'a[href="/grants/proposals/{proposal.pk}/review/"]').click()
    page.locator("input[name=conflict][value=no]").check()
    page.locator("main form[method=post] [type=submit]").click()
    for select, value in zip(page.locator("select[name^=score_]").all(), ["5", "4", "na"], strict=True):
        select.select_option(value)
    page.locator("input[name=recommendation][value=yes]").check()
    page.locator("textarea[name=comment]").fill("Potřebné a dobře připravené.")
    _shot(page, "grants-review.png")
    page.locator("main form[method=post] [type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/grants/commission/")
    proposal.refresh_from_db()
    assert proposal.score == Decimal("4.60") and proposal.review_count == 1  # (15 + 8) / 5, n/a left out

    # 4. The manager holds the commission meeting, closes it and records the council's decision.
    _login(page, live_server, grants["manager"])
    page.goto(f"{live_server.url}/grants/manage/calls/{call.pk}/")
    page.locator(f'form[action="/grants/manage/calls/{call.pk}/meetings/new/"] [type=submit]').click()
    expect(page).to_have_url(re.compile(r"/grants/manage/meetings/\d+/$"))
    page.locator("select[name=items-0-recommend]").select_option("yes")
    page.locator("input[name=items-0-proposed_amount]").fill("200000")
    _shot(page, "grants-meeting.png")
    page.locator("button[name=action][value=close]").click()
    expect(page.locator('a[href$="/recommendations.pdf"]')).to_be_visible()
    proposal.refresh_from_db()
    assert proposal.status == Status.RECOMMENDED
    page.goto(f"{live_server.url}/grants/proposals/{proposal.pk}/decision/")
    expect(page.locator("input[name=approved_amount]")).to_have_value(re.compile(r"^200000"))
    page.locator("input[name=outcome][value=approved]").check()
    page.locator("input[name=resolution_number]").fill("RPK 1234/26")
    page.locator("main form[method=post] [type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/grants/manage/calls/{call.pk}/")
    expect(page.locator(f'tr[data-proposal="{proposal.pk}"]')).to_have_attribute("data-status", "approved")

    # 5. Anybody sees it in the public list of supported projects.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/grants/programme/{grants['programme'].slug}/supported/")
    row = page.locator(f'tr[data-proposal="{proposal.pk}"]')
    expect(row).to_contain_text("Domažlice")
    expect(row).to_contain_text("Bezpečná cesta do školy")
    expect(row).to_contain_text("RPK 1234/26")
    _shot(page, "grants-supported.png")
    assert console_errors == [], "\n".join(console_errors)


@pytest.mark.browser_context_args(viewport={"width": 360, "height": 740})
def test_programme_page_on_a_phone(page: Page, live_server, grants, console_errors):
    page.goto(f"{live_server.url}/grants/programme/{grants['programme'].slug}/")
    expect(page.locator("#members-map")).to_have_attribute("data-loaded", "2")
    expect(page.locator("#wave-range")).to_be_visible()  # the timeline slider, shown by the script
    page.locator("#wave-range").focus()
    page.keyboard.press("ArrowLeft")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"the programme page scrolls sideways on a phone: {scroll_width} px"
    _shot(page, "grants-programme-phone.png")
    assert console_errors == [], "\n".join(console_errors)


@pytest.mark.browser_context_args(viewport={"width": 360, "height": 740})
def test_town_pages_on_a_phone(page: Page, live_server, grants, console_errors):
    town = grants["staff"].profile.municipality
    proposal = Proposal.objects.create(
        call=grants["call"], municipality=town, title="Kamerový bod na náměstí"
    )
    _login(page, live_server, grants["staff"])
    for path in (
        f"/grants/proposals/{proposal.pk}/edit/",
        f"/grants/proposals/{proposal.pk}/",
        "/grants/my/",
    ):
        page.goto(live_server.url + path)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 360, f"{path} scrolls sideways on a phone: {scroll_width} px"
    assert console_errors == [], "\n".join(console_errors)


@pytest.mark.browser_context_args(bypass_csp=True)
def test_grants_pages_have_no_serious_axe_violation(page: Page, live_server, grants):
    proposal = Proposal.objects.create(
        call=grants["call"], municipality=grants["staff"].profile.municipality, title="X"
    )
    pages = [
        f"/grants/programme/{grants['programme'].slug}/",
        f"/grants/programme/{grants['programme'].slug}/supported/",
        f"/grants/calls/{grants['call'].pk}/",
    ]
    for path in pages:
        page.goto(live_server.url + path)
        violations = _axe_violations(page)
        assert violations == [], _report(path, violations)
    _login(page, live_server, grants["staff"])
    for path in (
        f"/grants/proposals/{proposal.pk}/edit/",
        f"/grants/proposals/{proposal.pk}/",
        "/grants/my/",
    ):
        page.goto(live_server.url + path)
        violations = _axe_violations(page)
        assert violations == [], _report(path, violations)
