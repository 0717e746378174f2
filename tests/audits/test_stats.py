"""Survey statistics (audits/stats.py) against published values and hand-made cases: Wilson intervals
(Newcombe 1998, Table I), weighting with Kish's effective sample size, primary and secondary suppression
(no subtraction of published figures reveals a hidden cell), and the hexagon grid of the unsafe-places map."""

import math

import pytest

from audits.stats import (
    hexagons,
    poststratification_weights,
    suppress,
    suppress_tree,
    weighted_proportion,
    wilson,
)


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 10, 0.0, 0.2775), (10, 10, 0.7225, 1.0)],
)
def test_wilson_intervals_match_newcombe(successes, n, low, high):
    estimate = wilson(successes, n)
    assert (round(estimate.low, 4), round(estimate.high, 4)) == (low, high)
    assert estimate.share == successes / n


def test_wilson_refuses_nonsense_and_has_nothing_to_say_about_nobody():
    assert wilson(0, 0) is None
    with pytest.raises(ValueError):
        wilson(11, 10)


def test_equal_weights_change_nothing_and_unequal_ones_widen_the_interval():
    answers = [True] * 30 + [False] * 70
    plain = wilson(30, 100)
    same = weighted_proportion((2.0, a) for a in answers)
    assert math.isclose(same.share, 0.3) and math.isclose(same.n, 100)
    assert math.isclose(same.low, plain.low) and math.isclose(same.high, plain.high)
    # Half the sample weighs three times the other half: n_eff = (50·3 + 50)² / (50·9 + 50) = 80
    uneven = weighted_proportion((3.0 if i % 2 else 1.0, a) for i, a in enumerate(answers))
    assert math.isclose(uneven.n, 80)
    assert (uneven.high - uneven.low) > (plain.high - plain.low)


def test_poststratification_gives_the_population_structure():
    sample = {"young": 20, "old": 80}
    weights = poststratification_weights(sample, {"young": 0.4, "old": 0.6})
    assert math.isclose(weights["young"], 2.0) and math.isclose(weights["old"], 0.75)
    weighted = {cell: sample[cell] * w for cell, w in weights.items()}
    assert math.isclose(weighted["young"] / sum(weighted.values()), 0.4)
    # A population cell nobody in the sample belongs to: the others carry its share
    partial = poststratification_weights({"young": 50, "old": 50}, {"young": 0.3, "old": 0.3, "middle": 0.4})
    assert math.isclose(partial["young"], 1.0) and "middle" not in partial


def test_a_single_small_cell_takes_a_second_one_with_it():
    districts = {"Centre": 40, "North": 25, "East": 12, "South": 7}
    hidden = suppress(districts)
    assert hidden == {"South", "East"}  # South is under 10; with East visible, total − visible = South
    visible_sum = sum(n for d, n in districts.items() if d not in hidden)
    assert sum(districts.values()) - visible_sum == 19  # only the two together can be derived, ≥ 10


def test_hidden_cells_that_add_up_to_little_hide_more():
    hidden = suppress({"A": 50, "B": 3, "C": 4, "D": 11, "E": 30})
    assert hidden == {"B", "C", "D"}  # B + C = 7 < 10 would tell too much: D goes as well
    assert suppress({"A": 50, "B": 3, "C": 4}, parent_published=False) == {"B", "C"}
    assert suppress({"A": 50, "B": 30}) == set()


def test_no_subtraction_reveals_a_hidden_district_in_a_two_level_table():
    towns = {"Stod": 120, "Planá": 8, "Kralovice": 60}
    districts = {"Stod": {"1": 60, "2": 55, "3": 5}, "Planá": {"1": 8}, "Kralovice": {"1": 30, "2": 30}}
    hidden_towns, hidden_districts = suppress_tree(districts, towns)
    assert "Planá" in hidden_towns and ("Planá", "1") in hidden_districts
    assert len(hidden_towns) >= 2  # the wave's total minus the visible towns would give Planá away
    for town, cells in districts.items():
        if town in hidden_towns:
            continue
        hidden = [n for d, n in cells.items() if (town, d) in hidden_districts]
        assert len(hidden) != 1 and (not hidden or sum(hidden) >= 10)


def test_sparse_hexagons_are_left_out():
    plzen = (13.3776, 49.7475)
    crowd = [(plzen[0] + i * 1e-5, plzen[1] + i * 1e-5) for i in range(6)]  # within a few metres
    lonely = [(13.45, 49.70)] * 4  # four marks far away: one hexagon under the minimum
    cells = hexagons(crowd + lonely, size_m=250, minimum=5)
    assert [cell.count for cell in cells] == [6]
    cell = cells[0]
    assert len(cell.ring) == 7 and cell.ring[0] == cell.ring[-1]
    # The hexagon holds the marks: its centre lies within ~150 m of them (250 m across)
    lon_m = 111_320 * math.cos(math.radians(49.75))
    assert math.hypot((cell.centre[0] - plzen[0]) * lon_m, (cell.centre[1] - plzen[1]) * 110_574) < 150
