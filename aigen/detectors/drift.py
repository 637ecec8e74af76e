"""Input drift computed inside Prometheus: PSI and KL(current || baseline) per feature, from counters per bin.

The model server counts each request's feature values into ``model_feature_bin_total{model_id, feature, bin}``
(bins from the training profile; ``aigen.instrument`` does it). Recording rules read the counters once per window
(the requests per bin, pods summed), derive from that the requests per feature and the current share of each bin,
compare the shares with the profile's baseline shares (constant series, one rule per feature) and record PSI and KL
per feature and the worst feature per model.

Smoothing: every share, current and baseline, is floored at ``EPSILON`` (0.0001) with ``clamp_min`` and not
renormalised — Evidently's rule for empty bins (it only differs for shares strictly between 0 and 0.0001). A bin
the profile has but the server never exported counts as 0 (then 0.0001) once the feature has any traffic."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

from aigen.detectors import sim
from aigen.detectors.base import Alert, Context, Metric, Record, Series, num
from aigen.detectors.sim import Traffic
from aigen.escape import promql_string
from aigen.profile import MISSING, OTHER, FeatureProfile, Profile

if TYPE_CHECKING:
    from aigen.detectors.sim import Level, Values

L = TypeVar("L", float, "Values")

EPSILON = 0.0001


FEATURE_BINS = Metric(
    "model_feature_bin_total", "counter", ("model_id", "feature", "bin"),
    "Requests by the bin each input feature's value falls in: one increment per feature per request. Bins and "
    "labels come from the training profile (see *Bin labels* below); nulls count in `bin=\"__missing__\"`.")


BASELINE = "aigen:model_feature_bin:baseline_share"


def share_record(window: str) -> str:
    return f"aigen:model_feature_bin:share_rate{window}"


def smoothed_record(window: str) -> str:
    return f"aigen:model_feature_bin:share_smoothed_rate{window}"


def psi_record(window: str) -> str:
    return f"aigen:model_feature_psi:rate{window}"


def kl_record(window: str) -> str:
    return f"aigen:model_feature_kl:rate{window}"


def requests_record(window: str) -> str:
    return f"aigen:model_feature_requests:increase{window}"


def bin_increase_record(window: str) -> str:
    return f"aigen:model_feature_bin:increase{window}"


GUARD = "aigen:model_feature_requests:guard"
"""Constant per (feature, guard): the requests a feature's window must hold before the guarded alert may judge."""


def bin_increase_rule(ctx: Context, window: str) -> Record:
    """Requests per bin over ``window``, pods summed: the one read of the raw counters per window. The requests per
    feature and the shares derive from it (a share is a ratio of increases over the same window: the same number
    as the ratio of rates)."""
    return Record(bin_increase_record(window),
                  f"sum by (model_id, feature, bin) (increase({FEATURE_BINS.name}{{{ctx.sel}}}[{window}]))")


def requests_rule(ctx: Context, window: str) -> Record:
    """Requests per feature over ``window`` (each request counts once per feature): what drift guards judge on."""
    return Record(requests_record(window), f"sum by (model_id, feature) ({bin_increase_record(window)}{{{ctx.sel}}})")


def window_records(ctx: Context, window: str) -> list[Record]:
    """The records every drift alert over ``window`` reads, in evaluation order: requests per bin (the raw read),
    per feature, and each bin's share."""
    return [bin_increase_rule(ctx, window), requests_rule(ctx, window), raw_share_record(ctx, window)]


def guard_rule(ctx: Context, guard: str, counts: Sequence[tuple[str, float]]) -> Record:
    """The minimum requests per feature for one guarded alert, as constant series labelled ``guard``."""
    return Record(GUARD, constant_series("feature", counts), (("guard", guard), ("model_id", ctx.model_id)), True)


def guarded(ctx: Context, window: str, guard: str) -> str:
    """The ``and`` clause that keeps a per-feature alert silent until its window holds the guard's requests."""
    return (f"and on (model_id, feature)\n({requests_record(window)}{{{ctx.sel}}}\n"
            f">= on (model_id, feature)\n{GUARD}{{{ctx.sel}, guard={promql_string(guard)}}})")


OR_RUN = 8
"""Longest flat ``a or b or c ...`` chain of constants; longer lists are or'ed as a balanced tree of such chains."""


def constant_series(label: str, values: Sequence[tuple[str, float]]) -> str:
    """One constant series per (label value, number): ``label_replace(vector(n), label, value, "", "")`` or'ed.

    ``or`` is left-associative and copies its left operand, so a flat chain of k constants costs Prometheus
    O(k^2) per evaluation (a 200-feature guard: ~20,000 copies); halves in parentheses make it O(k log k)."""
    parts = [f'label_replace(vector({num(v)}), "{label}", {promql_string(text.replace("$", "$$"))}, "", "")'
             for text, v in values]
    return _or_tree(parts)


def _or_tree(parts: Sequence[str]) -> str:
    if len(parts) <= OR_RUN:
        return "\nor ".join(parts)
    half = len(parts) // 2
    return f"(\n{_or_tree(parts[:half])}\n)\nor (\n{_or_tree(parts[half:])}\n)"


def raw_share_record(ctx: Context, window: str) -> Record:
    """Current share of each bin over ``window``: what dashboards plot and the null-surge alert reads. Built from
    the records of ``window_records`` (which must come first in the group)."""
    return Record(share_record(window), (
        f"{bin_increase_record(window)}{{{ctx.sel}}}\n/ on (model_id, feature) group_left\n"
        f"{requests_record(window)}{{{ctx.sel}}}"))


