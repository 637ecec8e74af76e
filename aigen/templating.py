"""The Jinja2 environment: sandboxed, StrictUndefined, the shipped templates with a team's overrides layered on top."""

from __future__ import annotations

import functools
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from aigen.escape import shell_word, yaml_scalar


def default_templates_dir() -> Path:
    """Templates shipped in the wheel (aigen/templates), or the repository's templates/ in a source checkout."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


@functools.lru_cache(maxsize=8)
def environment(overrides: Path | None = None) -> SandboxedEnvironment:
    """One environment per overrides folder for the process: compiled templates are kept (Jinja still reloads a
    template whose file changed), so rendering many specs in one process compiles each template once."""
    loaders = [FileSystemLoader(str(overrides))] if overrides else []
    loaders.append(FileSystemLoader(str(default_templates_dir())))
    env = SandboxedEnvironment(
        loader=ChoiceLoader(loaders),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Templates write every spec value through one of these: `q` for a YAML scalar, `sh` for a shell word.
    env.filters["q"] = yaml_scalar
    env.filters["sh"] = shell_word
    return env
