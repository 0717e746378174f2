"""The statistics of perceived-safety surveys, as plain functions (no database): proportions with Wilson
score intervals, weighted estimates with Kish's effective sample size, post-stratification weights from
population shares, small-cell suppression with secondary (complementary) suppression, and a hexagon grid
for the "places where I feel unsafe" map that hides sparse hexagons.

Disclosure control follows common statistical-office practice: a cell with fewer than ``threshold``
respondents is not published (primary suppression); where the parent's total is published, further cells
are hidden so that no subtraction of published figures reveals a hidden cell, and the hidden cells of a
parent never add up to fewer than ``threshold`` (secondary suppression).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054  # the 97.5 % point of the standard normal distribution


@dataclass(frozen=True)
class Proportion:
    share: float  # 0..1
    low: float
    high: float
    n: float  # respondents (the effective sample size for weighted estimates)


def wilson(successes: float, n: float, *, z: float = Z95) -> Proportion | None:
    """The Wilson score interval for ``successes`` out of ``n`` (works for 0 and n successes too). ``n`` may
    be an effective sample size (not a whole number). None when n is 0."""
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError("successes must lie between 0 and n")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return Proportion(share=p, low=max(0.0, centre - half), high=min(1.0, centre + half), n=n)


def weighted_proportion(pairs: Iterable[tuple[float, bool]], *, z: float = Z95) -> Proportion | None:
    """A weighted share from (weight, yes) pairs. The interval is Wilson's with Kish's effective sample size
    n_eff = (Σw)² / Σw², which widens it as unequal weights cost precision."""
    total = squares = yes = 0.0
    for weight, hit in pairs:
        if weight < 0:
            raise ValueError("weights must not be negative")
        total += weight
        squares += weight * weight
        yes += weight if hit else 0.0
    if total <= 0:
        return None
    n_eff = total * total / squares
    estimate = wilson(yes / total * n_eff, n_eff, z=z)
    return estimate


def poststratification_weights(
    sample_counts: Mapping[Hashable, int], population_shares: Mapping[Hashable, float]
) -> dict[Hashable, float]:
    """Weight per cell (e.g. age group × sex × district) = population share / sample share, so the weighted
    sample has the population's structure. Cells without respondents get no weight (their population share
    is redistributed over the rest by normalising the shares of the cells that have respondents)."""
    respondents = sum(sample_counts.values())
    if respondents <= 0:
        return {}
    covered = {cell: share for cell, share in population_shares.items() if sample_counts.get(cell)}
    share_total = sum(covered.values())
    if share_total <= 0:
        raise ValueError("no population share for any cell with respondents")
    return {
        cell: (share / share_total) / (sample_counts[cell] / respondents) for cell, share in covered.items()
    }


# --- disclosure control ---------------------------------------------------------------------------------


def suppress(
    children: Mapping[Hashable, int], *, threshold: int = 10, parent_published: bool = True
) -> set[Hashable]:
    """Which children (cell → number of respondents) of one parent must not be published.

    Primary: every cell under ``threshold``. Secondary (when the parent's total is published): if exactly one
    cell is hidden, or the hidden cells add up to fewer than ``threshold``, the smallest visible cell is
    hidden too, until neither holds (or nothing is left to hide)."""
    hidden = {cell for cell, n in children.items() if n < threshold}
    if not parent_published or not hidden:
        return hidden
    visible = sorted((n, str(cell), cell) for cell, n in children.items() if cell not in hidden)
    while visible and (len(hidden) == 1 or sum(children[c] for c in hidden) < threshold):
        hidden.add(visible.pop(0)[2])
    return hidden


def suppress_tree(
    tree: Mapping[Hashable, Mapping[Hashable, int]], parents: Mapping[Hashable, int], *, threshold: int = 10
) -> tuple[set[Hashable], set[tuple[Hashable, Hashable]]]:
    """Two levels (e.g. towns of a wave, districts of each town): ``parents`` = town → n, ``tree`` = town →
    {district → n}. Returns (hidden towns, hidden (town, district) pairs). A hidden town hides all its
    districts; a town's districts are suppressed against the town's total."""
    hidden_parents = suppress(parents, threshold=threshold, parent_published=True)
    hidden_children: set[tuple[Hashable, Hashable]] = set()
    for parent, children in tree.items():
        if parent in hidden_parents:
            hidden_children.update((parent, child) for child in children)
            continue
        for child in suppress(children, threshold=threshold, parent_published=True):
            hidden_children.add((parent, child))
    return hidden_parents, hidden_children


# --- the unsafe-places map: a hexagon grid --------------------------------------------------------------

_M_PER_DEG_LAT = 110_574.0


@dataclass(frozen=True)
class Hexagon:
    q: int
    r: int
    count: int
    centre: tuple[float, float]  # (lon, lat)
    ring: tuple[tuple[float, float], ...]  # closed ring of (lon, lat)


def hexagons(
    points: Sequence[tuple[float, float]], *, size_m: float = 250.0, minimum: int = 5
) -> list[Hexagon]:
    """Points (lon, lat) binned into flat-topped hexagons ``size_m`` metres across (flat side to flat side),
    in a local metric projection around the points' mean latitude. Hexagons with fewer than ``minimum`` points
    are left out, so no single respondent's mark can be read off the map."""
    if not points:
        return []
    lat0 = sum(lat for _lon, lat in points) / len(points)
    m_per_deg_lon = 111_320.0 * math.cos(math.radians(lat0))
    radius = size_m / math.sqrt(3)  # centre to corner of a hexagon whose flat sides are size_m apart
    counts: dict[tuple[int, int], int] = {}
    for lon, lat in points:
        x, y = lon * m_per_deg_lon, lat * _M_PER_DEG_LAT
        key = _hex_round((2 / 3 * x) / radius, (-1 / 3 * x + math.sqrt(3) / 3 * y) / radius)
        counts[key] = counts.get(key, 0) + 1
    result = []
    for (q, r), count in sorted(counts.items()):
        if count < minimum:
            continue
        cx, cy = radius * 1.5 * q, radius * math.sqrt(3) * (r + q / 2)
        ring = [
            (
                (cx + radius * math.cos(math.radians(60 * k))) / m_per_deg_lon,
                (cy + radius * math.sin(math.radians(60 * k))) / _M_PER_DEG_LAT,
            )
            for k in range(6)
        ]
        ring.append(ring[0])
        result.append(
            Hexagon(q=q, r=r, count=count, centre=(cx / m_per_deg_lon, cy / _M_PER_DEG_LAT), ring=tuple(ring))
        )
    return result


def _hex_round(q: float, r: float) -> tuple[int, int]:
    """Round fractional axial coordinates to the hexagon that contains them (cube rounding)."""
    s = -q - r
    rq, rr, rs = round(q), round(r), round(s)
    dq, dr, ds = abs(rq - q), abs(rr - r), abs(rs - s)
    if dq > dr and dq > ds:
        rq = -rr - rs
    elif dr > ds:
        rr = -rq - rs
    return int(rq), int(rr)


def weighted_proportion_from_cells(
    cells: Iterable[tuple[float, float, float]], *, z: float = Z95
) -> Proportion | None:
    """The same estimate as ``weighted_proportion`` from cells counted in the database: (weight, respondents,
    of whom yes) per cell, everybody in a cell sharing its weight. Σw = Σ w·n, Σw² = Σ w²·n."""
    total = squares = yes = 0.0
    for weight, n, hits in cells:
        if weight < 0 or n < 0 or not 0 <= hits <= n:
            raise ValueError("weights and counts must not be negative, hits at most n")
        total += weight * n
        squares += weight * weight * n
        yes += weight * hits
    if total <= 0:
        return None
    n_eff = total * total / squares
    return wilson(yes / total * n_eff, n_eff, z=z)
