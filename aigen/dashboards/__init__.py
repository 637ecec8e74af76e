"""Grafana dashboards as data: typed models (``model``), stable ids (``ids``), builders (``build``), checks.

``aigen.plan`` imports ``aigen.dashboards.ids`` while it is itself being imported, so this package imports nothing
that needs the plan at import time; the public functions below load their modules on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "model_dashboard": "aigen.dashboards.build",
    "fleet_dashboard": "aigen.dashboards.build",
    "dashboard_problems": "aigen.dashboards.check",
    "dashboard_file_problems": "aigen.dashboards.check",
    "describe": "aigen.dashboards.layout",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'aigen.dashboards' has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY[name]), name)
