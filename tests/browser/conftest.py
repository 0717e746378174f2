"""Browser tests: Playwright (sync API) drives Debian's Chromium against pytest-django's live server.

Never downloads a browser: the tests use ``/usr/bin/chromium`` (``apt-get install -y chromium``) and fail,
not skip, when it is missing.
"""

import os
from pathlib import Path

import pytest

# Sync Playwright keeps an asyncio event loop running in the test thread, which makes Django refuse ORM calls
# ("You cannot call this from an async context"). The tests only use the ORM synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# /usr/bin/chromium from Debian; on Ubuntu, chromium-browser installs a snap: /snap/bin/chromium.
CHROMIUM = Path(
    os.environ.get("OKRSEK_CHROMIUM")
    or next((p for p in ("/usr/bin/chromium", "/snap/bin/chromium") if Path(p).exists()), "/usr/bin/chromium")
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TILES = "https://tile.openstreetmap.org/**"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Debian's Chromium is missing: {CHROMIUM} not found. "
            "Install it with `apt-get install -y chromium` (the browser tests never download a browser).",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A Czech browser: the portal's default language, whatever the machine's locale is.
    return {**browser_context_args, "locale": "cs-CZ", "timezone_id": "Europe/Prague"}


@pytest.fixture
def browser_settings(settings):
    """Account emails are sent in-process (eager Celery) into ``django.core.mail.outbox``."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from portal.celery import app as celery_app

    assert celery_app.conf.task_always_eager, "Celery is not eager: account emails would not be sent"
    return settings


class ConsoleErrors(list):
    """Console messages of type "error" and uncaught page errors, except failed tile image loads (the
    tile server is unreachable offline and its requests are aborted on purpose)."""

    def on_console(self, message):
        if message.type != "error":
            return
        source = (message.location or {}).get("url", "")
        if "tile.openstreetmap.org" in source or "tile.openstreetmap.org" in message.text:
            return
        self.append(f"console.error: {message.text} ({source})")

    def on_page_error(self, error):
        self.append(f"page error: {error}")


@pytest.fixture
def console_errors(page):
    errors = ConsoleErrors()
    page.on("console", errors.on_console)
    page.on("pageerror", errors.on_page_error)
    return errors


@pytest.fixture
def offline_tiles(context):
    """Abort every map tile request: the machine is offline and the tests must not depend on the network."""
    context.route(TILES, lambda route: route.abort())


@pytest.fixture(autouse=True)
def _fresh_map_extent():
    """The maps open on the served area, which the portal caches for minutes: a browser test's area is not the
    one an earlier test cached (a stale extent put the report form's map somewhere else, and the click outside
    the test's district)."""
    from tests.incidents.citizen_helpers import forget_served_extent

    forget_served_extent()


def no_sideways_scroll(page) -> None:
    """The page is no wider than the viewport. After a click the URL changes before the style sheet is
    applied, so the page's load is awaited first (measuring earlier saw unstyled 500 px lines)."""
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways: {width} px wide"
