"""The grants proposal form in a real browser: a town's staff adds five budget lines without a round trip,
reads the live sums and the amount requested, and saves; the server derives the same amount. At a phone's
width in Czech and at a laptop's in English. No assertion reads a translated text."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from projects import services
from projects.models import BudgetLine, Proposal

from .test_projects import _login, _shot, grants  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings", "offline_tiles")]


@pytest.mark.parametrize(("width", "language"), [(360, "cs"), (1366, "en")])
def test_staff_add_five_budget_lines_with_javascript_and_save(
    page: Page,
    live_server,
    grants,  # noqa: F811
    console_errors,
    width,
    language,  # noqa: F811
):
    call = grants["call"]
    proposal = services.proposal_create(
        call=call, municipality=grants["staff"].profile.municipality, actor=grants["staff"], title="Kamery"
    )
    page.set_viewport_size({"width": width, "height": 900})
    _login(page, live_server, grants["staff"])
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    edit = f"{live_server.url}/grants/proposals/{proposal.pk}/edit/"
    page.goto(edit)
    expect(page.locator("html")).to_have_attribute("lang", language)

    for n in range(5):
        if n:  # the first row is there; the others come from "Add a row", without leaving the page
            page.locator("#budget-add-row").click()
        page.locator(f"select[name=lines-{n}-eligible_cost]").select_option(str(grants["cost"].pk))
        page.locator(f"input[name=lines-{n}-item]").fill(f"Položka {n + 1}")
        page.locator(f"input[name=lines-{n}-amount]").fill(str(10000 * (n + 1)))
        page.locator(f"input[name=lines-{n}-cofinancing]").fill(str(1000 * (n + 1)))
    assert page.url == edit  # no round trip
    expect(page.locator("input[name=lines-TOTAL_FORMS]")).to_have_value("5")
    expect(page.locator("#budget-total")).to_have_text(re.compile(r"^150\D?000\D"))
    expect(page.locator("#budget-requested")).to_have_text(re.compile(r"^135\D?000\D"))
    page.locator("#budget-requested").scroll_into_view_if_needed()
    _shot(page, f"grants-form-{width}-{language}.png")

    page.locator("button[name=save]").click()
    expect(page).to_have_url(f"{live_server.url}/grants/proposals/{proposal.pk}/")
    assert BudgetLine.objects.filter(proposal=proposal).count() == 5
    assert Proposal.objects.get(pk=proposal.pk).requested_amount == Decimal("135000")
