"""Stable names of dashboards and panels, computable from a spec without rendering anything.

``aigen.plan`` derives each alert's ``dashboard_url`` from these functions while the dashboards are rendered from
the finished plan, so both must agree without seeing each other: the uid depends on the model id only, and an
alert's panel id on the alert's name and distinguishing labels only (not on its position, so adding an alert never
moves another alert's link).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

UID_MAX = 40  # Grafana's limit on dashboard uids
FLEET_UID = "aigen_fleet"  # an underscore never occurs in a model id, so no model dashboard can take this uid
FLEET_TITLE = "AI models: fleet"
FIRST_ALERT_PANEL_ID = 1000  # ids below are the fixed panels (rows, alert list, ...) numbered in layout order


def model_uid(model_id: str) -> str:
    """``aigen-<model-id>``, shortened with a hash suffix when Grafana's 40 characters do not suffice."""
    uid = f"aigen-{model_id}"
    if len(uid) <= UID_MAX:
        return uid
    digest = hashlib.sha256(model_id.encode()).hexdigest()[:8]
    return f"{uid[:UID_MAX - 9]}-{digest}"


def model_title(model_id: str) -> str:
    return f"AI model: {model_id}"


def slug(title: str) -> str:
    """The URL slug Grafana shows after the uid (cosmetic: Grafana redirects any slug to the right one)."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def panel_id(alert_name: str, extra_labels: Iterable[tuple[str, str]] = ()) -> int:
    """A panel id from what distinguishes an alert within its model: its name and its extra labels."""
    key = "|".join([alert_name, *sorted(f"{k}={v}" for k, v in extra_labels)])
    return FIRST_ALERT_PANEL_ID + int(hashlib.sha256(key.encode()).hexdigest()[:7], 16) % 9_000_000


def dashboard_path(uid: str, title: str) -> str:
    return f"/d/{uid}/{slug(title)}"


def alert_panel_url(base_url: str, model_id: str, alert_name: str, extra_labels: Iterable[tuple[str, str]] = ()) -> str:
    """The ``dashboard_url`` annotation: the model dashboard opened on the alert's panel."""
    path = dashboard_path(model_uid(model_id), model_title(model_id))
    return f"{base_url.rstrip('/')}{path}?viewPanel={panel_id(alert_name, extra_labels)}"
