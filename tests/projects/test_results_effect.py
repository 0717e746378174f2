"""The effect maths (projects/results/effect.py) on hand-made counts whose results are known."""

import math

import pytest

from projects.results import effect as m


def test_res_and_interval_on_known_counts():
    # a=100, b=50, c=100, d=100: RES = (100·100)/(50·100) = 2; Var(ln RES) = 1/100+1/50+1/100+1/100 = 0.05
    counts = m.Counts(a=100, b=50, c=100, d=100)
    res = m.res(counts)
    assert res.value == pytest.approx(2.0)
    se = math.sqrt(0.05)
    assert res.low == pytest.approx(2 * math.exp(-1.959964 * se), rel=1e-6)
    assert res.high == pytest.approx(2 * math.exp(1.959964 * se), rel=1e-6)
    assert (round(res.low, 3), round(res.high, 3)) == (1.290, 3.100)
    assert res.verdict == "decrease"


def test_res_of_no_change_contains_one():
    res = m.res(m.Counts(a=40, b=40, c=45, d=44))
    assert res.value == pytest.approx((40 * 44) / (40 * 45))
    assert res.low < 1 < res.high
    assert res.verdict == "unclear"


def test_res_increase():
    res = m.res(m.Counts(a=50, b=120, c=100, d=100))
    assert res.value == pytest.approx(50 / 120)
    assert res.verdict == "increase"


@pytest.mark.parametrize("counts", [(0, 10, 10, 10), (10, 0, 10, 10), (10, 10, 0, 10), (10, 10, 10, 0)])
def test_zero_count_gives_no_res_and_says_why(counts):
    a, b, c, d = counts
    result = m.effect(m.Counts(a=a, b=b, c=c, d=d))
    assert result.res is None
    assert str(result.res_reason) == "RES cannot be computed: at least one of the counts a, b, c, d is zero."
    assert result.as_json()["res"] is None
    assert "zero" in result.as_json()["res_missing"]


def test_without_control_maryland_2_and_no_res():
    result = m.effect(m.Counts(a=30, b=20))
    assert result.maryland_level == 2
    assert result.res is None
    assert "control" in str(result.res_reason)
    assert "no_control" in [w.code for w in result.warnings]


def test_with_control_maryland_3():
    assert m.maryland_level(m.Counts(a=30, b=20, c=30, d=30)) == 3


def test_wdq_known_values():
    # Target 100 → 50, buffer 40 → 30, control 100 → 100:
    # SM = 50/100 − 100/100 = −0.5; BDM = 30/100 − 40/100 = −0.1; WDQ = −0.1/−0.5 = 0.2 (diffusion)
    d = m.wdq(m.Counts(a=100, b=50, c=100, d=100, buffer_before=40, buffer_after=30))
    assert d.success_measure == pytest.approx(-0.5)
    assert d.buffer_measure == pytest.approx(-0.1)
    assert d.wdq == pytest.approx(0.2)
    assert d.verdict == "diffusion"
    # TNE = (100·1 − 50) + (40·1 − 30) = 60 reports fewer than expected
    assert d.total_net_effect == pytest.approx(60)


def test_wdq_displacement():
    d = m.wdq(m.Counts(a=100, b=50, c=100, d=100, buffer_before=40, buffer_after=70))
    assert d.wdq == pytest.approx(-0.6)
    assert d.verdict == "displacement_less"


def test_wdq_not_meaningful_without_improvement_or_with_zero_control():
    d = m.wdq(m.Counts(a=50, b=60, c=100, d=100, buffer_before=10, buffer_after=10))
    assert d.wdq is None and "did not improve" in str(d.reason)
    d = m.wdq(m.Counts(a=50, b=60, c=0, d=100, buffer_before=10, buffer_after=10))
    assert d.wdq is None and "zero" in str(d.reason)
    assert m.wdq(m.Counts(a=50, b=60)).wdq is None


def test_warnings_small_counts_overlap_short_and_caveat_always_last():
    result = m.effect(
        m.Counts(a=19, b=25, c=30, d=5),
        m.Context(months_after=7, control_overlaps_buffer=True),
    )
    codes = [w.code for w in result.warnings]
    assert codes == ["small_counts", "control_overlaps_buffer", "short_after", "reporting_caveat"]
    assert "a, d below 20" in str(result.warnings[0].message)
    assert "Only 7 months" in str(result.warnings[2].message)


def test_caveat_shown_even_with_perfect_data():
    result = m.effect(m.Counts(a=200, b=100, c=200, d=200, buffer_before=50, buffer_after=50))
    assert [w.code for w in result.warnings] == ["reporting_caveat"]
    assert "willingness to report" in str(result.warnings[0].message)


def test_counts_refuse_nonsense():
    with pytest.raises(ValueError):
        m.Counts(a=-1, b=3)
    with pytest.raises(ValueError):
        m.Counts(a=1, b=3, c=4)
    with pytest.raises(ValueError):
        m.Counts(a=1.5, b=3)


def test_change_per_1000():
    assert m.change(60, 30, residents=3000) == {
        "before": 60,
        "after": 30,
        "change": -30,
        "percent": -50.0,
        "before_per_1000": 20.0,
        "after_per_1000": 10.0,
        "change_per_1000": -10.0,
    }
    assert m.change(0, 5)["percent"] is None
