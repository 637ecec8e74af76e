"""generated/<model>/tests/<Alert>.yaml: promtool unit tests proving each alert fires within budget (aigen.proof)."""

from __future__ import annotations

from aigen.plan import ModelPlan
from aigen.proof.scenarios import test_documents
from aigen.render import Artifact, RenderEnv
from aigen.yamlout import dump, header


def render(plan: ModelPlan, env: RenderEnv) -> list[Artifact]:
    head = header(plan.spec_path) + "# Run: promtool test rules generated/*/tests/*.yaml (or `aigen test`).\n"
    return [Artifact(f"{plan.model_id}/tests/{name}.yaml", head + dump(doc))
            for name, doc in sorted(test_documents(plan).items())]
