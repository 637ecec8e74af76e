"""Renderers: each turns the internal model into artifacts (path + text). Renderers never read or write files.

Per-model renderers take a ModelPlan; project renderers take every plan at once (fleet dashboard, routing, docs).
A new artifact is a new function added to MODEL_RENDERERS or PROJECT_RENDERERS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aigen.plan import ModelPlan


@dataclass(frozen=True)
class Artifact:
    path: str  # relative to its root, with forward slashes
    text: str
    root: str = "generated"  # "generated" (the output folder) or "docs"


ModelRenderer = Callable[[ModelPlan, "RenderEnv"], list[Artifact]]
ProjectRenderer = Callable[[list[ModelPlan], "RenderEnv"], list[Artifact]]


@dataclass(frozen=True)
class RenderEnv:
    """What renderers share: the Jinja environment (with the team's template overrides)."""

    templates: object  # jinja2.Environment; typed loosely to keep Jinja's import lazy


def model_renderers() -> list[ModelRenderer]:
    from aigen.render import dashboards, rules, runbooks, tests

    return [rules.render, runbooks.render, dashboards.render, tests.render]


def project_renderers() -> list[ProjectRenderer]:
    from aigen.render import alertmanager, dashboards, incident_schema, metrics_doc, schemas

    return [metrics_doc.render, schemas.render, incident_schema.render, alertmanager.render, dashboards.render_fleet]


def render_all(plans: list[ModelPlan], env: RenderEnv) -> list[Artifact]:
    out: list[Artifact] = []
    for plan in sorted(plans, key=lambda p: p.model_id):
        for renderer in model_renderers():
            out.extend(renderer(plan, env))
    for project_renderer in project_renderers():
        out.extend(project_renderer(plans, env))
    return out
