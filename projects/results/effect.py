"""The effect maths of a funded project, pure (no database): counts in, figures and warnings out.

Counts (reports of the addressed categories, joke/mistake and withdrawn left out):
  a = target area before, b = target area after, c = control area before, d = control area after;
  buffer_before / buffer_after = the buffer ring around the target (for the displacement quotient).

- **RES** (Welsh & Farrington's Relative Effect Size): RES = (a·d)/(b·c); its 95 % interval from
  Var(ln RES) = 1/a + 1/b + 1/c + 1/d. RES > 1 means relatively fewer reports in the target area after the
  start than in the control area.
- **Zero counts**: when any of a, b, c, d is 0, RES and its interval are *not computed* (no continuity
  correction): the ratio would be 0 or infinite, or depend entirely on an arbitrary +0.5, and a zero count
  is far below the 20 at which any figure is worth reading. ``res()`` returns None and the panel says
  "RES cannot be computed: a count is zero" (``ZERO_COUNT``).
- **WDQ** (Bowers & Johnson's Weighted Displacement Quotient, buffer D, control C, target R):
  success measure SM = R_after/C_after − R_before/C_before (negative when the target improved relative to
  the control); buffer displacement measure BDM = D_after/C_after − D_before/C_before;
  WDQ = BDM / SM. Only meaningful when SM < 0 (the target improved); otherwise None with the reason.
  WDQ > 0: diffusion of benefits to the buffer; < 0: displacement; |WDQ| > 1: the buffer's change outweighs
  the target's. Total net effect TNE = [R_before·(C_after/C_before) − R_after] +
  [D_before·(C_after/C_before) − D_after] (reports "saved", positive is good).
- **Maryland Scientific Methods Scale**: level 2 (before/after in the target area) without a control, level
  3 (before/after with a comparable control area) with one.
"""

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

Z95 = 1.959963984540054
SMALL_COUNT = 20  # below this, any of a, b, c, d makes the figures fragile
FULL_WINDOW_MONTHS = 12

ZERO_COUNT = _("RES cannot be computed: at least one of the counts a, b, c, d is zero.")
NO_CONTROL = _("No control area: RES needs one (Maryland level 2, before/after only).")
REPORTING_CAVEAT = _(
    "Reports measure the willingness to report as well as incidents: an awareness campaign can raise the "
    "number of reports while the problem shrinks. Read the figures next to the verified reports only and the "
    "survey of feeling safe."
)


