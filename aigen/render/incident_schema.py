"""generated/incident-record.schema.json: the incident record schema of this project's taxonomy and models.

`aigen incident validate` builds the same schema in memory; the file is for editors and other tools.
"""

from __future__ import annotations

import json

from aigen.incidents.schema import build_schema
from aigen.plan import ModelPlan
from aigen.render import Artifact, RenderEnv


def render(plans: list[ModelPlan], env: RenderEnv) -> list[Artifact]:
    if not plans:
        return []
    schema = build_schema(plans[0].taxonomy, [p.spec for p in plans])
    return [Artifact("incident-record.schema.json", json.dumps(schema, indent=2, sort_keys=True) + "\n")]