def smoothed_share_record(ctx: Context, window: str) -> Record:
    """The current share floored at EPSILON, with bins the profile has but the server never exported as 0."""
    share = f"{share_record(window)}{{{ctx.sel}}}"
    return Record(smoothed_record(window), (
        f"clamp_min(\n  {share}\n  or on (model_id, feature, bin)\n  ({BASELINE}{{{ctx.sel}}} * 0 and on "
        f"(model_id, feature) {share}),\n  {num(EPSILON)}\n)"))


def baseline_records(ctx: Context) -> list[Record]:
    """The profile's baseline share of every bin: one rule per feature, one constant series per bin."""
    assert ctx.profile is not None
    return [Record(BASELINE, constant_series("bin", [(b.bin, b.share) for b in feature.bins]),
                   (("feature", feature.name), ("model_id", ctx.model_id)), True)
            for feature in ctx.profile.features]


def divergence_records(ctx: Context, window: str) -> list[Record]:
    current = f"{smoothed_record(window)}{{{ctx.sel}}}"
    base = f"clamp_min({BASELINE}{{{ctx.sel}}}, {num(EPSILON)})"
    psi = f"sum by (model_id, feature) (\n  ({current} - {base})\n  * ln({current} / {base})\n)"
    kl = f"sum by (model_id, feature) (\n  {current}\n  * ln({current} / {base})\n)"
    return [
        Record(psi_record(window), psi), Record(kl_record(window), kl),
        Record(f"aigen:model_feature_psi:worst_rate{window}",
               f"topk by (model_id) (1, {psi_record(window)}{{{ctx.sel}}})"),
        Record(f"aigen:model_feature_kl:worst_rate{window}",
               f"topk by (model_id) (1, {kl_record(window)}{{{ctx.sel}}})"),
    ]


def shifted_shares(feature: FeatureProfile, target: str, level: L) -> dict[str, L]:
    """Baseline shares with ``level`` (0..1; a number, or a numpy array with one per step) of the traffic moved
    into bin ``target``."""
    level = min(max(level, 0.0), 1.0) if isinstance(level, float | int) else level.clip(0.0, 1.0)
    total = sum(b.share for b in feature.bins) or 1.0
    shares = {b.bin: (1 - level) * b.share / total for b in feature.bins}
    shares[target] = shares.get(target, 0.0) + level
    return shares


def divergence(feature: FeatureProfile, shares: dict[str, float]) -> tuple[float, float]:
    """(PSI, KL(current || baseline)) exactly as the recording rules compute them: shares floored at EPSILON."""
    psi = kl = 0.0
    for b in feature.bins:
        c, r = max(shares.get(b.bin, 0.0), EPSILON), max(b.share, EPSILON)
        psi += (c - r) * math.log(c / r)
        kl += c * math.log(c / r)
    return psi, kl


def level_at(signal: Callable[[float], float], threshold: float, low: float, high: float) -> float:
    """The level in [low, high] where a signal that grows with the level reaches ``threshold`` (bisection)."""
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if signal(mid) < threshold else (low, mid)
    return round(high, 6)


def bin_series(model_id: str, feature: FeatureProfile, shares: Mapping[str, Level], traffic: Traffic) -> list[Series]:
    """Cumulative counters, one per bin and pod: each pod's requests split across the bins with ``shares`` (one per
    step, or one for every step): multinomial, or exact fractional counts with exact traffic, so each step's shares
    are exact."""
    out = []
    for pod, counts in enumerate(traffic.counts):
        drawn = traffic.split(counts, {b.bin: shares.get(b.bin, 0.0) for b in feature.bins})
        for b, increments in drawn.items():
            selector = (f"{FEATURE_BINS.name}{{model_id={promql_string(model_id)}, "
                        f"feature={promql_string(feature.name)}, "
                        f"bin={promql_string(b)}, pod={promql_string(traffic.pods[pod])}}}")
            out.append(Series(selector, traffic.counter(pod, increments)))
    return out


def emit_shift(profile: Profile, name: str, target: str, levels: Sequence[float] | Values,
               traffic: Traffic) -> list[Series]:
    """Feature ``name`` with ``level`` of its traffic moved into ``target``; in a healthy run of the whole model
    (``traffic.shared``), every other feature at its baseline too, drawn once per run."""
    out: list[Series] = []
    for feature in profile.features:
        if feature.name == name:
            out.extend(bin_series(profile.model_id, feature, shifted_shares(feature, target, sim.array(levels)),
                                  traffic))
        elif traffic.shared is not None:
            baseline = shifted_shares(feature, MISSING, 0.0)
            out.extend(traffic.once(("feature at baseline", feature.name),
                                    functools.partial(bin_series, profile.model_id, feature, baseline, traffic)))
    return out


def drift_target(feature: FeatureProfile) -> str:
    """Where drifted traffic goes: an unseen category (__other__), or values beyond the top training edge."""
    return OTHER if feature.type in ("categorical", "boolean") else feature.bins[-2].bin


def shift_emitter(profile: Profile, name: str, target: str, moved: Callable[[float], float] = lambda x: x):
    """An ``emit`` for Simulation: the level (mapped by ``moved``) is the share of ``name``'s traffic moved."""
    def emit(ctx: Context, alert: Alert, levels: list[float], traffic: Traffic) -> list[Series]:
        return emit_shift(profile, name, target, [moved(level) for level in levels], traffic)
    return emit


DRIFT_FAILING = 0.8
"""Share of a feature's traffic moved to an unseen category (or beyond the top edge) in the failing scenario."""


def proved_feature(ctx: Context) -> FeatureProfile | None:
    """The feature the generated scenarios move: the most important one (ties: the first declared). One feature
    proves the rule, which is the same expression for every feature; the promtool time stays bounded."""
    if ctx.profile is None or not ctx.spec.features:
        return None
    best = max(ctx.spec.features, key=lambda f: f.importance or 0.0)
    return ctx.profile.feature(best.name)
