"""Fingerprints of everything a render reads, so `aigen render` can skip models whose inputs did not change.

A model's output is a function of its spec and profile bytes, and of what every model shares: the taxonomy, the
templates (shipped and a team's overrides), the configuration, and aigen itself. aigen's own source is hashed, not
just its version number: a developer changing a detector must not get yesterday's output from the cache. The
libraries whose output format we depend on (PyYAML, Jinja2) are in by version.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import aigen
from aigen.config import Config
from aigen.templating import default_templates_dir

PROJECT = "(project)"  # the key of the project-level artifacts (fleet dashboard, routing, schemas, docs)
_LIBRARIES = ("PyYAML", "Jinja2")


def _tree(root: Path | None) -> Iterable[tuple[str, bytes]]:
    """Every file under ``root`` (relative name, bytes), in a fixed order; bytecode caches left out."""
    if root is None or not root.is_dir():
        return []
    files = sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return ((p.relative_to(root).as_posix(), p.read_bytes()) for p in files)


def _digest(parts: Iterable[bytes | str]) -> str:
    sha = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        sha.update(len(data).to_bytes(8, "big"))  # length-prefixed: no two sequences hash alike by concatenation
        sha.update(data)
    return sha.hexdigest()


@lru_cache(maxsize=1)
def code() -> str:
    """aigen's source and shipped data, with the versions of the libraries that format its output."""
    versions = [f"{name}=={metadata.version(name)}" for name in _LIBRARIES]
    return _digest([*versions, *(part for item in _tree(Path(aigen.__file__).parent) for part in item)])


def shared(config: Config, taxonomy: Path, templates: Path | None) -> str:
    """What every model's output depends on besides its own spec and profile."""
    settings = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)
                if f.name not in ("root", "lint", "source")}
    located = sorted((k, config.display(v) if isinstance(v, Path) else repr(v)) for k, v in settings.items())
    parts: list[bytes | str] = [code(), repr(located), taxonomy.read_bytes()]
    for label, root in (("overrides", templates), ("shipped", default_templates_dir())):
        parts.append(label)  # paths left out: a clone elsewhere reuses the same output
        parts.extend(part for item in _tree(root) for part in item)
    return _digest(parts)


def model(shared_digest: str, display: str, spec: Path, profile: Path) -> str:
    """One model's inputs: the shared digest, its spec (as shown in headers, and its bytes) and its profile."""
    profile_bytes = profile.read_bytes() if profile.is_file() else b"(no profile)"
    return _digest([shared_digest, display, spec.read_bytes(), profile_bytes])


def project(shared_digest: str, models: dict[str, str]) -> str:
    """The project-level artifacts read every plan: their inputs are all models' inputs together."""
    return _digest([shared_digest, *(f"{k}={v}" for k, v in sorted(models.items()))])
