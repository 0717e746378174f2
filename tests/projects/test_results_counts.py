"""The effect panel's counts from the database: areas, time windows, categories, joke/mistake left out,
verified only, buffer ring, control suggestions, in a constant number of queries."""

from datetime import date

import pytest

from incidents.workflow import Status
from projects.results import selectors, services
from projects.results.selectors import effect_panel, windows_for

from .factories import approve, make_proposal
from .results_helpers import (
    AFTER,
    AMOUNT,
    BEFORE,
    CONTROL_XY,
    END,
    FAR_XY,
    IMPLEMENTATION,
    NEIGHBOUR_XY,
    NOW,
    START,
    TARGET_XY,
    centre,
    make_categories,
    make_districts,
    put,
    spread,
)


@pytest.fixture
def stage(town, call, manager):
    proposal = make_proposal(call, town)
    approve(proposal, AMOUNT, status="in_progress")
    districts = make_districts(town)
    vandalism, noise = make_categories()
    result = services.result_ensure(proposal=proposal, actor=manager)
    services.result_area_set(
        result=result, actor=manager, kind="districts", district_ids=[districts["target"].pk], buffer_m=300
    )
    services.result_update(
        result=result,
        actor=manager,
        fields={
            "implementation_start": START,
            "implementation_end": END,
            "window_months": 12,
            "target_residents": 2000,
        },
        category_ids=[vandalism.pk],
    )
    services.result_control_set(result=result, actor=manager, district_ids=[districts["control"].pk])
    return {
        "proposal": proposal,
        "result": result,
        "districts": districts,
        "vandalism": vandalism,
        "noise": noise,
    }


def panel_of(stage):
    return effect_panel(selectors.result_for_proposal(proposal_id=stage["proposal"].pk), now=NOW)


def test_windows_leave_out_the_implementation_months():
    w = windows_for(start=START, end=END, months=12, today=date(2026, 12, 8))
    assert (w.before_from, w.before_to, w.after_from, w.after_to) == (
        date(2023, 3, 1),
        date(2024, 3, 1),
        date(2024, 6, 1),
        date(2025, 6, 1),
    )
    assert w.months_after == 12
    short = windows_for(start=START, end=END, months=12, today=date(2024, 11, 20))
    assert (short.after_to, short.months_after) == (date(2024, 11, 1), 5)


def test_counts_a_b_c_d_with_filters(stage, django_assert_max_num_queries):
    vandalism, noise = stage["vandalism"], stage["noise"]
    t, c = centre(TARGET_XY), centre(CONTROL_XY)
    spread(60, BEFORE, point=t, category=vandalism)
    spread(30, AFTER, point=t, category=vandalism)
    spread(50, BEFORE, point=c, category=vandalism)
    spread(50, AFTER, point=c, category=vandalism)
    # Not counted: another category, joke/mistake, withdrawn, implementation months, outside the windows
    spread(40, BEFORE, point=t, category=noise)
    put(7, point=t, month=BEFORE[0], category=vandalism, status=Status.JOKE_OR_MISTAKE)
    put(3, point=t, month=AFTER[0], category=vandalism, status=Status.WITHDRAWN)
    spread(25, IMPLEMENTATION, point=t, category=vandalism)
    put(9, point=t, month=date(2023, 2, 1), category=vandalism)
    put(9, point=t, month=date(2025, 6, 1), category=vandalism)
    # Verified ones among the counted
    put(10, point=t, month=BEFORE[3], category=vandalism, status=Status.CONFIRMED)
    put(4, point=t, month=AFTER[3], category=vandalism, status=Status.ELIMINATED)
    with django_assert_max_num_queries(8):
        panel = panel_of(stage)
    counts = panel.effect.counts
    assert (counts.a, counts.b, counts.c, counts.d) == (70, 34, 50, 50)
    assert (panel.verified.counts.a, panel.verified.counts.b) == (10, 4)
    assert panel.effect.res.value == pytest.approx((70 * 50) / (34 * 50))
    assert panel.effect.maryland_level == 3
    assert panel.target_change["change_per_1000"] == pytest.approx(1000 * (34 - 70) / 2000)
    # The chart's months: 12 before, 3 implementation, 12 after, with the implementation reports shown
    assert len(panel.months) == 27
    assert sum(r.target for r in panel.months if r.side == "implementation") == 25
    assert panel.cost_per_resident == AMOUNT / 2000


