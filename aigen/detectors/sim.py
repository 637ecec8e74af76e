"""Building blocks for detectors' simulations: turn a level per step into the raw series a server would export.

Emitters draw every count from a ``Traffic``: with exact traffic (failure scenarios' assertions) a constant level
gives exactly that signal value, so expected annotations can be computed; with production traffic (the healthy
proof) predictions and every event among them are drawn at the real counts, so the noise is the sampling noise a
real server's counters carry at that volume, pods and counter resets included.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

from aigen.detectors.base import Series

VOLUME = 20.0
"""Default predictions per second of an exact (noise-free) scenario."""
PODS = ("model-server-0", "model-server-1", "model-server-2")
SMALL = 30
"""Below this many expected events a draw is exact (Bernoulli or Knuth); above it, a normal approximation."""


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw: Knuth's product of uniforms for small means, a rounded normal above SMALL."""
    if mean <= 0:
        return 0
    if mean >= SMALL:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def binomial(rng: random.Random, n: int, p: float) -> int:
    """A binomial draw with the standard library (``random.binomialvariate`` is 3.12+): exact Bernoulli sums for
    small n, Poisson for a rare side, a rounded normal when both sides expect at least SMALL events."""
    p = min(max(p, 0.0), 1.0)
    if n <= 0 or p == 0.0:
        return 0
    if p == 1.0:
        return n
    if n <= SMALL:
        return _binomial_inversion(rng, n, p)
    mean = n * p
    if mean < SMALL:
        return min(n, poisson(rng, mean))
    if n - mean < SMALL:
        return n - min(n, poisson(rng, n - mean))
    return min(n, max(0, round(rng.gauss(mean, math.sqrt(mean * (1 - p))))))


def _binomial_inversion(rng: random.Random, n: int, p: float) -> int:
    """An exact binomial draw by walking the CDF from 0: one uniform, about n·p steps."""
    u, ratio = rng.random(), p / (1 - p)
    prob = (1 - p) ** n
    k, cdf = 0, prob
    while u > cdf and k < n:
        prob *= (n - k) / (k + 1) * ratio
        k += 1
        cdf += prob
    return k


@dataclass(frozen=True)
class Traffic:
    """Predictions per pod per step, and how events are drawn from them.

    ``rng`` None is the exact traffic of a failure scenario's assertions: fractional expected counts, so a constant
    level gives exactly that signal value. With an ``rng``, every count is drawn as production draws it: predictions
    per step are Poisson, each event among them binomial (or multinomial across bins and groups).
    """

    step: int
    counts: tuple[tuple[float, ...], ...]
    """Per pod, per step: predictions served."""
    rng: random.Random | None = None
    reset: tuple[int, int] | None = None
    """(pod, step): that pod restarts at that step, and every counter it exports starts again from 0."""
    first: int = 0
    """The index in PODS of the first pod counted here (a subset of the pods may be emitted on its own)."""

    @property
    def pods(self) -> tuple[str, ...]:
        return PODS[self.first:self.first + len(self.counts)]

    @property
    def steps(self) -> int:
        return len(self.counts[0])

    def draw(self, n: float, p: float) -> float:
        """Events among ``n`` that happen with probability ``p``."""
        p = min(max(p, 0.0), 1.0)
        return n * p if self.rng is None else binomial(self.rng, int(n), p)

    def split(self, n: float, shares: dict[str, float]) -> dict[str, float]:
        """``n`` events across categories (multinomial, as sequential binomials); shares need not sum to 1."""
        out, left, rest = {}, n, sum(shares.values()) or 1.0
        for key, share in shares.items():
            out[key] = self.draw(left, share / rest) if rest > 0 and share > 0 and left > 0 else 0.0
            left, rest = left - out[key], rest - share
        return out

    def counter(self, pod: int, increments: Sequence[float | None]) -> tuple[float | None, ...]:
        """A counter of one pod from its increments, restarting from 0 at the pod's reset."""
        if self.reset is None or self.reset[0] != pod + self.first:
            return cumulative(increments)
        at = self.reset[1]
        return cumulative(increments[:at]) + cumulative(increments[at:])


