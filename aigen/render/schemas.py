"""generated/schemas/: the JSON Schemas of the spec and taxonomy, for `# yaml-language-server: $schema=` lines."""

from __future__ import annotations

import json

from aigen.plan import ModelPlan
from aigen.render import Artifact, RenderEnv
from aigen.schemas import SchemaKind, json_schema

SCHEMAS: tuple[tuple[str, SchemaKind], ...] = (("modelspec", "spec"), ("taxonomy", "taxonomy"))


def render(plans: list[ModelPlan], env: RenderEnv) -> list[Artifact]:
    return [
        Artifact(f"schemas/{name}.schema.json", json.dumps(json_schema(kind), indent=2, sort_keys=True) + "\n")
        for name, kind in SCHEMAS
    ]
