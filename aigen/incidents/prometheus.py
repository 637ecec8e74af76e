"""What Prometheus knows about an incident, asked of its HTTP API: onset, the serving version, what it touched.

- **Onset**: an alert fires ``for`` after its expression first holds, and its expression reads a window, so the
  failure began before ``startsAt``. The alert's own expression (from its generatorURL) is evaluated with
  ``query_range`` over a look-back before ``startsAt`` at the rule evaluation interval; onset is the first step of
  the unbroken run of steps, ending at ``startsAt``, at which it returned a series (crossed its threshold).
- **Version**: ``model_info{model_id}`` (one series per version serving) at onset.
- **Impact**: ``increase(model_predictions_total)`` from onset (or detection) to resolution and, where the detector
  knows which predictions were hit, a count of those (requests with the missing feature).
"""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any

from aigen.durations import format_duration
from aigen.errors import UsageError
from aigen.escape import promql_string
from aigen.profile import MISSING

TIMEOUT_SECONDS = 10
MAX_POINTS = 2000  # per query_range series: Prometheus refuses more than 11,000


def predictions_query(model_id: str, seconds: int) -> str:
    """increase() over the whole window, evaluated at its end: every prediction served from detection on."""
    window = format_duration(max(seconds, 60))
    return f"sum(increase(model_predictions_total{{model_id={promql_string(model_id)}}}[{window}]))"


def missing_query(model_id: str, feature: str, seconds: int) -> str:
    """Requests whose ``feature`` arrived null or unreadable, over the window (the null-surge detector's metric)."""
    window = format_duration(max(seconds, 60))
    return (f"sum(increase(model_feature_bin_total{{model_id={promql_string(model_id)}, "
            f"feature={promql_string(feature)}, bin={promql_string(MISSING)}}}[{window}]))")


def _get(base_url: str, endpoint: str, params: dict[str, str]) -> Any:
    """The ``data`` of a successful API answer; UsageError (one line) for anything else."""
    url = f"{base_url.rstrip('/')}/api/v1/{endpoint}?{urllib.parse.urlencode(params)}"
    query = params.get("query", "")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # the user's own URL
            body = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise UsageError(f"{base_url}: Prometheus answered HTTP {exc.code} to {query}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UsageError(f"{base_url}: cannot query Prometheus: {reason}") from None
    except ValueError:
        raise UsageError(f"{base_url}: the answer to {query} is not JSON; is this a Prometheus URL?") from None
    if not isinstance(body, dict) or body.get("status") != "success" or not isinstance(body.get("data"), dict):
        error = body.get("error") if isinstance(body, dict) else None
        raise UsageError(f"{base_url}: query {query} failed: {error or 'unexpected answer'}")
    return body["data"].get("result", [])


def _instant(base_url: str, query: str, at: datetime) -> list[Any]:
    result = _get(base_url, "query", {"query": query, "time": f"{at.timestamp():.3f}"})
    return result if isinstance(result, list) else []


def _count(base_url: str, query: str, at: datetime) -> int | None:
    """The value of a one-number query at ``at``; None when Prometheus has no such series."""
    result = _instant(base_url, query, at)
    if not result:
        return None
    try:
        value = float(result[0]["value"][1])
    except (KeyError, IndexError, TypeError, ValueError):
        raise UsageError(f"{base_url}: unexpected answer to {query}: {json.dumps(result)[:200]}") from None
    return round(value) if math.isfinite(value) else None


def affected_predictions(base_url: str, model_id: str, start: datetime, end: datetime) -> int | None:
    """Predictions served in [start, end]; None when Prometheus has no such series (the query returned nothing)."""
    return _count(base_url, predictions_query(model_id, math.ceil((end - start).total_seconds())), end)


def missing_feature_predictions(base_url: str, model_id: str, feature: str, start: datetime,
                                end: datetime) -> int | None:
    """Predictions served without ``feature`` in [start, end]."""
    return _count(base_url, missing_query(model_id, feature, math.ceil((end - start).total_seconds())), end)


def expr_of(generator_url: str) -> str | None:
    """The alert's expression from its generatorURL (Prometheus puts it in ``g0.expr``)."""
    values = urllib.parse.parse_qs(urllib.parse.urlparse(generator_url).query).get("g0.expr")
    return values[0] if values and values[0].strip() else None


def onset(base_url: str, expr: str, starts_at: datetime, lookback: timedelta, step_seconds: int) -> datetime | None:
    """The first evaluation of the unbroken run, ending at ``starts_at``, at which ``expr`` returned a series.

    None when it held at no step of the look-back (a flapping or since-changed rule); the look-back's start when it
    held at every step (onset is at least that early).
    """
    step = max(step_seconds, math.ceil(lookback.total_seconds() / MAX_POINTS), 1)
    start = starts_at - lookback
    result = _get(base_url, "query_range", {"query": expr, "start": f"{start.timestamp():.3f}",
                                            "end": f"{starts_at.timestamp():.3f}", "step": str(step)})
    held = {round(float(point[0])) for series in result if isinstance(series, dict)
            for point in series.get("values", []) if isinstance(point, list) and point}
    at = max((t for t in held if t <= starts_at.timestamp()), default=None)
    if at is None:
        return None
    while at - step in held:
        at -= step
    return datetime.fromtimestamp(at, UTC)


def serving_versions(base_url: str, model_id: str, at: datetime) -> list[str]:
    """The ``version`` labels of ``model_info{model_id}`` at ``at``: more than one during a canary or a rollout."""
    result = _instant(base_url, f"model_info{{model_id={promql_string(model_id)}}}", at)
    return sorted({str(s["metric"]["version"]) for s in result
                   if isinstance(s, dict) and isinstance(s.get("metric"), dict) and s["metric"].get("version")})
