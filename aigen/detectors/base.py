"""What a detector is, and what it produces.

A detector is a built-in alert generator for one failure signal (accuracy, confidence, invalid outputs, ...). The
taxonomy binds each detector to an incident type; the spec supplies thresholds. From the severity's detection budget
the detector sizes its windows and ``for:`` so the alert can fire within the budget (see ``Timing``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aigen.detectors import guards
from aigen.durations import format_duration

if TYPE_CHECKING:
    from aigen.config import Config
    from aigen.detectors.sim import Traffic, Values
    from aigen.profile import Profile
    from aigen.spec import ModelSpec
    from aigen.taxonomy import Taxonomy


@dataclass(frozen=True)
class Metric:
    """One series of the metric contract: what the model server (or the platform) must export."""

    name: str
    type: str  # counter | gauge | histogram | info
    labels: tuple[str, ...]
    help: str
    source: str = "model server"


@dataclass(frozen=True)
class Alert:
    name: str
    detector: str
    incident_type: str
    severity: str
    expr: str
    for_seconds: int
    summary: str
    description: str
    threshold: float | None = None
    signal: str = ""  # the PromQL a dashboard plots next to the threshold
    signal_unit: str = "none"
    comparison: str = ">"  # how the signal compares with the threshold when failing
    extra_labels: tuple[tuple[str, str], ...] = ()
    metrics: tuple[str, ...] = ()
    windows: tuple[int, ...] = ()
    min_volume: float = 0.0
    """Predictions per second below which the alert's window holds too few events to judge (see guards.py): below
    it the alert stays silent by design, and `aigen test` reports the scenario as not detectable."""


@dataclass(frozen=True)
class Record:
    record: str
    expr: str
    labels: tuple[tuple[str, str], ...] = ()
    constant: bool = False
    """A profile constant (baseline shares, guard counts): it never changes between renders, so it lives in the
    model's slow baselines group instead of being re-evaluated with every 30-second evaluation of the others."""


@dataclass(frozen=True)
class Timing:
    """Windows and ``for:`` sized to a detection budget.

    Worst case from onset to firing for a step change: the long window fills with failing samples (at most ``long``),
    then the condition holds for ``for_`` and is seen at the next evaluation (``interval``), plus one more interval
    for recording rules evaluated in the group before. ``long`` is about 40% of the budget and ``for_`` about 10%
    (at least two evaluations), and ``long`` shrinks until that worst case fits the budget; `aigen lint`'s
    detection-latency rule checks the same sum on the rendered rules.
    """

    interval: int
    short: int
    long: int
    for_: int

    @classmethod
    def for_budget(cls, budget: int, interval: int) -> Timing:
        long = max(120, _round_minutes(budget * 0.4))
        short = max(60, _round_minutes(long / 5))
        for_ = max(2 * interval, _round_minutes(budget * 0.1))
        while long + for_ + 2 * interval > budget and long > 120:
            long -= 60
        return cls(interval=interval, short=min(short, long), long=long, for_=for_)

    def w(self, seconds: int) -> str:
        return format_duration(seconds)


