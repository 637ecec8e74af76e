"""Fairness computed inside Prometheus: each protected group's positive-outcome rate, its ratio to the reference
group (disparate impact) and to the highest-rate group (four-fifths rule), and its move from the training baseline.

Three alerts per protected attribute, all of incident type bias_and_fairness_violation:
  - AIModelFairnessDisparity: rate / reference rate outside [fairness_min_ratio, 1/fairness_min_ratio]
    (the design's non-English content flagged at 3x the English rate).
  - AIModelFairnessFourFifths: rate / highest group's rate below fairness_min_ratio (29 CFR 1607.4(D)).
  - AIModelFairnessShift: the ratio to the reference moved more than fairness_baseline_shift from its training
    value (the design's "approval rate for 60+ drops 15% after retraining", inside the band or not).
Guards (guards.log_ratio): a group's rate is recorded only once the window counted enough of its positives that the
log of its ratio to another group has ``guard_sigmas`` standard deviations inside the nearest threshold; each alert
also needs the reference group past its own count. Below that volume a group is not judged: it cannot page."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from aigen.detectors import guards, sim
from aigen.detectors.base import Alert, Context, Record, Series, Simulation
from aigen.detectors.counts import PREDICTIONS
from aigen.detectors.drift import constant_series
from aigen.detectors.sim import Traffic
from aigen.escape import promql_string
from aigen.profile import GroupProfile, Profile
from aigen.spec import ModelSpec

if TYPE_CHECKING:
    from aigen.detectors.sim import Values

UNKNOWN_GROUP = "__unknown__"
"""Group label value for a prediction whose protected attribute is null or not a declared group: never judged."""


def positive_rate_record(attribute: str, window: str) -> str:
    return f"aigen:model_positive_rate_by_{attribute}:ratio_rate{window}"


def reference_ratio_record(attribute: str, window: str) -> str:
    return f"aigen:model_positive_rate_by_{attribute}:reference_ratio_rate{window}"


def highest_ratio_record(attribute: str, window: str) -> str:
    return f"aigen:model_positive_rate_by_{attribute}:highest_ratio_rate{window}"


def positives_record(attribute: str, window: str) -> str:
    return f"aigen:model_positives_by_{attribute}:increase{window}"


def baseline_ratio_record(attribute: str) -> str:
    return f"aigen:model_positive_rate_by_{attribute}:baseline_reference_ratio"


def predictions_record(window: str) -> str:
    return f"aigen:model_predictions_by_groups:increase{window}"


def predictions_rule(ctx: Context, window: str) -> Record:
    """Predictions over ``window`` by outcome and every protected attribute at once, pods summed: the one read of
    the raw counter per window, shared by every attribute's records."""
    by = ", ".join(["model_id", "outcome", *(g.attribute for g in ctx.spec.groups)])
    return Record(predictions_record(window),
                  f"sum by ({by}) (increase({PREDICTIONS.name}{{{ctx.sel}}}[{window}]))")


def band_positives(ctx: Context, attribute: str) -> int:
    """Positives per group for the band and four-fifths alerts: the log ratio's noise must fit between each group's
    training ratio (to the reference, and to the highest group) and the nearest edge of [r, 1/r]."""
    low = ctx.thresholds.fairness_min_ratio
    group = ctx.profile.group(attribute) if ctx.profile else None
    if group is None:
        return guards.log_ratio(-math.log(low), ctx.sigmas)
    rates = group.rates()
    top = max(rates.values())
    margins = [m for value, ratio in group.reference_ratios().items()
               for m in (math.log(ratio / low), math.log(1 / (low * ratio)), math.log(rates[value] / top / low))]
    # a group already outside the band in training is a finding to page on, not noise to guard against
    return guards.log_ratio(min([m for m in margins if m > 0], default=-math.log(low)), ctx.sigmas)


def shift_positives(ctx: Context) -> int:
    """Positives per group for the shift alert: the log ratio's noise inside ln(1 + fairness_baseline_shift)."""
    return guards.log_ratio(math.log(1 + ctx.thresholds.fairness_baseline_shift), ctx.sigmas)


