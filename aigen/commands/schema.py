"""`aigen schema`: the JSON Schema of a ModelSpec (or the taxonomy), for editors and CI."""

from __future__ import annotations

import json

import click

from aigen.errors import EXIT_OK


def schema(kind: str) -> dict:
    if kind == "taxonomy":
        from aigen.taxonomy import Taxonomy

        data = Taxonomy.model_json_schema(mode="validation")
        title = "aigen Taxonomy"
    else:
        from aigen.spec import ModelSpec

        data = ModelSpec.model_json_schema(mode="validation")
        title = "aigen ModelSpec"
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **{k: v for k, v in data.items() if k != "title"}}


@click.command("schema")
@click.option("--kind", type=click.Choice(["spec", "taxonomy"]), default="spec", show_default=True)
def command(kind: str) -> int:
    """Print the JSON Schema of a spec (use with `# yaml-language-server: $schema=`)."""
    click.echo(json.dumps(schema(kind), indent=2, sort_keys=True))
    return EXIT_OK
