"""The audit's evidence panel (reads): the town's reports from ``incidents.selectors.report_evidence`` turned
into rates per 1 000 residents, shares and medians, and the linked survey waves' published results. A constant
number of queries in the number of reports (a few per linked published wave)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from incidents.models import Category
from incidents.selectors import ReportEvidence, report_evidence

from . import selectors
from .models import Audit
from .workflow import WaveStatus

MONTHS_DEFAULT, MONTHS_MIN, MONTHS_MAX = 24, 24, 120
EVIDENCE_CACHE_SECONDS = 600


def months_param(value) -> int:
    """The period asked for (months), bounded: at least 24 (the Home Office toolkit's two years)."""
    try:
        months = int(value)
    except (TypeError, ValueError):
        return MONTHS_DEFAULT
    return max(MONTHS_MIN, min(MONTHS_MAX, months))


@dataclass
class GroupRow:
    code: str
    label: str
    count: int
    per_1000: float | None


@dataclass
class EvidencePanel:
    audit: Audit
    months: int
    population: int | None
    reports: ReportEvidence
    groups: list[GroupRow]
    total_per_1000: float | None
    waves: list[tuple]  # [(wave, town cell or None, headline question or None)]

    def share(self, part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def handed_over_share(self) -> float | None:
        return self.share(self.reports.town.handed_over, self.reports.town.confirmed)

    @property
    def late_take_up_share(self) -> float | None:
        return self.share(self.reports.town.taken_up_late, self.reports.town.total)

    def month_grid(self) -> list[tuple[int, list[int | None]]]:
        """The monthly counts as rows of a year, twelve months each (None: outside the period)."""
        years: dict[int, list[int | None]] = {}
        for month, n in self.reports.months:
            years.setdefault(month.year, [None] * 12)[month.month - 1] = n
        return sorted(years.items())

    def district_rows(self) -> list[dict]:
        town_total = self.reports.town.total
        return [
            {
                "figures": d,
                "cells": [d.by_group.get(g.code, 0) for g in self.groups],
                "share": self.share(d.total, town_total),
                "handed_over": self.share(d.handed_over, d.confirmed),
                "late": self.share(d.taken_up_late, d.total),
            }
            for d in self.reports.districts
        ]


def rate(count: int, population: int | None) -> float | None:
    return round(1000 * count / population, 2) if population else None


def _report_evidence(audit: Audit, months: int, now: datetime | None) -> ReportEvidence:
    """The town's report figures; without an explicit ``now`` kept in the cache for EVIDENCE_CACHE_SECONDS
    (counting two years of a large town's reports takes a while: the panel is counted once per period and
    town, not on every visit). The cached figures hold no translated text."""
    if now is not None:
        since = now - timedelta(days=round(months * 365.25 / 12))
        return report_evidence(municipality=audit.municipality, since=since, until=now)
    key = f"audits:evidence:v1:{audit.municipality_id}:{months}"
    evidence = cache.get(key)
    if evidence is None:
        now = timezone.now()
        since = now - timedelta(days=round(months * 365.25 / 12))
        evidence = report_evidence(municipality=audit.municipality, since=since, until=now)
        cache.set(key, evidence, EVIDENCE_CACHE_SECONDS)
    return evidence


def audit_evidence_panel(*, audit: Audit, months: int = MONTHS_DEFAULT, now: datetime | None = None):
    months = months_param(months)
    evidence = _report_evidence(audit, months, now)
    population = audit.municipality.population
    labels = dict(Category.Group.choices)
    groups = [
        GroupRow(
            code,
            str(labels.get(code, code)),
            evidence.by_group[code],
            rate(evidence.by_group[code], population),
        )
        for code in evidence.groups
    ]
    waves = []
    for wave in audit.waves.all():
        if wave.status != WaveStatus.PUBLISHED:
            waves.append((wave, None, None))
            continue
        results = selectors.wave_results(wave)
        headline = next((q for q in results.questions if q.headline), None)
        town = next((t for t in results.towns if t.cell.town == audit.municipality.name), None)
        waves.append((wave, town, headline))
    return EvidencePanel(
        audit=audit,
        months=months,
        population=population,
        reports=evidence,
        groups=groups,
        total_per_1000=rate(evidence.town.total, population),
        waves=waves,
    )