def test_buffer_ring_and_wdq(stage):
    vandalism = stage["vandalism"]
    t, c = centre(TARGET_XY), centre(CONTROL_XY)
    just_outside = centre(NEIGHBOUR_XY, dx=0.1)  # ~70 m east of the target: in the 300 m ring
    farther = centre(NEIGHBOUR_XY, dx=0.9)  # ~650 m east: outside the ring
    spread(100, BEFORE, point=t, category=vandalism)
    spread(50, AFTER, point=t, category=vandalism)
    spread(100, BEFORE, point=c, category=vandalism)
    spread(100, AFTER, point=c, category=vandalism)
    spread(40, BEFORE, point=just_outside, category=vandalism)
    spread(30, AFTER, point=just_outside, category=vandalism)
    spread(33, AFTER, point=farther, category=vandalism)
    panel = panel_of(stage)
    assert (panel.effect.counts.buffer_before, panel.effect.counts.buffer_after) == (40, 30)
    assert panel.effect.displacement.wdq == pytest.approx(0.2)
    assert [w.code for w in panel.effect.warnings] == ["reporting_caveat"]


def test_zero_count_shows_no_res(stage):
    spread(25, BEFORE, point=centre(TARGET_XY), category=stage["vandalism"])
    spread(25, AFTER, point=centre(CONTROL_XY), category=stage["vandalism"])
    panel = panel_of(stage)
    assert (panel.effect.counts.b, panel.effect.counts.c) == (0, 0)
    assert panel.effect.res is None
    assert "zero" in str(panel.effect.res_reason)


def test_control_overlapping_the_buffer_is_warned(stage, manager):
    services.result_control_set(
        result=stage["result"], actor=manager, district_ids=[stage["districts"]["neighbour"].pk]
    )
    panel = panel_of(stage)
    codes = [w.code for w in panel.effect.warnings]
    assert "control_overlaps_buffer" in codes and "small_counts" in codes


def test_control_suggestions_most_similar_and_never_touching(stage, django_assert_max_num_queries):
    vandalism, d = stage["vandalism"], stage["districts"]
    spread(24, BEFORE, point=centre(TARGET_XY), category=vandalism)
    spread(24, BEFORE, point=centre(CONTROL_XY), category=vandalism, district=d["control"])
    spread(120, BEFORE, point=centre(FAR_XY), category=vandalism, district=d["far"])
    spread(24, BEFORE, point=centre(NEIGHBOUR_XY), category=vandalism, district=d["neighbour"])
    result = selectors.result_for_proposal(proposal_id=stage["proposal"].pk)
    # candidates, target months, district months (+ SpatiaLite's once-per-connection SRS look-ups)
    with django_assert_max_num_queries(5):
        found = selectors.control_suggestions(result, now=NOW)
    names = [s.district.name for s in found["suggestions"]]
    assert names == ["Control", "Far"]  # the neighbour touches the target; the target itself overlaps
    assert found["suggestions"][0].distance == 0
    assert found["target"] == [2] * 12


def test_without_area_the_panel_says_what_is_missing(town, call, manager):
    proposal = make_proposal(call, town)
    approve(proposal, AMOUNT)
    services.result_ensure(proposal=proposal, actor=manager)
    from projects.models import ProjectResult

    ProjectResult.objects.filter(proposal=proposal).update(implementation_start=None)
    panel = effect_panel(selectors.result_for_proposal(proposal_id=proposal.pk), now=NOW)
    assert not panel.ready
    assert [str(m) for m in panel.missing] == ["the project's area", "the implementation start"]


def test_survey_change_feeling_safe_after_dark_in_the_area(stage, town, make_user):
    from audits.models import Wave
    from audits.workflow import WaveStatus
    from portal import roles
    from tests.audits.factories import respond, wave

    methodologist = make_user(email="metodik@example.org", roles=[roles.SURVEY_METHODOLOGIST])
    target, far = stage["districts"]["target"], stage["districts"]["far"]
    waves = []
    for name, opens, closes, safe in (
        ("Spring 2023", date(2023, 1, 10), date(2023, 2, 10), 6),
        ("Autumn 2025", date(2025, 9, 1), date(2025, 10, 1), 9),
    ):
        w = wave(methodologist, [town], name=name)
        for i in range(12):
            respond(w, town, district=target, dark="fairly_safe" if i < safe else "very_unsafe")
        respond(w, town, district=far, dark="very_unsafe")  # another district: not counted
        Wave.objects.filter(pk=w.pk).update(status=WaveStatus.PUBLISHED, opens_on=opens, closes_on=closes)
        waves.append(w)
    panel = panel_of(stage)
    assert panel.survey["before"]["wave"] == "Spring 2023" and panel.survey["after"]["wave"] == "Autumn 2025"
    assert (panel.survey["before"]["n"], panel.survey["after"]["n"]) == (12, 12)
    assert panel.survey["before"]["estimate"].share == pytest.approx(0.5)
    assert panel.survey["change"] == 25.0
