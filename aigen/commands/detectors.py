"""`aigen detectors`: the built-in detectors, what they watch and the metrics they read."""

from __future__ import annotations

import click

from aigen.errors import EXIT_OK


@click.command("detectors")
def command() -> int:
    """List the built-in detectors the taxonomy can bind to incident types."""
    from aigen.detectors import DETECTORS

    for det in DETECTORS.values():
        click.echo(f"{det.id:20} {det.title}")
        click.echo(f"{'':20} {det.doc}")
        click.echo(f"{'':20} metrics: {', '.join(m.name for m in det.metrics)}")
    return EXIT_OK
