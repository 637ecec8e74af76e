"""Fairness computed inside Prometheus: each protected group's positive-outcome rate, its ratio to the reference
group (disparate impact) and to the highest-rate group (four-fifths rule), and its move from the training baseline.

Three alerts per protected attribute, all of incident type bias_and_fairness_violation:
  - AIModelFairnessDisparity: rate / reference rate outside [fairness_min_ratio, 1/fairness_min_ratio]
    (the design's non-English content flagged at 3x the English rate).
  - AIModelFairnessFourFifths: rate / highest group's rate below fairness_min_ratio (29 CFR 1607.4(D)).
  - AIModelFairnessShift: the ratio to the reference moved more than fairness_baseline_shift from its training
    value (the design's "approval rate for 60+ drops 15% after retraining", inside the band or not).
A group serving at most fairness_min_volume predictions/s over the window has no rate at all: it cannot page.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Sequence

from aigen.detectors.base import Alert, Context, Detector, Record, Series, Simulation, num, pct
from aigen.detectors.drift import SIM_BASE, constant_series, quote
from aigen.detectors.pipeline import PREDICTIONS
from aigen.profile import GroupProfile, Profile
from aigen.spec import ModelSpec

UNKNOWN_GROUP = "__unknown__"
"""Group label value for a prediction whose protected attribute is null or not a declared group: never judged."""
SIM_RPS = 10.0
"""Predictions per second per combination of group values in the simulations (far above the volume guard)."""


def positive_rate_record(attribute: str, window: str) -> str:
    return f"aigen:model_positive_rate_by_{attribute}:ratio_rate{window}"


def reference_ratio_record(attribute: str, window: str) -> str:
    return f"aigen:model_positive_rate_by_{attribute}:reference_ratio_rate{window}"


def highest_ratio_record(attribute: str, window: str) -> str:
    return f"aigen:model_positive_rate_by_{attribute}:highest_ratio_rate{window}"


def baseline_ratio_record(attribute: str) -> str:
    return f"aigen:model_positive_rate_by_{attribute}:baseline_reference_ratio"


def _records(ctx: Context, attribute: str, reference: str, window: str) -> list[Record]:
    a, sel = attribute, ctx.sel
    positive = quote(ctx.spec.model.positive_outcome)
    known = f'{a}!~"|{UNKNOWN_GROUP}"'  # series without the label, or with an unknown group, are never a group
    total = f"sum by (model_id, {a}) (rate({PREDICTIONS.name}{{{sel}, {known}}}[{window}]))"
    hits = f"sum by (model_id, {a}) (rate({PREDICTIONS.name}{{{sel}, {known}, outcome={positive}}}[{window}]))"
    rate = f"{positive_rate_record(a, window)}{{{sel}}}"
    out = [
        Record(positive_rate_record(a, window), (
            f"(\n  {hits}\n  or on (model_id, {a})\n  {total} * 0\n)\n/ on (model_id, {a})\n{total}\n"
            f"and on (model_id, {a})\n{total} > {num(ctx.thresholds.fairness_min_volume)}")),
        Record(reference_ratio_record(a, window),
               f"{rate}\n/ on (model_id) group_left\n{positive_rate_record(a, window)}{{{sel}, {a}={quote(reference)}}}"),
        Record(highest_ratio_record(a, window), f"{rate}\n/ on (model_id) group_left\nmax by (model_id) ({rate})"),
    ]
    profile = ctx.profile.group(a) if ctx.profile else None
    if profile is not None:
        ratios = sorted(profile.reference_ratios().items())
        out.append(Record(baseline_ratio_record(a), constant_series(a, ratios), (("model_id", ctx.model_id),)))
    return out


def _alert(ctx: Context, attribute: str, name: str, expr: str, summary: str, description: str, signal: str,
           threshold: float, comparison: str, unit: str = "none") -> Alert:
    t = ctx.timing
    return Alert(name=name, detector="fairness_disparity" if name != "AIModelFairnessShift" else "fairness_shift",
                 incident_type=ctx.incident_type, severity=ctx.severity, expr=expr, for_seconds=t.for_,
                 summary=summary, description=description, threshold=threshold, signal=signal, signal_unit=unit,
                 comparison=comparison, extra_labels=(("protected_attribute", attribute),),
                 metrics=(PREDICTIONS.name,), windows=(t.long,))


def _disparity(ctx: Context) -> list[Alert | Record]:
    t = ctx.timing
    w = t.w(t.long)
    low = ctx.thresholds.fairness_min_ratio
    high = round(1 / low, 6)
    pos = ctx.spec.model.positive_outcome
    out: list[Alert | Record] = []
    for group in ctx.spec.groups:
        a, ref = group.attribute, group.reference
        out.extend(_records(ctx, a, ref, w))
        ratio = f"{reference_ratio_record(a, w)}{{{ctx.sel}, {a}!={quote(ref)}}}"
        highest = f"{highest_ratio_record(a, w)}{{{ctx.sel}}}"
        out.append(_alert(
            ctx, a, "AIModelFairnessDisparity", f"{ratio} < {num(low)}\nor\n{ratio} > {num(high)}",
            f"A protected group's {pos} rate, relative to the reference group's, is outside the allowed band.",
            (f"Model {{{{ $labels.model_id }}}}: the {pos} rate of {a}={{{{ $labels.{a} }}}} is "
             f"{{{{ $value | printf \"%.2f\" }}}}x that of {a}={ref} over the last {w}, outside "
             f"[{num(low)}, {num(round(high, 4))}] (disparate impact)."),
            ratio, low, "band"))
        out.append(_alert(
            ctx, a, "AIModelFairnessFourFifths", f"{highest} < {num(low)}",
            f"A protected group's {pos} rate is below {pct(low)} of the highest group's (four-fifths rule).",
            (f"Model {{{{ $labels.model_id }}}}: the {pos} rate of {a}={{{{ $labels.{a} }}}} is "
             f"{{{{ $value | humanizePercentage }}}} of the highest {a} group's over the last {w}, below {pct(low)} "
             f"(adverse impact under the four-fifths rule)."),
            highest, low, "<", "percentunit"))
    return out


def _shift(ctx: Context) -> list[Alert | Record]:
    t = ctx.timing
    w = t.w(t.long)
    limit = ctx.thresholds.fairness_baseline_shift
    pos = ctx.spec.model.positive_outcome
    out: list[Alert | Record] = []
    for group in ctx.spec.groups:
        a, ref = group.attribute, group.reference
        out.extend(_records(ctx, a, ref, w))
        move = (f"abs(\n  {reference_ratio_record(a, w)}{{{ctx.sel}, {a}!={quote(ref)}}}\n  / on (model_id, {a})\n"
                f"  {baseline_ratio_record(a)}{{{ctx.sel}}}\n  - 1\n)")
        out.append(_alert(
            ctx, a, "AIModelFairnessShift", f"{move} > {num(limit)}",
            f"A protected group's {pos} rate relative to the reference group moved away from its training baseline.",
            (f"Model {{{{ $labels.model_id }}}}: the {pos} rate ratio of {a}={{{{ $labels.{a} }}}} to {a}={ref} "
             f"moved {{{{ $value | humanizePercentage }}}} from its training baseline over the last {w} (allowed "
             f"{pct(limit)}). A retraining or an upstream change may have shifted outcomes for this group."),
            move, limit, ">", "percentunit"))
    return out


# --- simulations (aigen test): level = the affected group's positive rate / the reference group's ------------------

def prediction_series(spec: ModelSpec, profile: Profile, attribute: str, affected: str, levels: Sequence[float],
                      step_seconds: int, volume: float = SIM_RPS) -> list[Series]:
    """model_predictions_total per combination of group values and outcome, ``volume`` predictions/s each.

    A combination's positive rate is the tested attribute's group rate times, per other attribute, its group's
    rate over that attribute's mean rate: every attribute's ratios then equal its baseline ratios exactly, except
    ``affected``, whose rate is ``level`` x the reference group's. Fractional counts keep the rates exact.
    """
    positive = spec.model.positive_outcome
    negative = next((o for o in profile.outcomes if o != positive), "negative")
    names = [g.attribute for g in spec.groups]
    out: list[Series] = []
    for combo in itertools.product(*(g.values for g in spec.groups)):
        factor = math.prod(_relative_rate(profile, n, v) for n, v in zip(names, combo) if n != attribute)
        rate = _tested_rate(profile, attribute, combo[names.index(attribute)], affected)
        per_step = [min(1.0, max(0.0, rate(level) * factor)) for level in levels]
        labels = ", ".join(f"{n}={quote(v)}" for n, v in zip(names, combo))
        for outcome, shares in ((positive, per_step), (negative, [1 - p for p in per_step])):
            total, values = 0.0, []
            for share in shares:
                total += volume * step_seconds * share
                values.append(round(SIM_BASE + total, 6))
            selector = f"{PREDICTIONS.name}{{model_id={quote(spec.model.id)}, outcome={quote(outcome)}, {labels}}}"
            out.append(Series(selector, tuple(values)))
    return out


def _relative_rate(profile: Profile, attribute: str, value: str) -> float:
    group = profile.group(attribute)
    assert group is not None
    rates = group.rates()
    return rates[value] / (sum(rates.values()) / len(rates))


def _tested_rate(profile: Profile, attribute: str, value: str, affected: str) -> Callable[[float], float]:
    group = profile.group(attribute)
    assert group is not None
    rates = group.rates()
    if value == affected:
        return lambda level: level * rates[group.reference]
    return lambda level: rates[value]


def _scenario(alert: Alert, group: GroupProfile, value: str, low: float, shift: float) -> tuple[float, float, float]:
    """(failing level, threshold level, alert value when failing) of one group, per alert kind."""
    healthy = group.reference_ratios()[value]
    rates = group.rates()
    ref = rates[group.reference]
    if alert.name == "AIModelFairnessShift":
        failing = healthy * 0.85  # the design's "approval rate for 60+ drops 15%"
        return failing, healthy * (1 - shift), 0.15
    if alert.name == "AIModelFairnessDisparity":
        if 3 * ref <= 0.95:
            return 3.0, 1 / low, 3.0  # the design's "flags non-English content at 3x the rate of English"
        return 0.5, low, 0.5
    highest = max(r for v, r in rates.items() if v != value)
    return 0.5, low * highest / ref, 0.5 * ref / highest


def _simulations(ctx: Context, alert: Alert) -> list[Simulation]:
    attribute = dict(alert.extra_labels).get("protected_attribute", "")
    group = ctx.profile.group(attribute) if ctx.profile else None
    if ctx.profile is None or group is None:
        return []
    t = ctx.thresholds
    out = []
    # One group per attribute proves the rule (the same expression for every group): the last declared non-reference
    # group — 60+ and non_english in the examples, the design's two cases.
    for value in [g.value for g in group.groups if g.value != group.reference][-1:]:
        failing, threshold, firing = _scenario(alert, group, value, t.fairness_min_ratio, t.fairness_baseline_shift)
        out.append(Simulation(
            healthy=group.reference_ratios()[value], failing=failing, noise=0.003,
            emit=_emitter(ctx.spec, ctx.profile, attribute, value), exp_labels={attribute: value}, ramp=True,
            threshold=threshold, firing_value=firing, name=f"{attribute}={value}"))
    return out


def _emitter(spec: ModelSpec, profile: Profile, attribute: str, value: str):
    def emit(ctx: Context, alert: Alert, levels: list[float], step: int, rng: random.Random) -> list[Series]:
        return prediction_series(spec, profile, attribute, value, levels, step)
    return emit


def _applies(spec: ModelSpec) -> str | None:
    return None if spec.groups else "the spec declares no protected groups"


FAIRNESS_DISPARITY = Detector(
    id="fairness_disparity", title="Fairness disparity (band and four-fifths rule)",
    doc="Alerts when a protected group's positive-outcome rate over the reference group's leaves "
        "[fairness_min_ratio, 1/fairness_min_ratio], or is below fairness_min_ratio of the highest group's rate; "
        "groups at or below fairness_min_volume predictions/s are not judged.",
    metrics=(PREDICTIONS,), build=_disparity, applies=_applies, simulate=_simulations,
)
FAIRNESS_SHIFT = Detector(
    id="fairness_shift", title="Fairness shift from the training baseline",
    doc="Alerts when a protected group's rate ratio to the reference group moves more than "
        "fairness_baseline_shift (relative) from its value in the training profile.",
    metrics=(PREDICTIONS,), build=_shift, applies=_applies, simulate=_simulations, needs_profile=True,
)
