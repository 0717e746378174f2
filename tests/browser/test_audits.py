"""The local safety audit in a real browser (Debian's Chromium, see conftest.py), on a 360 px phone and a
desktop: the town's coordinator creates an audit, sets it up (steering group, scope, re-audit), records a
walking audit (route clicked on the map on the desktop, typed on the phone), a finding, a priority, an
action seeking a grant and an indicator, builds the report's PDF in the background task and publishes it;
the public then finds the summary and the PDF. No page scrolls sideways; no assertion reads a translated
text. Screenshots: docs/screenshots/audit-*.png."""

import re
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from audits.models import Action, Audit, AuditReport, WalkSession
from audits.workflow import AuditPhase
from portal import roles
from tests.conftest import PASSWORD

from .conftest import no_sideways_scroll
from .test_accessibility import _axe_violations, _report

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings")]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
VIEWPORTS = {"phone": {"width": 360, "height": 780}, "desktop": {"width": 1366, "height": 768}}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def coordinator(make_user, municipality):
    municipality.population = 11000
    municipality.save()
    return make_user(
        email="koordinatorka@example.org", roles=[roles.MUNICIPAL_STAFF], municipality=municipality
    )


def _log_in(page: Page, live_server, email: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form[method=post]").first.locator("[type=submit]").first.click()
    expect(page.locator(".user-email")).to_have_text(email)


def _form(page: Page, name: str):
    return page.locator(f"form:has(input[name=form][value={name}])")


def _submit(page: Page, form) -> None:
    form.locator("button[type=submit]").last.click()
    page.wait_for_load_state("load")
    no_sideways_scroll(page)


def _move(page: Page, audit_pk: int, action: str) -> None:
    page.locator(f"form[action$='/audits/{audit_pk}/do/{action}/'] button").click()
    page.wait_for_load_state("load")


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_coordinator_takes_an_audit_to_a_published_pdf(browser, live_server, coordinator, media, device):
    context = browser.new_context(viewport=VIEWPORTS[device], locale="cs-CZ", timezone_id="Europe/Prague")
    context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _log_in(page, live_server, coordinator.email)

    page.goto(live_server.url + "/surveys/audits/")
    no_sideways_scroll(page)
    page.locator("#id_title").fill("Bezpečnostní audit 2026")
    page.locator("#id_starts_on").fill("2026-01-15")
    page.locator("#id_report_due_on").fill("2026-11-30")
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_load_state("load")
    audit = Audit.objects.get()
    assert page.url.endswith(f"/surveys/audits/{audit.pk}/")
    no_sideways_scroll(page)

    # set-up: scope, re-audit date, steering group
    page.locator("details:has(form:has(input[name=form][value=setup])) summary").click()
    page.locator("#id_setup-themes").fill("veřejný prostor, noční život")
    page.locator("#id_setup-reaudit_on").fill("2029-02-01")
    _submit(page, _form(page, "setup"))
    page.locator("#id_member-name").fill("Mgr. Jana Nová")
    page.locator("#id_member-organisation").fill("Město")
    page.locator("#id_member-kind").select_option("town")
    page.locator("#id_member-role").fill("předsedkyně")
    _submit(page, _form(page, "member"))
    audit.refresh_from_db()
    assert audit.reaudit_on.isoformat() == "2029-02-01" and audit.steering_group.count() == 1
    _move(page, audit.pk, "gather_evidence")

    # evidence: the panel, a walking audit after dark with its route and a stop
    page.goto(f"{live_server.url}/surveys/audits/{audit.pk}/evidence/")
    expect(page.locator("svg.chart").first).to_be_visible()
    no_sideways_scroll(page)
    page.goto(f"{live_server.url}/surveys/audits/{audit.pk}/fieldwork/")
    page.locator("#id_walk-title").fill("Nádraží a podchod")
    page.locator("#id_walk-held_at").fill("2026-11-20T19:30")
    page.locator("#id_walk-after_dark").check()
    page.locator("#id_walk-p_residents").fill("9")
    page.locator("#id_walk-p_seniors").fill("3")
    if device == "desktop":
        map_box = page.locator("#route-map")
        expect(map_box).to_be_visible()
        for x, y in ((100, 100), (200, 150), (300, 160)):
            map_box.click(position={"x": x, "y": y})
        assert page.locator("#id_walk-route").input_value().count("\n") == 2
    else:
        page.locator("#id_walk-route").fill("49.4405, 12.9298\n49.4410, 12.9310")
    _submit(page, _form(page, "walk"))
    walk = WalkSession.objects.get()
    assert walk.after_dark and walk.participants == {"residents": 9, "seniors": 3}
    assert len(walk.route.coords) == (3 if device == "desktop" else 2)
    page.locator("#id_stop-label").fill("Podchod")
    page.locator("#id_stop-c_lighting").select_option("poor")
    page.locator("#id_stop-c_escape").select_option("fair")
    _submit(page, _form(page, "stop"))
    assert walk.stops.get().checklist == {"lighting": "poor", "escape": "fair"}
    page.screenshot(path=str(SCREENSHOTS / f"audit-walk-{device}-cs.png"), full_page=True)

    page.goto(f"{live_server.url}/surveys/audits/{audit.pk}/")
    page.locator("#id_finding-text").fill("Lidé se po setmění bojí v podchodu u nádraží.")
    page.locator("#id_finding-evidence").select_option("walk")
    page.locator("#id_finding-evidence_note").fill("Noční procházka 20. 11.")
    _submit(page, _form(page, "finding"))
    _move(page, audit.pk, "diagnose")

    # diagnosis: a priority resting on the finding
    page.locator("#id_priority-title").fill("Osvětlení podchodu")
    page.locator("#id_priority-rationale").fill("Nejhorší místo nočního průchodu.")
    _form(page, "priority").locator("input[type=checkbox]").first.check()
    _submit(page, _form(page, "priority"))
    _move(page, audit.pk, "plan")

    # action plan: an action seeking a grant, an indicator
    page.locator("#id_action-title").fill("Nové osvětlení podchodu")
    page.locator("#id_action-owner").fill("Město")
    page.locator("#id_action-deadline").fill("2027-06-30")
    page.locator("#id_action-cost").fill("450000")
    page.locator("#id_action-seeking_grant").check()
    _submit(page, _form(page, "action"))
    page.locator("#id_indicator-name").fill("% lidí, kteří se po setmění cítí bezpečně")
    page.locator("#id_indicator-baseline").fill("48 %")
    page.locator("#id_indicator-target").fill("60 % ve vlně 2028")
    page.locator("#id_indicator-source").fill("průzkum pocitu bezpečí")
    _submit(page, _form(page, "indicator"))
    assert Action.objects.get().seeking_grant
    _move(page, audit.pk, "write_report")

    # the report: built by the task, then published
    page.locator("form[action$='/report/'] select[name=language]").select_option("cs")
    page.locator("form[action$='/report/'] button[type=submit]").click()
    page.wait_for_load_state("load")
    pdf_link = page.locator(f"a[href*='/surveys/audits/{audit.pk}/report/'][href$='.pdf']")
    for _attempt in range(30):
        if pdf_link.count():
            break
        page.wait_for_timeout(1000)
        page.reload()
    expect(pdf_link).to_be_visible()
    no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / f"audit-report-{device}-cs.png"), full_page=True)
    assert AuditReport.objects.get().status == AuditReport.Status.DONE
    _move(page, audit.pk, "publish")
    assert Audit.objects.get().phase == AuditPhase.PUBLISHED

    # the public: the town's page, the summary and the PDF
    context.clear_cookies()
    page.goto(f"{live_server.url}/surveys/audits/town/{audit.municipality_id}/")
    page.locator(f"a[href='/surveys/audits/{audit.pk}/summary/']").click()
    page.wait_for_load_state("load")
    no_sideways_scroll(page)
    expect(page.locator("h1")).to_have_text("Bezpečnostní audit 2026")
    page.screenshot(path=str(SCREENSHOTS / f"audit-summary-{device}-cs.png"), full_page=True)
    with page.expect_download() as info:
        page.locator(f"a[href^='/surveys/audits/{audit.pk}/summary/'][href$='.pdf']").click(modifiers=["Alt"])
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    pages = subprocess.run(["pdfinfo", info.value.path()], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", pages).group(1)) >= 5
    context.close()
    assert errors == []


def test_audit_pages_have_no_serious_axe_violation(browser, live_server, coordinator, media):
    from datetime import date

    from django.utils import timezone

    from audits import services
    from audits.services import fieldwork

    audit = services.audit_create(
        actor=coordinator,
        municipality=coordinator.profile.municipality,
        title="Audit",
        starts_on=date(2026, 1, 1),
        report_due_on=date(2026, 11, 30),
    )
    services.steering_member_add(actor=coordinator, audit=audit, name="N", organisation="O", kind="town")
    services.audit_transition(audit=audit, action="gather_evidence", actor=coordinator)
    walk = fieldwork.walk_add(
        actor=coordinator,
        audit=audit,
        title="W",
        held_at=timezone.now(),
        after_dark=True,
        route="49.44, 12.93\n49.45, 12.94",
    )
    fieldwork.walk_stop_add(actor=coordinator, walk=walk, label="S", checklist={"lighting": "poor"})
    context = browser.new_context(bypass_csp=True, locale="cs-CZ")
    context.route("https://tile.openstreetmap.org/**", lambda route: route.abort())
    page = context.new_page()
    _log_in(page, live_server, coordinator.email)
    problems = []
    for path in (
        "/surveys/audits/",
        f"/surveys/audits/{audit.pk}/",
        f"/surveys/audits/{audit.pk}/evidence/",
        f"/surveys/audits/{audit.pk}/fieldwork/",
        f"/surveys/audits/{audit.pk}/walks/{walk.pk}/",
        f"/surveys/audits/{audit.pk}/notes/",
        f"/surveys/audits/town/{audit.municipality_id}/",
    ):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        violations = _axe_violations(page)
        if violations:
            problems.append(_report(path, violations))
    context.close()
    assert problems == [], "\n".join(problems)
