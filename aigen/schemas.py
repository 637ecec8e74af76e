"""The JSON Schemas of the documents a user writes (a ModelSpec, the taxonomy), for editors and CI.

Printed by ``aigen schema`` and rendered into ``generated/schemas/`` for ``# yaml-language-server: $schema=`` lines.
"""

from __future__ import annotations

from typing import Any, Literal

from aigen.spec import ModelSpec
from aigen.taxonomy import Taxonomy

SchemaKind = Literal["spec", "taxonomy"]
_MODELS: dict[str, tuple[type[ModelSpec] | type[Taxonomy], str]] = {
    "spec": (ModelSpec, "aigen ModelSpec"),
    "taxonomy": (Taxonomy, "aigen Taxonomy"),
}


def json_schema(kind: SchemaKind) -> dict[str, Any]:
    """The draft 2020-12 schema of ``kind``, titled ``aigen <Kind>`` (pydantic's own title dropped)."""
    model, title = _MODELS[kind]
    data = model.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title,
            **{k: v for k, v in data.items() if k != "title"}}
