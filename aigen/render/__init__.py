"""Renderers: each turns the internal model into artifacts (path + text). Renderers never read or write files.

Per-model renderers take a ModelPlan; project renderers take every plan at once (fleet dashboard, routing, docs).
A new artifact is a new function added to MODEL_RENDERERS or PROJECT_RENDERERS.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_all_start_methods, get_context

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


def render_model(plan: ModelPlan, env: RenderEnv) -> list[Artifact]:
    """Every per-model artifact of one model."""
    return [art for renderer in model_renderers() for art in renderer(plan, env)]


def render_project(plans: list[ModelPlan], env: RenderEnv) -> list[Artifact]:
    """The artifacts that read every plan (fleet dashboard, routing, schemas, metrics doc)."""
    return [art for renderer in project_renderers() for art in renderer(plans, env)]


def render_all(plans: list[ModelPlan], env: RenderEnv, jobs: int | None = 1) -> list[Artifact]:
    return [*render_models(plans, env, jobs), *render_project(plans, env)]


# What forked workers render: set just before the pool starts, so plans reach the workers by fork, not by pickle.
_WORK: tuple[list[ModelPlan], RenderEnv] | None = None


def _render_index(index: int) -> list[Artifact]:
    assert _WORK is not None
    plans, env = _WORK
    return render_model(plans[index], env)


def render_models(plans: list[ModelPlan], env: RenderEnv, jobs: int | None = None) -> Iterator[Artifact]:
    """Per-model artifacts of ``plans`` in model-id order, rendered by up to ``jobs`` processes (default: CPUs).

    Models are independent, so they render in parallel; the order does not depend on which finished first. The
    artifacts are yielded as each model's arrive, so a caller that consumes them (the writer keeps only what
    changed) never holds a whole fleet's output at once. Without fork (or with one job, or one model) they render
    here, sparing the pool's start-up.
    """
    global _WORK
    ordered = sorted(plans, key=lambda p: p.model_id)
    workers = min(jobs or os.cpu_count() or 1, len(ordered))
    if workers <= 1 or "fork" not in get_all_start_methods():
        for plan in ordered:
            yield from render_model(plan, env)
        return
    _WORK = (ordered, env)
    try:
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            for part in pool.map(_render_index, range(len(ordered))):
                yield from part
    finally:
        _WORK = None
