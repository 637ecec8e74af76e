"""Grafana dashboards: generated/<model-id>/dashboard.json per model and generated/fleet-dashboard.json.

Both are plain dashboard JSON (not wrapped for the HTTP API), so Grafana's file provisioning and the import dialog
take them as they are; see docs/dashboards.md.
"""

from __future__ import annotations

from aigen.dashboards.build import fleet_dashboard, model_dashboard
from aigen.plan import ModelPlan
from aigen.render import Artifact, RenderEnv

FLEET_PATH = "fleet-dashboard.json"


def model_path(model_id: str) -> str:
    return f"{model_id}/dashboard.json"


def render(plan: ModelPlan, env: RenderEnv) -> list[Artifact]:
    return [Artifact(model_path(plan.model_id), model_dashboard(plan).to_json())]


def render_fleet(plans: list[ModelPlan], env: RenderEnv) -> list[Artifact]:
    return [Artifact(FLEET_PATH, fleet_dashboard(plans).to_json())]
