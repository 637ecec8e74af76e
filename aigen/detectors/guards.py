"""Minimum event counts: how much traffic a window must hold before an alert may judge its statistic.

Every detector that compares a statistic estimated from events (a share, a ratio of positive rates, a PSI, a
quantile) with a threshold is only as good as the estimate. At a given count of events the statistic has a known
sampling standard deviation; an alert may judge only when that deviation, times ``guard_sigmas`` (default 5), fits
between the statistic's healthy value and its threshold. Each function below returns that count for one kind of
statistic; the reasoning, with the numbers for the example models, is in docs/proof.md. The guard is a *count* of
events in the alert's window, never a per-second rate: the noise of an estimate depends on how many events it saw,
not on how fast they came.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

SHARE_HEALTHY_FRACTION = 0.5
"""Shares (invalid outputs, policy violations, anomalous inputs): the healthy base rate is assumed to be at most this
fraction of the threshold. A model whose healthy base rate is closer to its threshold needs a higher threshold."""
EMPTY_BIN_EVENTS = 1.0
"""Drift: every bin the training profile saw must expect at least guard_sigmas² x this many requests, so that an
empty bin (floored at 0.0001, the term that explodes PSI at low traffic) is a ~e^-25 event on healthy traffic."""
MIN_SHARE_VARIANCE = 0.001
"""Null shares: a training share of 0 still has some healthy variance (a sample of a few thousand rows cannot tell
0 from 0.1%); the variance is computed at this share at least."""


def count_for(variance_per_event: float, margin: float, sigmas: float) -> int:
    """Events n for which ``sigmas`` standard deviations of the estimate, sqrt(variance / n), fit in ``margin``."""
    if margin <= 0:
        raise ValueError("the healthy value is not inside the threshold: no count makes the alert quiet")
    return max(1, math.ceil(sigmas**2 * variance_per_event / margin**2))


def share(threshold: float, sigmas: float) -> int:
    """Predictions for a share (binomial): healthy at most SHARE_HEALTHY_FRACTION x threshold, variance p(1-p)."""
    healthy = threshold * SHARE_HEALTHY_FRACTION
    return count_for(healthy * (1 - healthy), threshold - healthy, sigmas)


def null_share(baseline: float, limit: float, sigmas: float) -> int:
    """Requests for a feature's null share, healthy at its training share, judged ``limit`` above it."""
    p = min(max(baseline, MIN_SHARE_VARIANCE), 0.5)
    return count_for(p * (1 - p), limit, sigmas)


def quantile(q: float, sigmas: float, margin: float) -> int:
    """Observations for a quantile estimate compared with a threshold.

    The share of observations below the threshold is binomial, with variance q(1 - q) / n near the quantile; the
    estimate crosses the threshold when that share crosses q. ``margin`` is how far, in probability, the healthy
    distribution puts the threshold from its quantile (F(threshold) <= q - margin, or >= q + margin): no count
    can tell a threshold that sits right at the healthy quantile from noise.
    """
    return count_for(q * (1 - q), margin, sigmas)


def log_ratio(margin: float, sigmas: float) -> int:
    """Positives per group for the ratio of two positive rates (group / reference or highest).

    By the delta method, var(ln p̂) = (1 - p) / positives <= 1 / positives for each rate, so the log of the
    ratio has variance <= 2 / N when both groups counted at least N positives. ``margin`` is in log units.
    """
    return count_for(2.0, margin, sigmas)


def divergence(shares: Iterable[float], threshold: float, sigmas: float, kl: bool) -> int:
    """Requests per feature for PSI (or KL(current || training)) on healthy traffic.

    With n requests over k bins of non-zero training share, n x PSI is asymptotically chi-square with k - 1 degrees
    of freedom (2n x KL likewise): mean k - 1, standard deviation sqrt(2(k - 1)). The count makes the mean plus
    ``sigmas`` deviations fit under the threshold, and gives every seen bin sigmas² x EMPTY_BIN_EVENTS expected
    requests, so the chi-square approximation holds and empty bins do not happen on healthy traffic.
    """
    seen = [s for s in shares if s > 0]
    dof = max(len(seen) - 1, 1)
    scale = 2 if kl else 1
    chi = math.ceil((dof + sigmas * math.sqrt(2 * dof)) / (scale * threshold))
    empty = math.ceil(sigmas**2 * EMPTY_BIN_EVENTS / min(seen)) if seen else 1
    return max(chi, empty)


def min_volume(count: int, window: int, events_per_prediction: float = 1.0) -> float:
    """Predictions per second below which a window of ``window`` seconds cannot hold ``count`` events."""
    return count / (window * events_per_prediction)
