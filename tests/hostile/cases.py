"""The hostile corpus as cases, and an in-process CLI to run them.

Fields are found by walking the pydantic model, so a string field added to the spec is attacked without anyone
editing a list; the values are the data file corpus.yaml; every case starts from base-spec.yaml.
"""

from __future__ import annotations

import contextlib
import copy
import io
import os
import shutil
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from aigen.cli import main
from aigen.spec import ModelSpec
from tests.conftest import REPO

HERE = Path(__file__).parent
BASE: dict[str, Any] = yaml.safe_load((HERE / "base-spec.yaml").read_text(encoding="utf-8"))
SPEC_FILE = "specs/models/hostile.yaml"

KEY = "<key>"
"""Path step meaning "the first key of this mapping" (a dict[str, str] field is attacked in its keys and values)."""

Path_ = tuple[str | int, ...]


def _corpus() -> dict[str, str]:
    """name -> hostile value, from corpus.yaml (``repeat``/``times`` spell long strings)."""
    entries = yaml.safe_load((HERE / "corpus.yaml").read_text(encoding="utf-8"))
    return {e["name"]: e["value"] if "value" in e else e["repeat"] * e["times"] for e in entries}


CORPUS = _corpus()


def string_fields(model: type[BaseModel] = ModelSpec, base: Any = BASE, path: Path_ = ()) -> list[Path_]:
    """Every path to a string in a spec shaped like ``base``: str and Literal fields, list items, mapping keys."""
    out: list[Path_] = []
    for name, field in model.model_fields.items():
        out += _paths(field.annotation, (base or {}).get(name), (*path, name))
    return out


def _paths(annotation: Any, base: Any, path: Path_) -> list[Path_]:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _paths(args[0], base, path)
    if origin in (typing.Union, types.UnionType):
        return [p for a in args if a is not type(None) for p in _paths(a, base, path)]
    if annotation is str or origin is typing.Literal:
        return [path]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return string_fields(annotation, base, path)
    if origin is list and base:
        return _paths(args[0], base[0], (*path, 0))
    if origin is dict and base:
        first = next(iter(base))
        return [(*path, KEY), *_paths(args[1], base[first], (*path, first))]
    return []


def spec_with(path: Path_, value: Any) -> dict[str, Any]:
    """The base spec with the string at ``path`` replaced by ``value``."""
    data = copy.deepcopy(BASE)
    node: Any = data
    for step in path[:-1]:
        node = node.setdefault(step, {}) if isinstance(node, dict) else node[step]
    last = path[-1]
    if last == KEY:
        first = next(iter(node))
        node[value] = node.pop(first)
    else:
        node[last] = value
    return data


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=float("inf"))


def new_project(root: Path) -> Path:
    """An empty aigen project (the shipped taxonomy) at ``root``, ready for a spec at SPEC_FILE."""
    (root / "specs" / "models").mkdir(parents=True)
    shutil.copy(REPO / "specs" / "taxonomy.yaml", root / "specs" / "taxonomy.yaml")
    (root / "aigen.toml").write_text("", encoding="utf-8")
    return root


@dataclass(frozen=True)
class Outcome:
    code: int
    stderr: str


def run(project: Path, *args: str) -> Outcome:
    """``aigen ARGS`` in this process, through the real entry point (its exit-code mapping included)."""
    err, here = io.StringIO(), os.getcwd()
    try:
        os.chdir(project)
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            main(list(args))
    except SystemExit as exc:
        return Outcome(int(exc.code or 0), err.getvalue())
    finally:
        os.chdir(here)
    raise AssertionError("aigen.cli.main returned without exiting")
