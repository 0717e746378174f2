"""The audits app's reads: the questionnaire a respondent fills in, and a wave's published results.

``wave_results`` is the one computation of the published aggregates: the results page, the CSV/XLSX exports
and ``manage.py survey_results`` all call it. Counting happens in the database (a handful of grouped queries,
whatever the number of answers); the statistics (Wilson intervals, weights, suppression, hexagons) are
``audits.stats`` over those counts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from incidents.selectors import districts_of_municipalities

from . import stats
from .models import Answer, Question, Response, Wave
from .workflow import WaveStatus

THRESHOLD = 10  # cells with fewer respondents are not published
HEX_MINIMUM = 5
HEX_SIZE_M = 250.0
ESTIMATOR = (
    "post-stratified share (weight = population share / sample share per age group × sex × district cell), "
    "Wilson 95 % interval on Kish's effective sample size"
)


def waves_published() -> QuerySet[Wave]:
    return Wave.objects.filter(status=WaveStatus.PUBLISHED).prefetch_related("municipalities")


def waves_open() -> QuerySet[Wave]:
    return Wave.objects.filter(status=WaveStatus.OPEN).prefetch_related("municipalities")


def wave_get(pk) -> Wave | None:
    return Wave.objects.select_related("questionnaire").filter(pk=pk).first()


def wave_questions(wave: Wave) -> list[Question]:
    return list(wave.questionnaire.questions.all())


def response_on_device(*, wave: Wave, device_hash: str) -> Response | None:
    if not device_hash:
        return None
    return Response.objects.filter(wave=wave, device_hash=device_hash).order_by("-pk").first()


def answered_question_ids(response: Response) -> set[int]:
    return set(Answer.objects.filter(response=response).values_list("question_id", flat=True))


def answers_of(response: Response, question: Question) -> list[Answer]:
    return list(Answer.objects.filter(response=response, question=question))


def wave_districts(wave: Wave) -> dict[int, list]:
    return districts_of_municipalities(municipality_ids=[m.pk for m in wave.municipalities.all()])


# --- results ----------------------------------------------------------------------------------------------


@dataclass
class Estimate:
    n: float  # the base (effective for weighted estimates)
    share: float
    low: float
    high: float


@dataclass
class Cell:
    level: str  # "wave", "town", "district"
    town: str
    district: str
    n: int
    suppressed: bool = False
    estimates: dict[str, Estimate | None] = field(default_factory=dict)


@dataclass
class TownResults:
    cell: Cell
    districts: list[Cell]


@dataclass
class WaveResults:
    wave: Wave
    questions: list[Question]  # the single-choice questions with a published share
    total: Cell
    towns: list[TownResults]
    hexagons: list[stats.Hexagon]
    weighted: bool
    estimator: str
    non_probability: int  # of the respondents, how many came through the open web link

    def rows(self) -> list[dict]:
        """The published aggregates, one row per cell and question (suppressed cells without figures)."""
        result = []
        cells = [self.total] + [c for town in self.towns for c in (town.cell, *town.districts)]
        for cell in cells:
            for question in self.questions:
                estimate = None if cell.suppressed else cell.estimates.get(question.code)
                result.append(
                    {
                        "level": cell.level,
                        "town": cell.town,
                        "district": cell.district,
                        "question": question.code,
                        "n": None if cell.suppressed else cell.n,
                        "share": None if estimate is None else round(estimate.share, 4),
                        "low": None if estimate is None else round(estimate.low, 4),
                        "high": None if estimate is None else round(estimate.high, 4),
                        "suppressed": cell.suppressed,
                    }
                )
        return result

    def as_json(self) -> dict:
        return {
            "wave": self.wave.pk,
            "name": self.wave.name,
            "weighted": self.weighted,
            "estimator": self.estimator if self.weighted else "unweighted share, Wilson 95 % interval",
            "threshold": THRESHOLD,
            "cells": self.rows(),
            "hexagons": [{"q": h.q, "r": h.r, "count": h.count, "centre": h.centre} for h in self.hexagons],
        }


def _estimate(question: Question, counts: dict, weights: dict | None) -> Estimate | None:
    """counts: {(cell, option): n} of one group."""
    success, excluded = set(question.success), set(question.excluded)
    if weights is None:
        valid = sum(n for (_c, option), n in counts.items() if option not in excluded)
        hits = sum(n for (_c, option), n in counts.items() if option in success)
        p = stats.wilson(hits, valid)
    else:
        per_cell: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for (cell, option), n in counts.items():
            if option in excluded or cell not in weights:
                continue
            per_cell[cell][0] += n
            if option in success:
                per_cell[cell][1] += n
        p = stats.weighted_proportion_from_cells((weights[c], n, h) for c, (n, h) in per_cell.items())
    return None if p is None else Estimate(n=p.n, share=p.share, low=p.low, high=p.high)


def wave_results(wave: Wave) -> WaveResults:
    """The published aggregates of a wave (the caller decides whether the wave may be shown)."""
    questions = [q for q in wave_questions(wave) if q.kind == Question.Kind.SINGLE and q.success]
    towns = {m.pk: m for m in wave.municipalities.all()}
    districts = {
        d.pk: d for ds in districts_of_municipalities(municipality_ids=list(towns)).values() for d in ds
    }
    submitted = Response.objects.filter(wave=wave, submitted=True)

    respondents: dict[tuple, int] = {}
    cells: dict[str, int] = defaultdict(int)
    web = 0
    for row in (
        submitted.values("municipality_id", "district_id", "cell", "mode").annotate(n=Count("pk")).order_by()
    ):
        key = (row["municipality_id"], row["district_id"])
        respondents[key] = respondents.get(key, 0) + row["n"]
        cells[row["cell"]] += row["n"]
        if row["mode"] == Response.Mode.WEB:
            web += row["n"]
    weights = None
    if wave.population_shares:
        try:
            weights = stats.poststratification_weights(cells, wave.population_shares) or None
        except ValueError:
            weights = None

    # (question, town, district) -> {(cell, option): n}
    counts: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    by_code = {q.pk: q.code for q in questions}
    rows = (
        Answer.objects.filter(response__in=submitted, question_id__in=list(by_code))
        .values(
            "question_id", "option", "response__municipality_id", "response__district_id", "response__cell"
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        counts[(by_code[row["question_id"]], row["response__municipality_id"], row["response__district_id"])][
            (row["response__cell"], row["option"])
        ] += row["n"]

    def group(code, town=None, district=...):
        merged: dict = defaultdict(int)
        for (qcode, t, d), values in counts.items():
            if qcode == code and (town is None or t == town) and (district is ... or d == district):
                for key, n in values.items():
                    merged[key] += n
        return merged

    def valid_n(code, town, district=...):
        question = next(q for q in questions if q.code == code)
        return sum(
            n for (_c, option), n in group(code, town, district).items() if option not in question.excluded
        )

    # Disclosure control: respondents per town and district, and each question's base, suppressed as trees
    tree = {t: {d: n for (tt, d), n in respondents.items() if tt == t} for t in towns}
    parents = {t: sum(ds.values()) for t, ds in tree.items()}
    hidden_towns, hidden_districts = stats.suppress_tree(tree, parents, threshold=THRESHOLD)
    question_hidden: dict[str, tuple[set, set]] = {}
    for q in questions:
        q_tree = {t: {d: valid_n(q.code, t, d) for d in tree[t]} for t in towns}
        q_parents = {t: valid_n(q.code, t) for t in towns}
        question_hidden[q.code] = stats.suppress_tree(q_tree, q_parents, threshold=THRESHOLD)

    def district_label(pk):
        if pk is None:
            return _("district not given")
        district = districts.get(pk)
        return district.name if district else _("district %(id)s") % {"id": pk}

    total_n = sum(parents.values())
    total = Cell("wave", "", "", total_n, suppressed=total_n < THRESHOLD)
    for q in questions:
        total.estimates[q.code] = _estimate(q, group(q.code), weights)
    town_results = []
    for t, town in sorted(towns.items(), key=lambda item: item[1].name):
        cell = Cell("town", town.name, "", parents[t], suppressed=t in hidden_towns or total.suppressed)
        for q in questions:
            cell.estimates[q.code] = (
                None if t in question_hidden[q.code][0] else _estimate(q, group(q.code, t), weights)
            )
        district_cells = []
        for d in sorted(tree[t], key=lambda pk: (pk is None, district_label(pk))):
            dc = Cell(
                "district",
                town.name,
                district_label(d),
                tree[t][d],
                suppressed=(t, d) in hidden_districts or cell.suppressed,
            )
            for q in questions:
                hidden = (t, d) in question_hidden[q.code][1]
                dc.estimates[q.code] = None if hidden else _estimate(q, group(q.code, t, d), weights)
            district_cells.append(dc)
        town_results.append(TownResults(cell=cell, districts=district_cells))

    points = [
        (p.x, p.y)
        for p in Answer.objects.filter(
            response__in=submitted, question__kind=Question.Kind.MAP, point__isnull=False
        ).values_list("point", flat=True)
    ]
    return WaveResults(
        wave=wave,
        questions=questions,
        total=total,
        towns=town_results,
        hexagons=stats.hexagons(points, size_m=HEX_SIZE_M, minimum=HEX_MINIMUM),
        weighted=weights is not None,
        estimator=ESTIMATOR,
        non_probability=web,
    )


def wave_trend(wave: Wave) -> list[dict]:
    """The headline share (unweighted) per town across the published waves of the same questionnaire code:
    [{"wave", "town", "n", "estimate"}], oldest wave first, towns under the threshold without a figure."""
    headline = next((q for q in wave_questions(wave) if q.headline), None)
    if headline is None:
        return []
    waves = list(
        Wave.objects.filter(
            status=WaveStatus.PUBLISHED, questionnaire__code=wave.questionnaire.code
        ).order_by("opens_on", "pk")
    )
    rows = (
        Answer.objects.filter(
            response__wave__in=waves,
            response__submitted=True,
            question__code=headline.code,
            question__kind="single",
        )
        .values("response__wave_id", "response__municipality__name", "option")
        .annotate(n=Count("pk"))
        .order_by()
    )
    grouped: dict[tuple, dict] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        grouped[(row["response__wave_id"], row["response__municipality__name"])][("", row["option"])] += row[
            "n"
        ]
    result = []
    for w in waves:
        for (wave_id, town), values in sorted(grouped.items(), key=lambda item: item[0][1]):
            if wave_id != w.pk:
                continue
            n = sum(n for (_c, option), n in values.items() if option not in headline.excluded)
            result.append(
                {
                    "wave": w,
                    "town": town,
                    "n": n,
                    "estimate": _estimate(headline, values, None) if n >= THRESHOLD else None,
                }
            )
    return result


def raw_answers(wave: Wave):
    """Every answer of the wave's submitted responses, for its methodologist only (the caller checks)."""
    return (
        Answer.objects.filter(response__wave=wave, response__submitted=True)
        .select_related("question")
        .values_list(
            "response_id",
            "response__mode",
            "response__municipality__name",
            "response__district_id",
            "response__cell",
            "question__code",
            "row",
            "option",
            "number",
            "text",
            "point",
        )
        .order_by("response_id", "question__order", "pk")
    )


