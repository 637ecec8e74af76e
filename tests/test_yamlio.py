"""The fast YAML path (libyaml) must read exactly what the located path (ruamel, YAML 1.2) reads, or step aside."""

from __future__ import annotations

import pytest

from aigen.yamlio import fast_mapping, parse_mapping, to_plain
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