def _round_minutes(seconds: float) -> int:
    return max(60, int(seconds // 60) * 60)


@dataclass(frozen=True)
class Context:
    """Everything a detector may read: the spec, the taxonomy, the type and severity it alerts for, the timing."""

    spec: ModelSpec
    taxonomy: Taxonomy
    config: Config
    incident_type: str
    severity: str
    timing: Timing
    profile: Profile | None = None
    """The training profile (bins and baseline shares, group rates), when the project has one for this model."""

    @property
    def model_id(self) -> str:
        return self.spec.model.id

    @property
    def sel(self) -> str:
        """The label matcher every selector of this model starts with."""
        return f'model_id="{self.model_id}"'

    @property
    def thresholds(self):
        return self.spec.thresholds

    @property
    def sigmas(self) -> float:
        """How many standard deviations of healthy noise each guarded statistic keeps inside its threshold."""
        return self.spec.thresholds.guard_sigmas


@dataclass(frozen=True)
class Series:
    """One promtool input series: a selector and one value per step (None, or NaN in an array, is a missed scrape,
    ``_``). Simulations emit numpy arrays (``sim.Values``); a hand-built series may be any sequence."""

    selector: str
    values: Values | Sequence[float | None]


@dataclass(frozen=True)
class Simulation:
    """How to simulate a detector's signal, for the generated promtool tests (aigen test).

    The scenario engine sets a *level* per step — ``healthy`` (plus AR(1) wander of ``noise``, std dev, for gauges
    whose noise is not a count), a step to ``failing`` at the onset, or a ramp between them — and ``emit`` turns
    those levels into the raw series the model server would export (cumulative counters per pod, histogram buckets,
    gauges), drawing every count from the scenario's ``sim.Traffic``. ``exp_labels`` are the labels the
    firing alert carries beyond the alert's own static labels (e.g. ``feature`` or a protected attribute).
    """

    healthy: float
    failing: float
    noise: float
    emit: Callable[[Context, Alert, list[float], Traffic], list[Series]]
    """(ctx, alert, levels per step, traffic) -> input series."""
    exp_labels: dict[str, str] = field(default_factory=dict)
    ramp: bool = False
    """Also prove a gradual ramp (drift, fairness, latency), not only a step."""
    threshold: float | None = None
    """The level at which the alert's condition starts to hold (default: the alert's threshold)."""
    firing_value: float | None = None
    """The alert's value once the failing level fills every window (default: ``failing``); fills ``$value``."""
    name: str = ""
    """Distinguishes several simulations of one alert (e.g. the protected group that fails)."""


@dataclass(frozen=True)
class Detector:
    id: str
    title: str
    doc: str
    metrics: tuple[Metric, ...]
    build: Callable[[Context], Sequence[Alert | Record]]
    """The detector's alerts and the recording rules they read (a Sequence: covariant, so a ``list[Alert]`` fits)."""
    applies: Callable[[ModelSpec], str | None] = field(default=lambda spec: None)
    """Returns None when the detector applies to a spec, else why not (shown by lint and the docs)."""
    simulate: Callable[[Context, Alert], list[Simulation]] | None = None
    """The failure scenarios to prove per alert (one per distinct labelled series, e.g. per group)."""
    needs_profile: bool = False
    """Skipped (with a reason) when the model has no training profile: its baselines come from there."""


def two_windows(ctx: Context, *, name: str, detector: str, signal: Callable[[int], str], comparison: str,
                threshold: float, summary: str, description: str, unit: str, metrics: tuple[str, ...],
                guard: Callable[[int], str] | None = None, guard_count: int = 0) -> Alert:
    """The SRE multi-window alert: the signal past the threshold over the short window (speed) *and* the long one
    (robustness against noise). ``signal(window_seconds)`` gives the PromQL; its value is the short window's.

    With ``guard``, the alert also needs ``guard(long window)`` — a count of events by ``model_id`` — to reach
    ``guard_count``: below it the long window's estimate is too noisy to judge (guards.py)."""
    t = ctx.timing

    def side(window: int) -> str:
        text = signal(window)
        bound = f"{comparison} {num(threshold)}"
        return f"(\n{text}\n) {bound}" if "\n" in text else f"{text} {bound}"

    expr = f"{side(t.short)}\nand\n{side(t.long)}"
    if guard is not None:
        expr += f"\nand on (model_id)\n{guard(t.long)} >= {guard_count}"
    return Alert(
        name=name, detector=detector, incident_type=ctx.incident_type, severity=ctx.severity,
        expr=expr, for_seconds=t.for_, summary=summary, description=description,
        threshold=threshold, signal=signal(t.short), signal_unit=unit, comparison=comparison, metrics=metrics,
        windows=(t.short, t.long), min_volume=guards.min_volume(guard_count, t.long) if guard is not None else 0.0,
    )


def num(value: float) -> str:
    """A threshold as PromQL text, without binary floating-point noise (0.92 * 0.9 -> 0.828, not 0.8280000000000001)."""
    text = repr(round(float(value), 10))
    if text.endswith(".0"):
        text = text[:-2]
    return text


def pct(value: float) -> str:
    """A share as a percentage for prose: 0.828 -> '82.8%'."""
    return f"{num(value * 100)}%"
