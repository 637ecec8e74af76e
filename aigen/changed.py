"""Which models a change touches, from git: what `aigen test --changed` proves (pint's CI mode does the same).

The change is everything that differs from the merge base of ``base`` and HEAD: commits since, staged and unstaged
edits, and new files not yet added. A model is touched by its spec, its profile or its generated folder; the
taxonomy, the templates and the project configuration touch every model.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from aigen.config import Config
from aigen.errors import UsageError
from aigen.taxonomy import default_taxonomy_path
from aigen.templating import default_templates_dir

ALL = "*"  # stands for every model
_CONFIG_FILES = ("aigen.toml", "pyproject.toml")


def _git(root: Path, *args: str) -> list[str]:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"git {' '.join(args)}: {exc}") from None
    if done.returncode != 0:
        raise UsageError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return [line for line in done.stdout.splitlines() if line]


def changed_files(root: Path, base: str = "HEAD") -> list[Path]:
    """Files that differ from the merge base of ``base`` and HEAD, including uncommitted and untracked ones."""
    top = Path(_git(root, "rev-parse", "--show-toplevel")[0])
    fork = _git(root, "merge-base", base, "HEAD")[0]
    paths = _git(root, "diff", "--name-only", "--no-renames", fork) + _git(root, "ls-files", "--others",
                                                                           "--exclude-standard")
    return sorted({(top / p).resolve() for p in paths})


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def touched_models(config: Config, files: list[Path]) -> set[str]:
    """Model ids a set of changed files touches; ``{ALL}`` when a shared input (taxonomy, templates, config) changed."""
    specs, profiles = config.specs.resolve(), (config.specs.parent / "profiles").resolve()
    generated = config.generated.resolve()
    shared = [(config.taxonomy or default_taxonomy_path()).resolve(), default_templates_dir().resolve(),
              *((config.root / name).resolve() for name in _CONFIG_FILES)]
    models: set[str] = set()
    for path in files:
        if any(_inside(path, s) for s in shared):
            return {ALL}
        if ((_inside(path, specs) and path.suffix in (".yaml", ".yml"))
                or (_inside(path, profiles) and path.suffix == ".json")):
            models.add(path.stem)
        elif _inside(path, generated) and len(path.relative_to(generated).parts) > 1:
            models.add(path.relative_to(generated).parts[0])
    return models


def model_targets(config: Config, base: str = "HEAD") -> list[Path]:
    """The generated folders of the models the change since ``base`` touches (that still exist), sorted."""
    models = touched_models(config, changed_files(config.root, base))
    if ALL in models:
        return [config.generated]
    return [config.generated / m for m in sorted(models) if (config.generated / m / "tests").is_dir()]