def _min_volume(ctx: Context, attribute: str, count: int) -> float:
    """Predictions/s at which the scarcest group (share of traffic x positive rate, from the profile) fills the
    guard in the alert's window; 0 without a profile (unknown)."""
    group = ctx.profile.group(attribute) if ctx.profile else None
    if group is None:
        return 0.0
    rows = sum(g.rows for g in group.groups)
    scarcest = min(g.rows / rows * g.positive_rate for g in group.groups)
    return guards.min_volume(count, ctx.timing.long, scarcest)


def _guard(ctx: Context, attribute: str, reference: str, window: str, count: int) -> str:
    """The ``and`` clauses that keep an alert silent until the group and the reference counted ``count`` positives."""
    positives = f"{positives_record(attribute, window)}{{{ctx.sel}"
    return (f"and on (model_id, {attribute})\n{positives}}} >= {count}\n"
            f"and on (model_id)\n{positives}, {attribute}={promql_string(reference)}}} >= {count}")


def rate_records(ctx: Context, attribute: str, reference: str, window: str) -> list[Record]:
    """The attribute's records over ``window``, after the shared ``predictions_rule`` they are built from. A positive
    rate is a ratio of increases over one window: the same number as the ratio of rates."""
    a, sel = attribute, ctx.sel
    positive = promql_string(ctx.spec.model.positive_outcome)
    known = f'{a}!~"|{UNKNOWN_GROUP}"'  # series without the label, or with an unknown group, are never a group
    predictions = f"{predictions_record(window)}{{{sel}, {known}}}"
    total = f"sum by (model_id, {a}) ({predictions})"
    hits = f"{positives_record(a, window)}{{{sel}}}"
    rate = f"{positive_rate_record(a, window)}{{{sel}}}"
    judged = min(band_positives(ctx, a), shift_positives(ctx))
    out = [
        predictions_rule(ctx, window),
        Record(positives_record(a, window),
               f"sum by (model_id, {a}) ({predictions_record(window)}{{{sel}, {known}, outcome={positive}}})"),
        Record(positive_rate_record(a, window), (
            f"(\n  {hits}\n  or on (model_id, {a})\n  {total} * 0\n)\n/ on (model_id, {a})\n{total}\n"
            f"and on (model_id, {a})\n{hits} >= {judged}")),
        Record(reference_ratio_record(a, window),
               f"{rate}\n/ on (model_id) group_left\n"
               f"{positive_rate_record(a, window)}{{{sel}, {a}={promql_string(reference)}}}"),
        Record(highest_ratio_record(a, window), f"{rate}\n/ on (model_id) group_left\nmax by (model_id) ({rate})"),
    ]
    profile = ctx.profile.group(a) if ctx.profile else None
    if profile is not None:
        ratios = sorted(profile.reference_ratios().items())
        out.append(Record(baseline_ratio_record(a), constant_series(a, ratios), (("model_id", ctx.model_id),), True))
    return out


def fairness_alert(ctx: Context, attribute: str, name: str, expr: str, summary: str, description: str, signal: str,
           threshold: float, comparison: str, count: int, unit: str = "none") -> Alert:
    """A fairness alert, guarded by ``count`` positives in the group and in the reference group."""
    t = ctx.timing
    reference = next(g.reference for g in ctx.spec.groups if g.attribute == attribute)
    guard = _guard(ctx, attribute, reference, t.w(t.long), count)
    return Alert(name=name, detector="fairness_disparity" if name != "AIModelFairnessShift" else "fairness_shift",
                 incident_type=ctx.incident_type, severity=ctx.severity, expr=f"(\n{expr}\n)\n{guard}",
                 for_seconds=t.for_, summary=summary, description=description, threshold=threshold, signal=signal,
                 signal_unit=unit, comparison=comparison, extra_labels=(("protected_attribute", attribute),),
                 metrics=(PREDICTIONS.name,), windows=(t.long,), min_volume=_min_volume(ctx, attribute, count))


