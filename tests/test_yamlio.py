"""The fast YAML path (libyaml) must read exactly what the located path (ruamel, YAML 1.2) reads, or step aside."""

from __future__ import annotations

import tracemalloc

import pytest

from aigen.errors import InputError
from aigen.yamlio import fast_mapping, load_mapping, parse_mapping, to_plain
from tests.conftest import REPO

SCALARS = ["yes", "no", "on", "off", "y", "n", "true", "False", "TRUE", "1:30", "1_000", "0x1F", "12", "-3", "+4",
           "1.5", "1e3", "-2.5E-3", ".5", "1.", ".inf", "-.inf", ".nan", "~", "null", "", "2026-04-22",
           "2026-04-22T08:15:00Z", "60+", "18-29", "4.1.2", "0.92", "=", "<<", "!!str 5", "'5'", '"x"']


@pytest.mark.parametrize("scalar", SCALARS)
def test_fast_path_reads_scalars_as_ruamel_does_or_declines(scalar):
    text = f"key: {scalar}\nlist: [{scalar or 'null'}]\n"
    fast = fast_mapping(text, "t.yaml")
    slow = to_plain(parse_mapping(text, "t.yaml").data)
    if fast is None:
        return
    want = slow["key"]
    if type(want).__name__ == "TaggedScalar":  # ruamel's round-trip mode keeps '=', '<<' and '!!str 5' tagged
        want = want.value
    got = fast.data["key"]
    assert got == want or (got != got and want != want), (scalar, got, want)  # NaN is not equal to itself
    assert isinstance(got, str) == isinstance(want, str) and isinstance(got, bool) == isinstance(want, bool)
    assert isinstance(got, (int, float)) == isinstance(want, (int, float)), (scalar, got, want)


@pytest.mark.parametrize("path", sorted((REPO / "specs").rglob("*.yaml")), ids=lambda p: p.name)
def test_fast_path_reads_the_shipped_specs_like_ruamel(path):
    text = path.read_text(encoding="utf-8")
    fast = fast_mapping(text, path.name)
    assert fast is not None
    assert fast.data == to_plain(parse_mapping(text, path.name).data)


@pytest.mark.parametrize("text", ["a: 1\na: 2\n", "- a\n", "a: [1\n", "--- {a: 1}\n--- {b: 2}\n", "a:\n\tb: 1\n"])
def test_fast_path_declines_what_needs_a_located_error(text):
    assert fast_mapping(text, "t.yaml") is None


def test_positions_are_computed_on_demand():
    doc = fast_mapping("model:\n  id: x\n  versions: {current: '1'}\n", "t.yaml")
    assert doc is not None and isinstance(doc.data, dict)
    assert doc.locate(("model", "versions", "current")) == (3, 23)
    assert doc.locate(("model", "id"), want_key=True) == (2, 3)


def _laughs(levels: int = 9, width: int = 9) -> str:
    """The "billion laughs" alias bomb: a few hundred bytes that expand to width**levels nodes."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


HOSTILE_SHAPES = {
    "flow-sequences-10000-deep": ("model: " + "[" * 10_000 + "]" * 10_000 + "\n", (1, None), "levels deep"),
    "flow-mappings-10000-deep": ("model: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n", (1, None), "levels deep"),
    "block-sequences-10000-deep": ("model:\n" + "- " * 10_000 + "x\n", (2, 127), "levels deep"),
    "billion-laughs": (_laughs(), (5, 53), "expands to more than 100,000 nodes"),
    "one-big-anchor-many-aliases": ("a: &a [" + ", ".join(["x"] * 5_000) + "]\nb: [" + ", ".join(["*a"] * 50) + "]\n",
                                    (2, None), "expands to more than 100,000 nodes"),
}


@pytest.mark.parametrize(("text", "where", "message"), HOSTILE_SHAPES.values(), ids=HOSTILE_SHAPES.keys())
@pytest.mark.parametrize("fast", [True, False], ids=["fast", "located"])
def test_hostile_shapes_are_refused_at_a_position_in_bounded_memory(tmp_path, text, where, message, fast):
    """Depth and alias expansion are limited on the event stream, before a recursive builder or a copy of the tree
    can run away (a RecursionError, minutes of CPU, gigabytes of memory)."""
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as caught:
            load_mapping(path, "spec.yaml", "spec", fast=fast)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    (problem,) = caught.value.problems
    assert message in problem.message
    assert problem.line == where[0] and (where[1] is None or problem.col == where[1]), problem
    assert peak < 16 * 2**20, f"peak {peak / 2**20:.1f} MiB"


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "spec.yaml"
    with path.open("wb") as handle:
        handle.truncate(50 * 10**6)  # sparse: the size is real, the bytes are never written or read
    with pytest.raises(InputError) as caught:
        load_mapping(path, "spec.yaml", "spec", fast=True)
    assert "file is 50.0 MB; aigen reads YAML files of at most 1024 KiB" in str(caught.value)


def test_anchors_and_aliases_within_the_limits_still_load():
    doc = parse_mapping("base: &b {x: 1}\nother: *b\n", "t.yaml")
    assert to_plain(doc.data) == {"base": {"x": 1}, "other": {"x": 1}}
