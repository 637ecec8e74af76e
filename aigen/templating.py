"""The Jinja2 environment: sandboxed, StrictUndefined, the shipped templates with a team's overrides layered on top."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment


def default_templates_dir() -> Path:
    """Templates shipped in the wheel (aigen/templates), or the repository's templates/ in a source checkout."""
    packaged = Path(__file__).parent / "templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


def environment(overrides: Path | None = None) -> SandboxedEnvironment:
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
    env.filters["q"] = lambda value: json.dumps(str(value), ensure_ascii=False)  # a YAML double-quoted scalar
    env.filters["sh"] = lambda value: shlex.quote(str(value))
    return env