@dataclass(frozen=True)
class Counts:
    a: int  # target before
    b: int  # target after
    c: int | None = None  # control before (None: no control area)
    d: int | None = None  # control after
    buffer_before: int | None = None
    buffer_after: int | None = None

    def __post_init__(self):
        for name in ("a", "b", "c", "d", "buffer_before", "buffer_after"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise ValueError(f"{name} must be a count (a whole number ≥ 0)")
        if (self.c is None) != (self.d is None):
            raise ValueError("c and d come together")

    @property
    def has_control(self) -> bool:
        return self.c is not None


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float

    @property
    def verdict(self) -> str:
        """ "decrease" (relatively fewer reports in the target after: the interval lies above 1), "increase"
        (below 1) or "unclear" (it contains 1)."""
        if self.low > 1:
            return "decrease"
        if self.high < 1:
            return "increase"
        return "unclear"


def res(counts: Counts) -> Interval | None:
    """RES with its 95 % interval; None without a control area or when a count is zero (see above)."""
    if not counts.has_control:
        return None
    a, b, c, d = counts.a, counts.b, counts.c, counts.d
    if 0 in (a, b, c, d):
        return None
    value = (a * d) / (b * c)
    se = math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    return Interval(
        value=value, low=math.exp(math.log(value) - Z95 * se), high=math.exp(math.log(value) + Z95 * se)
    )


def res_missing_reason(counts: Counts):
    """Why RES is not shown (a translated sentence), or None when it is."""
    if not counts.has_control:
        return NO_CONTROL
    if 0 in (counts.a, counts.b, counts.c, counts.d):
        return ZERO_COUNT
    return None


@dataclass(frozen=True)
class Displacement:
    wdq: float | None
    success_measure: float | None
    buffer_measure: float | None
    total_net_effect: float | None
    reason: object = None  # why WDQ is None (translated)

    @property
    def verdict(self) -> str | None:
        if self.wdq is None:
            return None
        if self.wdq > 1:
            return "diffusion_exceeds"
        if self.wdq > 0:
            return "diffusion"
        if self.wdq == 0:
            return "none"
        if self.wdq >= -1:
            return "displacement_less"
        return "displacement_exceeds"


def wdq(counts: Counts) -> Displacement:
    """Bowers & Johnson's WDQ for the buffer ring, with the success and buffer measures and the total net
    effect. Needs a control (both counts > 0) and buffer counts; meaningful only when the target improved."""
    if not counts.has_control or counts.buffer_before is None or counts.buffer_after is None:
        return Displacement(None, None, None, None, _("WDQ needs a control area and a buffer ring."))
    if counts.c == 0 or counts.d == 0:
        return Displacement(None, None, None, None, _("WDQ cannot be computed: a control count is zero."))
    sm = counts.b / counts.d - counts.a / counts.c
    bdm = counts.buffer_after / counts.d - counts.buffer_before / counts.c
    ratio = counts.d / counts.c
    tne = (counts.a * ratio - counts.b) + (counts.buffer_before * ratio - counts.buffer_after)
    if sm >= 0:
        return Displacement(
            None,
            sm,
            bdm,
            tne,
            _("WDQ is not meaningful: the target area did not improve relative to the control."),
        )
    return Displacement(bdm / sm, sm, bdm, tne)


def maryland_level(counts: Counts) -> int:
    return 3 if counts.has_control else 2


def change(before: int, after: int, *, residents: int | None = None) -> dict:
    """Raw change (after − before), its percentage (None when before is 0) and both per 1 000 residents."""
    result = {
        "before": before,
        "after": after,
        "change": after - before,
        "percent": None if before == 0 else round(100 * (after - before) / before, 1),
        "before_per_1000": None,
        "after_per_1000": None,
        "change_per_1000": None,
    }
    if residents:
        result["before_per_1000"] = round(1000 * before / residents, 2)
        result["after_per_1000"] = round(1000 * after / residents, 2)
        result["change_per_1000"] = round(1000 * (after - before) / residents, 2)
    return result


@dataclass(frozen=True)
class Warning:
    code: str
    message: object  # translated (lazy)


@dataclass
class Context:
    """What the warnings need besides the counts."""

    months_after: int = FULL_WINDOW_MONTHS  # whole months after the implementation counted so far
    window_months: int = FULL_WINDOW_MONTHS
    control_overlaps_buffer: bool = False
    control_overlaps_target: bool = False
    extra: list = field(default_factory=list)


def warnings(counts: Counts, context: Context) -> list[Warning]:
    """The panel's warnings, the reporting caveat always last."""
    result = []
    named = {"a": counts.a, "b": counts.b}
    if counts.has_control:
        named.update(c=counts.c, d=counts.d)
    small = [name for name, value in named.items() if value < SMALL_COUNT]
    if small:
        result.append(
            Warning(
                "small_counts",
                _("Too few reports for a reliable figure: %(names)s below %(n)s.")
                % {"names": ", ".join(small), "n": SMALL_COUNT},
            )
        )
    if not counts.has_control:
        result.append(Warning("no_control", NO_CONTROL))
    if context.control_overlaps_target:
        result.append(Warning("control_overlaps_target", _("The control area overlaps the target area.")))
    if context.control_overlaps_buffer:
        result.append(
            Warning(
                "control_overlaps_buffer",
                _("The control area overlaps the buffer ring: displaced reports may be counted as control."),
            )
        )
    if context.months_after < FULL_WINDOW_MONTHS:
        result.append(
            Warning(
                "short_after",
                _("Only %(months)s months after the implementation are counted so far (fewer than 12).")
                % {"months": context.months_after},
            )
        )
    result.extend(context.extra)
    result.append(Warning("reporting_caveat", REPORTING_CAVEAT))
    return result


@dataclass(frozen=True)
class Effect:
    counts: Counts
    res: Interval | None
    res_reason: object
    displacement: Displacement
    maryland_level: int
    warnings: list[Warning]

    def as_json(self) -> dict:
        return {
            "a": self.counts.a,
            "b": self.counts.b,
            "c": self.counts.c,
            "d": self.counts.d,
            "buffer_before": self.counts.buffer_before,
            "buffer_after": self.counts.buffer_after,
            "res": None if self.res is None else round(self.res.value, 4),
            "res_low": None if self.res is None else round(self.res.low, 4),
            "res_high": None if self.res is None else round(self.res.high, 4),
            "res_verdict": None if self.res is None else self.res.verdict,
            "res_missing": None if self.res_reason is None else str(self.res_reason),
            "wdq": None if self.displacement.wdq is None else round(self.displacement.wdq, 4),
            "wdq_missing": None if self.displacement.reason is None else str(self.displacement.reason),
            "total_net_effect": None
            if self.displacement.total_net_effect is None
            else round(self.displacement.total_net_effect, 2),
            "maryland_level": self.maryland_level,
            "warnings": [{"code": w.code, "message": str(w.message)} for w in self.warnings],
        }


def effect(counts: Counts, context: Context | None = None) -> Effect:
    context = context or Context()
    return Effect(
        counts=counts,
        res=res(counts),
        res_reason=res_missing_reason(counts),
        displacement=wdq(counts),
        maryland_level=maryland_level(counts),
        warnings=warnings(counts, context),
    )
