"""Building blocks for detectors' simulations: turn a level per step into the raw series a server would export.

Emitters draw every count from a ``Traffic``: with exact traffic (failure scenarios' assertions) a constant level
gives exactly that signal value, so expected annotations can be computed; with production traffic (the healthy
proof) predictions and every event among them are drawn at the real counts, so the noise is the sampling noise a
real server's counters carry at that volume, pods and counter resets included.

Every function works on whole series at once (numpy arrays, one value per step; NaN is a missed scrape): a model's
proofs draw hundreds of thousands of counts, which one call per count made the dearest part of a render. numpy is
imported inside the functions, so commands that never simulate (``aigen lint <spec>``, ``validate``) don't load it.
Draws come from numpy's ``RandomState`` (``generator``), whose streams numpy keeps frozen across releases (NEP 19):
the same seed gives the same bytes on every machine and numpy version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aigen.detectors.base import Series

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Values = npt.NDArray[np.float64]
    """One value per step (float64; NaN is a missed scrape)."""
    Level = Values | float
    """A value per step, or one value for every step."""
    Mask = npt.NDArray[np.bool_]
    """One truth value per step."""

VOLUME = 20.0
"""Default predictions per second of an exact (noise-free) scenario."""
PODS = ("model-server-0", "model-server-1", "model-server-2")


def generator(*parts: str) -> np.random.RandomState:
    """A seeded generator for sampled traffic: the seed is a hash of ``parts`` (model, alert, scenario...)."""
    import numpy as np

    digest = hashlib.sha256("\x00".join(parts).encode()).digest()
    return np.random.RandomState(np.frombuffer(digest[:16], dtype=np.uint32))


def array(values: Sequence[float | None] | Values) -> Values:
    """Values as float64, None as NaN (a missed scrape)."""
    import numpy as np

    if isinstance(values, np.ndarray):
        return values.astype(np.float64, copy=False)
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


@dataclass(frozen=True)
class Traffic:
    """Predictions per pod per step, and how events are drawn from them.

    ``rng`` None is the exact traffic of a failure scenario's assertions: fractional expected counts, so a constant
    level gives exactly that signal value. With an ``rng``, every count is drawn as production draws it: predictions
    per step are Poisson, each event among them binomial (or multinomial across bins and groups).
    """

    step: int
    counts: tuple[Values, ...]
    """Per pod, per step: predictions served."""
    rng: np.random.RandomState | None = None
    reset: tuple[int, int] | None = None
    """(pod, step): that pod restarts at that step, and every counter it exports starts again from 0."""
    first: int = 0
    """The index in PODS of the first pod counted here (a subset of the pods may be emitted on its own)."""
    shared: dict[Hashable, list[Series]] | None = None
    """A dict in a healthy run of the whole model: every simulation emits every series the model exports (all
    features, not only the one it moves), and series that don't depend on the simulation (a feature at its
    baseline, predictions at the groups' profile rates) are drawn once, here, and shared. None in a failure
    scenario, whose traffic carries only the signal under test."""

    def once(self, key: Hashable, draw: Callable[[], list[Series]]) -> list[Series]:
        """``draw()``, or in a healthy run (``shared``) the series drawn the first time ``key`` was asked for: a
        key names series that don't depend on the simulation asking (a feature at its baseline, say)."""
        if self.shared is None:
            return draw()
        if key not in self.shared:
            self.shared[key] = draw()
        return self.shared[key]

    @property
    def pods(self) -> tuple[str, ...]:
        return PODS[self.first:self.first + len(self.counts)]

    @property
    def steps(self) -> int:
        return len(self.counts[0])

    def draw(self, n: Values, p: Level) -> Values:
        """Events among ``n`` (per step) that happen with probability ``p`` (per step, or one for all steps)."""
        import numpy as np

        p = np.clip(p, 0.0, 1.0)
        if self.rng is None:
            return n * p
        return self.rng.binomial(n.astype(np.int64), np.broadcast_to(p, n.shape)).astype(np.float64)

    def split(self, n: Values, shares: Mapping[str, Level]) -> dict[str, Values]:
        """``n`` events per step across categories (multinomial, as sequential binomials, each step at once);
        shares need not sum to 1."""
        import numpy as np

        left = np.asarray(n, dtype=np.float64)
        rest = sum((np.broadcast_to(s, left.shape) for s in shares.values()), np.zeros(left.shape))
        rest = np.where(rest == 0, 1.0, rest)
        out = {}
        for key, share in shares.items():
            share = np.broadcast_to(share, left.shape)
            take = (rest > 0) & (share > 0) & (left > 0)
            p = np.where(take, share / np.where(rest > 0, rest, 1.0), 0.0)
            out[key] = np.where(take, self.draw(left, p), 0.0)
            left, rest = left - out[key], rest - share
        return out

    def counter(self, pod: int, increments: Values | Sequence[float | None]) -> Values:
        """A counter of one pod from its increments, restarting from 0 at the pod's reset."""
        increments = array(increments)
        if self.reset is None or self.reset[0] != pod + self.first:
            return cumulative(increments)
        import numpy as np

        at = self.reset[1]
        return np.concatenate([cumulative(increments[:at]), cumulative(increments[at:])])