def exact(volume: float, steps: int, step: int) -> Traffic:
    """One pod serving ``volume`` predictions/s, no sampling noise."""
    return Traffic(step, (tuple([volume * step] * steps),))


def production(volume: float, steps: int, step: int, rng: random.Random, day: int, reset: bool = True) -> Traffic:
    """Three pods sharing ``volume`` predictions/s on average over a diurnal cycle of ``day`` seconds, peak 10x the
    trough (1 + a cos, a = 9/11), the first pod restarting (its counters reset) half-way through; Poisson counts."""
    amplitude = 9 / 11
    counts = []
    for _ in PODS:
        per_step = [volume / len(PODS) * step * (1 + amplitude * math.cos(2 * math.pi * i * step / day))
                    for i in range(steps)]
        counts.append(tuple(float(poisson(rng, mean)) for mean in per_step))
    return Traffic(step, tuple(counts), rng, (0, steps // 2) if reset else None)


def labels(metric: str, **pairs: str) -> str:
    body = ", ".join(f'{k}="{v}"' for k, v in pairs.items())
    return f"{metric}{{{body}}}"


def cumulative(increments: Sequence[float | None]) -> tuple[float | None, ...]:
    """A counter from per-step increments; None (a missed scrape) keeps the count and emits no sample."""
    total = 0.0
    out: list[float | None] = []
    for inc in increments:
        if inc is None:
            out.append(None)
            continue
        total += inc
        out.append(round(total, 6))
    return tuple(out)


def gauge(selector: str, levels: Sequence[float | None]) -> Series:
    return Series(selector, tuple(None if v is None else round(v, 6) for v in levels))


def ratio_counters(numerator: str, denominator: str, levels: Sequence[float], traffic: Traffic) -> list[Series]:
    """Per pod, two counters whose rate ratio is the level (a share of predictions)."""
    out = []
    for pod, counts in enumerate(traffic.counts):
        name = traffic.pods[pod]
        hits = [traffic.draw(n, level) for n, level in zip(counts, levels, strict=True)]
        out += [Series(_with_pod(numerator, name), traffic.counter(pod, hits)),
                Series(_with_pod(denominator, name), traffic.counter(pod, counts))]
    return out


def _with_pod(selector: str, pod: str) -> str:
    return f'{selector[:-1]}, pod="{pod}"}}'


def histogram(metric: str, base: dict[str, str], levels: Sequence[float], quantile: float, lower: float,
              upper_factor: float, buckets: Sequence[float], traffic: Traffic,
              upper: float | None = None) -> list[Series]:
    """Cumulative ``_bucket`` series per pod whose ``quantile`` is the level at each step.

    Observations are spread uniformly below the level (share ``quantile``) and above it up to
    ``upper`` (or level x ``upper_factor``): when the level is a bucket boundary, histogram_quantile returns it
    exactly, which makes the failing phase's alert value computable.
    """
    edges = sorted(set(buckets))
    out = []
    for pod, counts in enumerate(traffic.counts):
        series: dict[float, list[float]] = {le: [] for le in edges}
        for n, level in zip(counts, levels, strict=True):
            top = upper if upper is not None else level * upper_factor
            cdf = [_cdf(le, level, quantile, lower, top) for le in edges]
            bounds = zip([0.0, *cdf], [*cdf, 1.0], strict=True)
            per_bucket = traffic.split(n, {str(i): b - a for i, (a, b) in enumerate(bounds)})
            below = 0.0
            for i, le in enumerate(edges):
                below += per_bucket[str(i)]
                series[le].append(below)
        where = {**base, "pod": traffic.pods[pod]}
        out += [Series(labels(f"{metric}_bucket", **where, le=_le(le)), traffic.counter(pod, values))
                for le, values in series.items()]
        out.append(Series(labels(f"{metric}_bucket", **where, le="+Inf"), traffic.counter(pod, counts)))
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
