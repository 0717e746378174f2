"""Accessibility: every page passes an axe-core scan with no critical or serious violation, and the keyboard
reaches the content first.

axe-core comes from npm, pinned in package.json / package-lock.json; ``make test`` installs it (``npm ci``).
The tests fail, not skip, when it is missing.
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings", "offline_tiles")]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")
PUBLIC_PAGES = [
    "/",
    "/reports/",
    "/workshops/",
    "/grants/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
]
OFFICER_EMAIL = "strazmistr@example.org"


@pytest.fixture
def browser_context_args(browser_context_args):
    # The site's CSP (script-src 'self') would block the injected axe-core script.
    return {**browser_context_args, "bypass_csp": True}


@pytest.fixture
def demo_data(db):
    call_command("seed_demo", verbosity=0)


def _wait_for_page(page: Page, path: str) -> None:
    if path == "/":
        # Scan the home page with its map drawn: Leaflet adds controls and markup of its own.
        expect(page.locator("#served-map")).to_have_attribute("data-loaded", re.compile(r"^\d+$"))


def _axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the page; fail (never skip) when npm has not installed it."""
    if not AXE.is_file():
        pytest.fail(
            f"axe-core is missing: {AXE} not found. "
            "Run `make test`, or `npm ci` in the project root, to install it.",
            pytrace=False,
        )
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    return [violation for violation in results["violations"] if violation["impact"] in BLOCKING]


def _report(path: str, violations: list[dict]) -> str:
    lines = [f"{path}: {len(violations)} critical or serious axe-core violation(s)"]
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            summary = " ".join(line.strip() for line in (node.get("failureSummary") or "").splitlines()[1:])
            lines.append(f"    {' '.join(map(str, node['target']))}  {node['html'][:160]}")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


def _scan(page: Page, live_server, path: str) -> None:
    page.goto(live_server.url + path)
    expect(page.locator("html")).to_have_attribute("lang", "cs")
    _wait_for_page(page, path)
    violations = _axe_violations(page)
    assert violations == [], _report(path, violations)


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_serious_violation(page: Page, live_server, demo_data, path):
    _scan(page, live_server, path)


def test_officer_dashboard_has_no_serious_violation(page: Page, live_server, demo_data, make_user):
    make_user(email=OFFICER_EMAIL, roles=["officer"])
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(OFFICER_EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form[method=post]").first.locator("[type=submit]").first.click()
    expect(page.locator(".user-email")).to_have_text(OFFICER_EMAIL)
    _scan(page, live_server, "/my/")
    expect(page.locator('.roles [data-role="officer"]')).to_be_visible()


@pytest.mark.browser_context_args(viewport={"width": 360, "height": 740})
def test_home_on_a_phone_has_no_serious_violation(page: Page, live_server, demo_data):
    assert page.viewport_size == {"width": 360, "height": 740}
    _scan(page, live_server, "/")


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page: Page, live_server, demo_data):
    page.goto(live_server.url + "/")
    skip_link = page.locator("a.skip-link")
    expect(skip_link).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("/#main"), page.url
