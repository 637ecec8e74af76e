"""`aigen schema`: the JSON Schema of a ModelSpec (or the taxonomy), for editors and CI."""

from __future__ import annotations

import json

import click

from aigen.errors import EXIT_OK
from aigen.schemas import SchemaKind, json_schema


@click.command("schema")
@click.option("--kind", type=click.Choice(["spec", "taxonomy"]), default="spec", show_default=True)
def command(kind: SchemaKind) -> int:
    """Print the JSON Schema of a spec (use with `# yaml-language-server: $schema=`)."""
    click.echo(json.dumps(json_schema(kind), indent=2, sort_keys=True))
    return EXIT_OK
