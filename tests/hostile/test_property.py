"""Property: whatever a pull request does to a spec, `aigen validate` (and `aigen render` when it accepts) exits 0, 1
or 2 — never 3, never a traceback. 2,000 mutants of base-spec.yaml, in this process through the real entry point.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.cases import BASE, CORPUS, SPEC_FILE, dump, new_project, run, spec_with, string_fields

EXAMPLES = 2_000
RENDERS = 10
"""Accepted mutants also rendered (a render costs ~0.5 s; test_corpus.py renders every accepted corpus case)."""

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(sorted(CORPUS.values()))
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | TEXT
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                      max_leaves=8)


def _all_paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key and index path in the base spec: the places a mutation can hit."""
    out = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _all_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _all_paths(value, (*path, index))
    return out


PATHS = sorted(set(_all_paths(BASE)) | set(string_fields()), key=repr)


@st.composite
def structural(draw: st.DrawFn) -> bytes:
    """The base spec with one to three nodes replaced, deleted, or given an unknown sibling key."""
    data = BASE
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS))
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        data = _mutate(data, path, action, draw(VALUES), draw(TEXT))
    return dump(data).encode("utf-8", "surrogatepass")


def _mutate(data: dict[str, Any], path: tuple[Any, ...], action: str, value: Any, key: str) -> dict[str, Any]:
    """A copy of ``data`` with the node at ``path`` replaced or deleted, or ``key: value`` added beside it."""
    data = copy.deepcopy(data)
    try:
        parent = _get(data, path[:-1])
        if action == "replace":
            parent[path[-1]] = value
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[key] = value
    except (KeyError, IndexError, TypeError):
        pass  # an earlier mutation removed or reshaped this path
    return data


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


@st.composite
def textual(draw: st.DrawFn) -> bytes:
    """The base spec's bytes with a slice replaced by arbitrary bytes or text: broken YAML, encodings, NUL, tabs."""
    raw = dump(spec_with(draw(st.sampled_from(string_fields())), draw(TEXT))).encode("utf-8")
    start = draw(st.integers(0, len(raw)))
    end = draw(st.integers(start, min(len(raw), start + 40)))
    patch = draw(st.binary(max_size=20) | TEXT.map(lambda t: t.encode("utf-8")) | st.sampled_from(
        [b"\t", b": ", b"- ", b"&a ", b"*a", b"{", b"[", b"\n---\n", b"!!python/object:os.system ", b"<<: *a"]))
    return raw[:start] + patch + raw[end:]


def test_mutated_specs_exit_0_1_or_2_and_never_crash(tmp_path: Path):
    project = new_project(tmp_path)
    spec = project / SPEC_FILE
    renders: list[int] = []

    @settings(max_examples=EXAMPLES, database=None, deadline=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(structural() | textual())
    def check(content: bytes) -> None:
        spec.write_bytes(content)
        outcome = run(project, "validate")
        assert outcome.code in (0, 1, 2) and "internal error" not in outcome.stderr, outcome
        if outcome.code == 0 and len(renders) < RENDERS:
            renders.append(1)
            rendered = run(project, "render")
            assert rendered.code == 0, f"validate accepted, render did not:\n{rendered.stderr[:2000]}"

    check()
    assert renders, "no mutant was valid: the strategy no longer exercises render"