def prediction_series(spec: ModelSpec, profile: Profile, attribute: str, affected: str,
                      levels: Sequence[float] | Values, traffic: Traffic) -> list[Series]:
    """model_predictions_total per pod, combination of group values and outcome.

    Each pod's predictions split across the combinations by the groups' sizes in the profile (multinomial, or
    exact with exact traffic). A combination's positive rate is the tested attribute's group rate times, per other
    attribute, its group's rate over that attribute's mean rate: every attribute's ratios then equal its baseline
    ratios in expectation, except ``affected``, whose rate is ``level`` x the reference group's.
    """
    positive = spec.model.positive_outcome
    negative = next((o for o in profile.outcomes if o != positive), "negative")
    names = [g.attribute for g in spec.groups]
    combos = list(itertools.product(*(g.values for g in spec.groups)))
    sizes = {combo: math.prod(_size(profile, n, v) for n, v in zip(names, combo, strict=True)) for combo in combos}
    level = sim.array(levels)
    rates = {combo: _tested_rate(profile, attribute, combo[names.index(attribute)], affected)(level)
             * math.prod(_relative_rate(profile, n, v) for n, v in zip(names, combo, strict=True) if n != attribute)
             for combo in combos}
    # in a healthy run every fairness simulation serves the groups at their profile rates: the same series, drawn once
    key = ("predictions", tuple((combo, rate.tobytes()) for combo, rate in rates.items()))
    return traffic.once(key, lambda: _predictions(spec.model.id, (positive, negative), names, sizes, rates, traffic))


def _predictions(model_id: str, outcomes: tuple[str, str], names: list[str], sizes: dict[tuple[str, ...], float],
                 rates: dict[tuple[str, ...], Values], traffic: Traffic) -> list[Series]:
    """model_predictions_total per pod, combination and (positive, negative) outcome: each pod's predictions split
    by the groups' sizes, a combination's positives drawn at its rate."""
    positive, negative = outcomes
    combos = list(sizes)
    out: list[Series] = []
    for pod, counts in enumerate(traffic.counts):
        split = traffic.split(counts, {"|".join(c): sizes[c] for c in combos})
        for combo in combos:
            served = split["|".join(combo)]
            hits = traffic.draw(served, rates[combo])
            labels = ", ".join(f"{n}={promql_string(v)}" for n, v in zip(names, combo, strict=True))
            for outcome, increments in ((positive, hits), (negative, served - hits)):
                selector = (f"{PREDICTIONS.name}{{model_id={promql_string(model_id)}, "
                            f"outcome={promql_string(outcome)}, "
                            f"{labels}, pod={promql_string(traffic.pods[pod])}}}")
                out.append(Series(selector, traffic.counter(pod, increments)))
    return out


def _size(profile: Profile, attribute: str, value: str) -> float:
    """A group's share of the training rows: the share of traffic the simulations give it."""
    group = profile.group(attribute)
    assert group is not None
    rows = {g.value: g.rows for g in group.groups}
    return rows[value] / sum(rows.values())


def _relative_rate(profile: Profile, attribute: str, value: str) -> float:
    group = profile.group(attribute)
    assert group is not None
    rates = group.rates()
    return rates[value] / (sum(rates.values()) / len(rates))


def _tested_rate(profile: Profile, attribute: str, value: str,
                 affected: str) -> Callable[[Values], Values]:
    group = profile.group(attribute)
    assert group is not None
    rates = group.rates()
    if value == affected:
        return lambda level: level * rates[group.reference]
    return lambda level: level * 0.0 + rates[value]  # the same rate at every step, as an array like the level


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


def simulations(ctx: Context, alert: Alert) -> list[Simulation]:
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
            healthy=group.reference_ratios()[value], failing=failing, noise=0.0,
            emit=_emitter(ctx.spec, ctx.profile, attribute, value), exp_labels={attribute: value}, ramp=True,
            threshold=threshold, firing_value=firing, name=f"{attribute}={value}"))
    return out


def _emitter(spec: ModelSpec, profile: Profile, attribute: str, value: str):
    def emit(ctx: Context, alert: Alert, levels: list[float], traffic: Traffic) -> list[Series]:
        return prediction_series(spec, profile, attribute, value, levels, traffic)
    return emit


def has_groups(spec: ModelSpec) -> str | None:
    return None if spec.groups else "the spec declares no protected groups"