# --- the audit cycle (``projects/`` may cite an action that seeks a grant) -------------------------------


def actions_seeking_grant(*, municipality) -> QuerySet:
    """The actions of a town's audits that seek a grant, with their priority and audit (one query)."""
    from .models import Action

    return (
        Action.objects.filter(seeking_grant=True, priority__audit__municipality=municipality)
        .select_related("priority__audit")
        .order_by("priority__audit", "priority__order", "deadline")
    )


def priorities_of_town(*, municipality) -> QuerySet:
    """The priorities of a town's audits, those with an action seeking a grant first (one query)."""
    from django.db.models import Exists, OuterRef

    from .models import Action, Priority

    seeking = Action.objects.filter(priority=OuterRef("pk"), seeking_grant=True)
    return (
        Priority.objects.filter(audit__municipality=municipality)
        .annotate(seeking_grant=Exists(seeking))
        .select_related("audit")
        .order_by("-seeking_grant", "audit", "order")
    )


EVIDENCE_MONTHS = 24


def audit_evidence(*, audit, now=None) -> dict:
    """The evidence panel's report figures for the audit's town from Okrsek's own data (through
    ``incidents.selectors``): reports of public categories over the last 24 months, per category, as counts
    and per 1 000 residents (population from the municipality data; None when it is not known)."""
    from datetime import timedelta

    from django.utils import timezone

    from incidents.selectors import report_counts_for_municipality

    now = now or timezone.now()
    since = now - timedelta(days=round(EVIDENCE_MONTHS * 365.25 / 12))
    population = audit.municipality.population

    def rate(n):
        return round(1000 * n / population, 2) if population else None

    categories = [
        {**row, "per_1000": rate(row["total"])}
        for row in report_counts_for_municipality(municipality=audit.municipality, since=since)
    ]
    total = sum(row["total"] for row in categories)
    return {
        "since": since,
        "months": EVIDENCE_MONTHS,
        "population": population,
        "categories": categories,
        "total": total,
        "total_per_1000": rate(total),
    }