def exact(volume: float, steps: int, step: int) -> Traffic:
    """One pod serving ``volume`` predictions/s, no sampling noise."""
    import numpy as np

    return Traffic(step, (np.full(steps, volume * step, dtype=np.float64),))


def production(volume: float, steps: int, step: int, rng: np.random.RandomState, day: int,
               reset: bool = True, whole_model: bool = False) -> Traffic:
    """Three pods sharing ``volume`` predictions/s on average over a diurnal cycle of ``day`` seconds, peak 10x the
    trough (1 + a cos, a = 9/11), the first pod restarting (its counters reset) half-way through; Poisson counts.
    ``whole_model``: the traffic of a healthy run, in which every series the model exports is emitted (``shared``).
    """
    import numpy as np

    amplitude = 9 / 11
    mean = volume / len(PODS) * step * (1 + amplitude * np.cos(2 * np.pi * np.arange(steps) * step / day))
    counts = tuple(rng.poisson(mean).astype(np.float64) for _ in PODS)
    return Traffic(step, counts, rng, (0, steps // 2) if reset else None, shared={} if whole_model else None)


def labels(metric: str, **pairs: str) -> str:
    body = ", ".join(f'{k}="{v}"' for k, v in pairs.items())
    return f"{metric}{{{body}}}"


def cumulative(increments: Values | Sequence[float | None]) -> Values:
    """A counter from per-step increments, to 6 decimals; NaN (a missed scrape) keeps the count and emits no
    sample."""
    import numpy as np

    increments = array(increments)
    missed = np.isnan(increments)
    total = np.round(np.cumsum(np.where(missed, 0.0, increments)), 6)
    total[missed] = np.nan
    return total


def gauge(selector: str, levels: Sequence[float | None] | Values) -> Series:
    import numpy as np

    return Series(selector, np.round(array(levels), 6))


def ratio_counters(numerator: str, denominator: str, levels: Sequence[float] | Values,
                   traffic: Traffic) -> list[Series]:
    """Per pod, two counters whose rate ratio is the level (a share of predictions)."""
    out = []
    level = array(levels)
    for pod, counts in enumerate(traffic.counts):
        name = traffic.pods[pod]
        out += [Series(_with_pod(numerator, name), traffic.counter(pod, traffic.draw(counts, level))),
                Series(_with_pod(denominator, name), traffic.counter(pod, counts))]
    return out


def _with_pod(selector: str, pod: str) -> str:
    return f'{selector[:-1]}, pod="{pod}"}}'


def histogram(metric: str, base: dict[str, str], levels: Sequence[float] | Values, quantile: float, lower: float,
              upper_factor: float, buckets: Sequence[float], traffic: Traffic,
              upper: float | None = None) -> list[Series]:
    """Cumulative ``_bucket`` series per pod whose ``quantile`` is the level at each step.

    Observations are spread uniformly below the level (share ``quantile``) and above it up to
    ``upper`` (or level x ``upper_factor``): when the level is a bucket boundary, histogram_quantile returns it
    exactly, which makes the failing phase's alert value computable.
    """
    import numpy as np

    edges = sorted(set(buckets))
    level = array(levels)
    top = np.full(level.shape, upper) if upper is not None else level * upper_factor
    cdf = [_cdf(le, level, quantile, lower, top) for le in edges]
    bounds = zip([np.zeros(level.shape), *cdf], [*cdf, np.ones(level.shape)], strict=True)
    shares = {str(i): b - a for i, (a, b) in enumerate(bounds)}
    out = []
    for pod, counts in enumerate(traffic.counts):
        per_bucket = traffic.split(counts, shares)
        where = {**base, "pod": traffic.pods[pod]}
        below = np.zeros(level.shape)
        for i, le in enumerate(edges):
            below = below + per_bucket[str(i)]
            out.append(Series(labels(f"{metric}_bucket", **where, le=number(le)), traffic.counter(pod, below)))
        out.append(Series(labels(f"{metric}_bucket", **where, le="+Inf"), traffic.counter(pod, counts)))
    return out


def _cdf(x: float, level: Values, quantile: float, lower: float, upper: Values) -> Values:
    """The share of observations at or below ``x``, per step (uniform below the level, and above it to upper)."""
    import numpy as np

    with np.errstate(divide="ignore", invalid="ignore"):
        below = quantile * (x - lower) / (level - lower)
        above = quantile + (1 - quantile) * (x - level) / (upper - level)
    return np.select([np.full(level.shape, x <= lower), x <= level, x >= upper], [0.0, below, 1.0], above)


def number(value: float) -> str:
    """A value as promtool test files and bucket labels write it: 6 decimals at most, no trailing '.0'."""
    text = repr(round(value, 6))
    return text[:-2] if text.endswith(".0") else text


def has_samples(values: Any) -> bool:
    """Whether a series has at least one sample (not only missed scrapes)."""
    import numpy as np

    return bool(np.any(~np.isnan(array(values))))
