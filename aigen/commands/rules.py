"""`aigen rules [RULE-ID]`: the lint rules, one line each, or one rule's full documentation."""

from __future__ import annotations

import difflib

import click

from aigen.errors import EXIT_OK, UsageError


def run(rule_id: str | None = None) -> int:
    from aigen.lint.rules import all_rules, by_id, summary

    if rule_id is None:
        for rule in all_rules():
            click.echo(f"{rule.ID:20} {rule.LEVEL:8} {summary(rule)}")
        return EXIT_OK
    rules = by_id()
    if rule_id not in rules:
        hint = difflib.get_close_matches(rule_id, list(rules), n=1)
        extra = f"; did you mean '{hint[0]}'?" if hint else " (see `aigen rules`)"
        raise UsageError(f"unknown rule '{rule_id}'{extra}")
    rule = rules[rule_id]
    click.echo(f"{rule.ID} (default level: {rule.LEVEL})\n")
    click.echo((rule.__doc__ or "").strip())
    return EXIT_OK


@click.command("rules")
@click.argument("rule_id", required=False)
def command(rule_id: str | None) -> int:
    """List lint rules, or print one rule's documentation with its examples."""
    return run(rule_id)
