"""Command-line entry point: parses and dispatches only. Each command lives in aigen/commands/<name>.py as a
function returning an exit code; commands are imported lazily so `aigen lint` in a pre-commit hook stays fast.
"""

from __future__ import annotations

import importlib
import os
import sys

# pydantic looks for plugins through every installed distribution's entry points (importlib.metadata) the first
# time a model is built: about 20 ms of the 0.3 s a pre-commit run may take. The CLI uses none; a library user of
# aigen keeps pydantic's default, since this runs only when the CLI is the program.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import click

from aigen import __version__
from aigen.errors import EXIT_INTERNAL, EXIT_INVALID, EXIT_USAGE, InputError, UsageError

# command name -> "module:attribute" of a click.Command; a new command is one line here and one module.
COMMANDS: dict[str, str] = {
    "validate": "aigen.commands.validate:command",
    "render": "aigen.commands.render:command",
    "schema": "aigen.commands.schema:command",
    "detectors": "aigen.commands.detectors:command",
    "lint": "aigen.commands.lint:command",
    "rules": "aigen.commands.rules:command",
    "dashboards": "aigen.commands.dashboards:command",
    "incident": "aigen.commands.incident:command",
    "profile": "aigen.commands.profile:command",
    "test": "aigen.commands.test:command",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aigen")
@click.option("-C", "--directory", type=click.Path(file_okay=False), default=None,
              help="Run as if started in DIR (the project is found from there).")
@click.pass_context
def cli(ctx: click.Context, directory: str | None) -> None:
    """AI incident detection and response as code.

    \b
    Exit codes: 0 success, 1 invalid input or findings, 2 usage or I/O error, 3 internal error.
    """
    if directory:
        try:
            os.chdir(directory)
        except OSError as exc:
            raise click.UsageError(f"cannot change to {directory}: {exc.strerror}") from None


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; map every outcome to a documented exit code, never a traceback."""
    try:
        code = cli.main(args=argv, prog_name="aigen", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        code = 130
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = EXIT_USAGE
    except InputError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        code = EXIT_INVALID
    except UsageError as exc:
        click.echo(f"aigen: {exc}", err=True)
        code = EXIT_USAGE
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        code = 130
    except BrokenPipeError:
        code = 0
    except Exception as exc:  # the one place that turns a bug into exit 3
        if os.environ.get("AIGEN_DEBUG"):
            raise
        click.echo(f"aigen: internal error: {type(exc).__name__}: {exc} — please report this at the aigen issue "
                   f"tracker with the command you ran (AIGEN_DEBUG=1 shows the traceback)", err=True)
        code = EXIT_INTERNAL
    sys.exit(code if isinstance(code, int) else 0)