# --- the survey change in an area (``projects/`` results: the effect panel) --------------------------------

SAFE_AFTER_DARK = "safety_dark"


def safe_after_dark_change(*, district_ids, before: date, after: date) -> dict | None:
    """The share feeling safe after dark among the respondents of these districts in the last published wave
    that closed before ``before`` and the first that opened after ``after`` (same question code, unweighted,
    Wilson 95 % interval; a side under the publication threshold has no figure). None when either side has
    no wave with answers there. One query.

    {"before": {"wave", "n", "estimate"}, "after": {…}, "change": points or None}"""
    district_ids = list(district_ids)
    if not district_ids:
        return None
    rows = (
        Answer.objects.filter(
            question__code=SAFE_AFTER_DARK,
            question__kind="single",
            response__submitted=True,
            response__district_id__in=district_ids,
            response__wave__status=WaveStatus.PUBLISHED,
        )
        .filter(Q(response__wave__closes_on__lt=before) | Q(response__wave__opens_on__gt=after))
        .values(
            "response__wave_id",
            "response__wave__name",
            "response__wave__opens_on",
            "response__wave__closes_on",
            "question__success",
            "question__excluded",
            "option",
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    waves: dict[int, dict] = {}
    for row in rows:
        wave = waves.setdefault(
            row["response__wave_id"],
            {
                "wave": row["response__wave__name"],
                "opens_on": row["response__wave__opens_on"],
                "closes_on": row["response__wave__closes_on"],
                "success": set(row["question__success"] or []),
                "excluded": set(row["question__excluded"] or []),
                "valid": 0,
                "hits": 0,
            },
        )
        if row["option"] in wave["excluded"]:
            continue
        wave["valid"] += row["n"]
        if row["option"] in wave["success"]:
            wave["hits"] += row["n"]
    earlier = [w for w in waves.values() if w["closes_on"] < before]
    later = [w for w in waves.values() if w["opens_on"] > after]
    if not earlier or not later:
        return None

    def side(wave: dict) -> dict:
        p = stats.wilson(wave["hits"], wave["valid"]) if wave["valid"] >= THRESHOLD else None
        estimate = None if p is None else Estimate(n=p.n, share=p.share, low=p.low, high=p.high)
        return {"wave": wave["wave"], "n": wave["valid"], "estimate": estimate}

    first = side(max(earlier, key=lambda w: w["closes_on"]))
    second = side(min(later, key=lambda w: w["opens_on"]))
    change = None
    if first["estimate"] and second["estimate"]:
        change = round(100 * (second["estimate"].share - first["estimate"].share), 1)
    return {"before": first, "after": second, "change": change}
