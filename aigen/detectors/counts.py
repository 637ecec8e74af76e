"""What the share and quantile guards count: predictions served and histogram observations in a window, and
the share-of-predictions alert and simulation that invalid outputs, policy violations and adversarial inputs share."""

from __future__ import annotations

from aigen.detectors import guards, sim
from aigen.detectors.base import Alert, Context, Metric, Series, Simulation, two_windows


def observations(ctx: Context, histogram: str, window: int) -> str:
    """Observations a histogram counted over ``window`` (its +Inf bucket): what a quantile's guard is judged on."""
    return f'sum by (model_id) (increase({histogram}_bucket{{{ctx.sel}, le="+Inf"}}[{ctx.timing.w(window)}]))'


PREDICTIONS = Metric("model_predictions_total", "counter", ("model_id", "outcome", "<protected attributes>"),
                     "Predictions served, by outcome (positive|negative, or the model's classes) and by one label per "
                     "protected attribute of the spec's groups.")


def ratio(ctx: Context, numerator: str, window: int) -> str:
    """Share of predictions counted by ``numerator`` over ``window``: a ratio of counters, never 'any event'."""
    w = ctx.timing.w(window)
    return (f"sum by (model_id) (rate({numerator}{{{ctx.sel}}}[{w}]))\n"
            f"/\nsum by (model_id) (rate(model_predictions_total{{{ctx.sel}}}[{w}]))")


def predictions(ctx: Context, window: int) -> str:
    """Predictions served over ``window``: the count a share's guard is judged on (increase() survives resets)."""
    return f"sum by (model_id) (increase({PREDICTIONS.name}{{{ctx.sel}}}[{ctx.timing.w(window)}]))"


def share_alert(ctx: Context, *, numerator: str, threshold: float, **kw) -> Alert:
    """A share of predictions past ``threshold``, judged only once the long window holds enough predictions that a
    healthy base rate (at most half the threshold) stays ``guard_sigmas`` deviations below it (guards.share)."""
    return two_windows(ctx, signal=lambda window: ratio(ctx, numerator, window), comparison=">", threshold=threshold,
                       unit="percentunit", guard=lambda window: predictions(ctx, window),
                       guard_count=guards.share(threshold, ctx.sigmas), **kw)


def share_simulation(ctx: Context, numerator: str, threshold: float) -> Simulation:
    """A share of predictions: healthy at a fifth of the threshold (a real base rate, not zero), failing at 4x."""
    healthy = threshold / 5
    failing = min(1.0, threshold * 4) if threshold > 0 else 0.01

    def emit(ctx: Context, alert: Alert, levels: list[float], traffic: sim.Traffic) -> list[Series]:
        return sim.ratio_counters(sim.labels(numerator, model_id=ctx.model_id),
                                  sim.labels(PREDICTIONS.name, model_id=ctx.model_id), levels, traffic)

    return Simulation(healthy=healthy, failing=failing, noise=0.0, emit=emit)
