"""Project results in a real browser: the programme manager records a milestone with a photo and publishes
the effect panel; the public results page and the panel then read well on a 360 px phone. No assertion reads
a translated text: URLs, field names, classes and data attributes only."""

import io
import re
from pathlib import Path

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from PIL import Image
from playwright.sync_api import Page, expect

from projects.models import Milestone
from projects.results import services
from tests.projects.factories import approve, make_call, make_member, make_programme, make_proposal
from tests.projects.results_helpers import (
    AFTER,
    AMOUNT,
    BEFORE,
    CONTROL_XY,
    END,
    START,
    TARGET_XY,
    centre,
    make_categories,
    make_districts,
    spread,
)

from .conftest import no_sideways_scroll
from .test_accessibility import _axe_violations, _report
from .test_projects import _login, _shot

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("browser_settings", "offline_tiles")]


@pytest.fixture
def stage(db, make_user, municipality, tmp_path):
    from portal import roles

    municipality.boundary = MultiPolygon(
        Polygon(((12.8, 49.3), (13.1, 49.3), (13.1, 49.5), (12.8, 49.5), (12.8, 49.3))), srid=4326
    )
    municipality.save()
    programme = make_programme()
    make_member(programme, municipality)
    call = make_call(programme)
    proposal = make_proposal(call, municipality, title="Kamerový dohled na náměstí")
    approve(proposal, AMOUNT, status="in_progress")
    manager = make_user(email="manazer@kraj.cz", roles=[roles.PROGRAMME_MANAGER])
    districts = make_districts(municipality)
    vandalism, _noise = make_categories()
    result = services.result_ensure(proposal=proposal, actor=manager)
    services.result_area_set(
        result=result, actor=manager, kind="districts", district_ids=[districts["target"].pk]
    )
    services.result_update(
        result=result,
        actor=manager,
        fields={"implementation_start": START, "implementation_end": END, "target_residents": 2500},
        category_ids=[vandalism.pk],
    )
    services.result_control_set(result=result, actor=manager, district_ids=[districts["control"].pk])
    spread(64, BEFORE, point=centre(TARGET_XY), category=vandalism)
    spread(28, AFTER, point=centre(TARGET_XY), category=vandalism)
    spread(52, BEFORE, point=centre(CONTROL_XY), category=vandalism)
    spread(49, AFTER, point=centre(CONTROL_XY), category=vandalism)
    photo = tmp_path / "milestone.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), "#1d4e89").save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())
    return {"programme": programme, "proposal": proposal, "manager": manager, "photo": Path(photo)}


@pytest.mark.browser_context_args(bypass_csp=True)  # axe-core is injected as a script
def test_manager_records_a_milestone_publishes_and_the_public_reads_it_on_a_phone(
    page: Page, live_server, stage, console_errors
):
    proposal = stage["proposal"]
    result_url = f"{live_server.url}/grants/results/{proposal.pk}/"
    # The public sees the project but not the draft panel
    page.goto(result_url)
    expect(page.locator("#milestones")).to_be_visible()
    expect(page.locator("#effect")).to_have_count(0)

    _login(page, live_server, stage["manager"])
    page.goto(result_url)
    expect(page.locator(".effect-draft-notice")).to_be_visible()
    page.locator("#milestones details summary").click()
    form = page.locator("form.milestone-form")
    form.locator("input[name=on]").fill("2024-04-02")
    form.locator("select[name=status]").select_option("done")
    form.locator("textarea[name=text]").fill("Kamery instalovány a v provozu.")
    form.locator("input[name=progress]").fill("80")
    form.locator("input[name=photos]").set_input_files(str(stage["photo"]))
    form.locator("[type=submit]").click()
    page.wait_for_load_state("load")
    expect(page.locator("li.milestone")).to_have_count(1)
    expect(page.locator("li.milestone img")).to_have_count(1)
    expect(page.locator(".progress-value")).to_have_text("80 %")
    assert Milestone.objects.get().photos.count() == 1

    page.locator("#effect form [type=submit]").click()
    page.wait_for_load_state("load")
    expect(page.locator(".effect-draft-notice")).to_have_count(0)

    # The public, on a phone
    page.context.clear_cookies()
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/grants/programme/{stage['programme'].slug}/results/")
    row = page.locator(f'tr[data-proposal="{proposal.pk}"]')
    expect(row).to_be_visible()
    expect(row.locator(f'a[href="/grants/results/{proposal.pk}/#effect"]')).to_be_visible()
    expect(page.locator("svg.results-map")).to_be_visible()
    no_sideways_scroll(page)
    violations = _axe_violations(page)
    assert not violations, _report("programme results", violations)
    _shot(page, "results-programme-phone.png")

    row.locator(f'a[href="/grants/results/{proposal.pk}/#effect"]').click()
    page.wait_for_load_state("load")
    expect(page.locator(".res-value")).to_have_text(re.compile(r"^2[.,]15$"))
    expect(page.locator(".count-a")).to_contain_text("64")
    expect(page.locator("svg.effect-chart")).to_be_visible()
    expect(page.locator(".warning-reporting_caveat")).to_be_visible()
    no_sideways_scroll(page)
    violations = _axe_violations(page)
    assert not violations, _report("project results", violations)
    _shot(page, "results-effect-phone.png")
    assert console_errors == [], "\n".join(console_errors)


@pytest.mark.browser_context_args(bypass_csp=True)  # axe-core is injected as a script
def test_manager_draws_the_area_on_the_map(page: Page, live_server, stage, console_errors):
    proposal = stage["proposal"]
    _login(page, live_server, stage["manager"])
    page.goto(f"{live_server.url}/grants/results/{proposal.pk}/edit/")
    area_map = page.locator("#area-map")
    expect(area_map).to_be_visible()
    box = area_map.bounding_box()
    for dx, dy in ((0.3, 0.3), (0.7, 0.3), (0.6, 0.7)):
        page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
    expect(page.locator("textarea[name=wkt]")).to_have_value(re.compile(r"^POLYGON\(\(.*\)\)$"))
    expect(page.locator("input[name=kind][value=drawn]")).to_be_checked()
    violations = _axe_violations(page)
    assert not violations, _report("results edit", violations)
    page.locator("form.result-area-form [type=submit]").click()
    page.wait_for_load_state("load")
    proposal.result.refresh_from_db()
    assert proposal.result.area_kind == "drawn" and proposal.result.area.num_geom == 1
    assert console_errors == [], "\n".join(console_errors)


@pytest.mark.browser_context_args(viewport={"width": 360, "height": 780})
def test_manager_pages_fit_a_phone(page: Page, live_server, stage, console_errors):
    proposal = stage["proposal"]
    _login(page, live_server, stage["manager"])
    for path in (f"/grants/results/{proposal.pk}/", f"/grants/results/{proposal.pk}/edit/"):
        page.goto(live_server.url + path)
        for summary in page.locator("main details summary").all():
            summary.click()  # the milestone and EMMIE forms open
        no_sideways_scroll(page)
    assert console_errors == [], "\n".join(console_errors)
