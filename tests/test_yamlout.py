"""aigen.yamlout.dump writes the block structure itself: it must stay byte-identical to PyYAML with our dumper."""

from __future__ import annotations

import pytest
import yaml

from aigen import yamlout
from tests.conftest import REPO

AWKWARD_STRINGS = [
    "", " ", "a", "true", "yes", "no", "null", "~", "1", "1.0", "1e3", "0x60", "0+0x60", "1_000", "2024-01-01",
    ".inf", "-", "- a", "-a", "?", "? x", ":", "a: b", "a:b", "a #b", "#a", "a#b", "'q'", '"q"', "{a}", "[a]",
    "a, b", "*ref", "&anchor", "!tag", "%x", "@x", "`x`", "|", ">", "---", "...", "...a", " lead", "trail ",
    "two  spaces", "tab\there", "é ü 漢字", "emoji 😀", "nul\x00", "bell\x07", "\ufeffbom", "line\n", "a\nb",
    "a\nb\n", "a\n\n", "\nlead newline", "  indented\nblock", "trailing \nspaces  \n", "x" * 5000,
    " ".join(["12.5+1.25x3"] * 900), " ".join(['x{a="b"}'] * 600), " ".join(["'a'"] * 1500), "a\\b",
    'rate(x{a="b"}[5m]) > 0.5',
    'sum by (model_id) (x{model_id="m"})\n  / on() group_left 2', "\u2028sep", "a\x85b", 'x{a="b", c="d"}',
    "a ? b", "a - b", "a -b", "a | b", "a > b", "a '", "a ~", "a,b", "a [b]", "{a", "a}", "a:", "a :b", "a; b",
    "a `b`", "a\\", "a !b", "a &b", "a *b", "a %b", "a @b", "a ^b", "a $b", "_a", "/a", "0a", "~a", "Null", "NO",
    "On", "off", "0o17", "0b1", "1:30", "12:30:45", "+1", "-1", "1_0", ".5", "1.", "2001-12-14t21:59:43.10-05:00",
]


def _docs() -> list:
    scalars = [*AWKWARD_STRINGS, 0, -1, 10 ** 20, 0.5, 1e-07, float("inf"), True, False, None]
    return [
        {"k": scalars},
        {"deep": {"deeper": {"list": [{"x": s, "y": [s, [s, {}]], "z": []} for s in scalars]}}},
        {s if isinstance(s, str) and len(s) < 100 else f"k{i}": s for i, s in enumerate(scalars)},
        {"a" * 60: {"b" * 60: [{"c" * 60: " ".join(["1.25"] * 900)}]}},
        {"nested": [[1, [2, [3, "a\nb"]]], [{}], [[]]]},
    ]


@pytest.mark.parametrize("doc", _docs(), ids=["seq", "deep", "keys", "long-keys", "nested"])
def test_awkward_documents_match_pyyaml(doc: dict) -> None:
    assert yamlout.dump(doc) == yamlout._pyyaml(doc)


def test_generated_documents_match_pyyaml() -> None:
    files = sorted((REPO / "generated").rglob("*.yaml"))
    assert files
    for path in files:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict):
            assert yamlout.dump(doc) == yamlout._pyyaml(doc), path


def test_shared_containers_keep_pyyaml_anchors() -> None:
    shared = {"a": 1}
    doc = {"x": shared, "y": shared}
    assert "&id001" in yamlout.dump(doc)
    assert yamlout.dump(doc) == yamlout._pyyaml(doc)
