"""Building blocks for detectors' simulations: turn a level per step into the raw series a server would export.

Emitters are deterministic: all randomness lives in the levels the scenario engine draws. That keeps the failing
phase exact (a constant level gives exactly that signal value, so expected annotations can be computed) while the
healthy phase is as noisy as the levels.
"""

from __future__ import annotations

from collections.abc import Sequence

from aigen.detectors.base import Series

VOLUME = 20.0
"""Simulated predictions per second: 600 per 30 s step, enough for stable ratios, small enough for readable files."""


def labels(metric: str, **pairs: str) -> str:
    body = ", ".join(f'{k}="{v}"' for k, v in pairs.items())
    return f"{metric}{{{body}}}"


def cumulative(increments: Sequence[float | None]) -> tuple[float | None, ...]:
    """A counter from per-step increments; None (a missed scrape) keeps the count and emits no sample."""
    total, out = 0.0, []
    for inc in increments:
        if inc is None:
            out.append(None)
            continue
        total += inc
        out.append(round(total, 6))
    return tuple(out)


def gauge(selector: str, levels: Sequence[float | None]) -> Series:
    return Series(selector, tuple(None if v is None else round(v, 6) for v in levels))


def rate_counter(selector: str, levels: Sequence[float], step: int) -> Series:
    """A counter whose rate is the level (events per second)."""
    return Series(selector, cumulative([max(0.0, level) * step for level in levels]))


def ratio_counters(numerator: str, denominator: str, levels: Sequence[float], step: int,
                   volume: float = VOLUME) -> list[Series]:
    """Two counters whose rate ratio is the level (a share of predictions)."""
    per_step = volume * step
    return [
        Series(numerator, cumulative([min(1.0, max(0.0, level)) * per_step for level in levels])),
        Series(denominator, cumulative([per_step] * len(levels))),
    ]


def histogram(metric: str, base: dict[str, str], levels: Sequence[float], quantile: float, lower: float,
              upper_factor: float, buckets: Sequence[float], step: int, volume: float = VOLUME,
              upper: float | None = None) -> list[Series]:
    """Cumulative ``_bucket`` series whose ``quantile`` is the level at each step.

    Observations are spread uniformly below the level (share ``quantile``) and above it up to
    ``upper`` (or level x ``upper_factor``): when the level is a bucket boundary, histogram_quantile returns it
    exactly, which makes the failing phase's alert value computable.
    """
    per_step = volume * step
    edges = sorted(set(buckets))
    series: dict[float, list[float]] = {le: [] for le in edges}
    for level in levels:
        top = upper if upper is not None else level * upper_factor
        for le in edges:
            series[le].append(per_step * _cdf(le, level, quantile, lower, top))
    out = [Series(labels(f"{metric}_bucket", **base, le=_le(le)), cumulative(values)) for le, values in series.items()]
    out.append(Series(labels(f"{metric}_bucket", **base, le="+Inf"), cumulative([per_step] * len(levels))))
    return out


def _cdf(x: float, level: float, quantile: float, lower: float, upper: float) -> float:
    if x <= lower:
        return 0.0
    if x <= level:
        return quantile * (x - lower) / (level - lower)
    if x >= upper:
        return 1.0
    return quantile + (1 - quantile) * (x - level) / (upper - level)


def _le(value: float) -> str:
    text = repr(round(value, 6))
    return text[:-2] if text.endswith(".0") else text
