"""Counting what an incident touched: predictions served over its window, asked of Prometheus's HTTP API."""

from __future__ import annotations

import json
import math
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

from aigen.durations import format_duration
from aigen.errors import UsageError

TIMEOUT_SECONDS = 10


def predictions_query(model_id: str, seconds: int) -> str:
    """increase() over the whole window, evaluated at its end: every prediction served from detection on."""
    return f'sum(increase(model_predictions_total{{model_id="{model_id}"}}[{format_duration(max(seconds, 60))}]))'


def affected_predictions(base_url: str, model_id: str, start: datetime, end: datetime) -> int | None:
    """Predictions served in [start, end]; None when Prometheus has no such series (the query returned nothing)."""
    query = predictions_query(model_id, math.ceil((end - start).total_seconds()))
    params = urllib.parse.urlencode({"query": query, "time": f"{end.timestamp():.3f}"})
    url = f"{base_url.rstrip('/')}/api/v1/query?{params}"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - the user's URL
            body = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise UsageError(f"{base_url}: Prometheus answered HTTP {exc.code} to {query}") from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise UsageError(f"{base_url}: cannot query Prometheus: {reason}") from None
    except ValueError:
        raise UsageError(f"{base_url}: the answer to {query} is not JSON; is this a Prometheus URL?") from None
    return _value(body, base_url, query)


def _value(body: object, base_url: str, query: str) -> int | None:
    if not isinstance(body, dict) or body.get("status") != "success":
        error = body.get("error") if isinstance(body, dict) else None
        raise UsageError(f"{base_url}: query {query} failed: {error or 'unexpected answer'}")
    result = body.get("data", {}).get("result", [])
    if not result:
        return None
    try:
        value = float(result[0]["value"][1])
    except (KeyError, IndexError, TypeError, ValueError):
        raise UsageError(f"{base_url}: unexpected answer to {query}: {json.dumps(result)[:200]}") from None
    return round(value) if math.isfinite(value) else None
