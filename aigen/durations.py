"""Prometheus durations (``1h30m``, ``90s``) and the taxonomy's prose response times (``15 minutes``)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_PROM = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")
_PROSE = re.compile(r"^(\d+)\s*(second|minute|hour|day|week)s?$")
_PROSE_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}
# "Next business day" can be up to three days away (Friday evening); routing needs a number, so take one day,
# the common reading for repeat intervals, and say so in the docs.
_NAMED = {"next business day": 86400}


def parse_duration(text: str) -> int:
    """Seconds in a Prometheus duration such as ``5m`` or ``1h30m``; raises ValueError otherwise."""
    match = _PROM.match(text.strip()) if isinstance(text, str) else None
    if not match or not text.strip():
        raise ValueError(f"{text!r} is not a duration such as 30s, 5m or 1h30m")
    parts = match.groups()
    seconds = 0.0
    for value, unit in zip(parts, ("y", "w", "d", "h", "m", "s", "ms"), strict=True):
        if value is not None:
            seconds += int(value) * _UNITS[unit]
    return int(seconds)


def parse_response_time(text: str) -> int:
    """Seconds in a response time: a Prometheus duration, ``N minutes|hours|days`` or ``next business day``."""
    normalised = " ".join(str(text).lower().split())
    if normalised in _NAMED:
        return _NAMED[normalised]
    match = _PROSE.match(normalised)
    if match:
        return int(match.group(1)) * _PROSE_SECONDS[match.group(2)]
    try:
        return parse_duration(normalised)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a response time such as '15 minutes', '4 hours', '30m' or 'next business day'"
        ) from None


def format_duration(seconds: float) -> str:
    """The shortest Prometheus duration for a whole number of seconds: 3600 -> ``1h``, 5400 -> ``1h30m``."""
    total = round(seconds)
    if total <= 0:
        return "0s"
    out = []
    for unit in ("d", "h", "m", "s"):
        size = int(_UNITS[unit])  # whole seconds from d to s; only ms is a fraction
        if total >= size:
            out.append(f"{total // size}{unit}")
            total %= size
    return "".join(out)


def _validate(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 5m, not a boolean")
    if isinstance(value, int):
        raise ValueError(f"expected a duration with a unit, such as {value}s or {value}m")
    if not isinstance(value, str):
        raise ValueError("expected a duration such as 30s, 5m or 1h30m")
    seconds = parse_duration(value)
    if seconds <= 0:
        raise ValueError("a duration must be longer than zero")
    return seconds


Duration = Annotated[
    int,
    BeforeValidator(_validate),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^([0-9]+(ms|s|m|h|d|w|y))+$", "examples": ["30s", "5m", "1h30m"]}),
]
"""A pydantic field type: written as ``5m`` in YAML, held as seconds."""
