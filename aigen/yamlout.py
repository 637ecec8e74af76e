"""Deterministic YAML output: key order as built, multi-line strings as literal blocks, no line folding.

The format is PyYAML's block style with list items indented under their key (``_Dumper``). PyYAML's pure-Python
emitter spends most of a render analysing scalars one by one (libyaml's emitter cannot indent list items under their
key, so it would change every file). ``dump`` therefore writes the block structure itself and asks PyYAML how to
write each *distinct* scalar once (cached): the bytes are PyYAML's, at a fraction of the cost. Anything outside the
plain dict/list/scalar shape this covers (shared objects that PyYAML would anchor, other types) goes through PyYAML
whole, so the output never depends on which path ran.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

_WIDTH = 4096
_SCALARS = (str, int, float, bool, type(None))


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key (the style kubectl and most rule files use).
        return super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        text = value if value.endswith("\n") else value + "\n"
        text = "\n".join(line.rstrip() for line in text.split("\n"))
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def _pyyaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=_WIDTH, default_flow_style=False)


class _Unsupported(Exception):
    """The data has a shape the direct writer does not reproduce; PyYAML writes the whole document."""


@lru_cache(maxsize=1 << 16)
def _key(kind: type, key: Any) -> str:
    """A mapping key as PyYAML writes it (``kind`` keeps 1, 1.0 and True apart in the cache)."""
    text = _pyyaml({key: 0})
    if not text.endswith(": 0\n") or "\n" in text[:-4] or text.startswith("?"):
        raise _Unsupported(f"complex key {key!r}")
    return text[:-4]


# Strings PyYAML writes plain in block context whenever they do not read back as another type: printable ASCII
# words joined by single spaces, starting with no indicator, and without ':' or '#' (which may start a mapping or a
# comment). Series values, label values and series selectors (``m{a="b", c="d"}``) are mostly of this kind.
_WORD = r"""[A-Za-z0-9_.+/\-{}",=()\[\]<>!*&|%@'?~^$;\\`]"""
_PLAIN = re.compile(rf"[A-Za-z0-9_/]{_WORD}*(?: {_WORD}+)*")
_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"
_UNICODE_BREAKS = re.compile("[\x85\u2028\u2029]")  # line breaks to YAML (indented by PyYAML), not to str.split


def _fold(text: str, column: int, indent: int) -> tuple[str, tuple[str, ...]]:
    """A plain scalar laid out as PyYAML's ``write_plain`` does: a space past the width becomes a line break.

    PyYAML breaks at a space once the line so far (from its start column) runs past the width; a plain scalar here
    has single spaces between non-empty words, so that space is the first one at or past ``width - start + 1``
    characters into the line, found with ``str.find`` instead of a walk over every word (promtool series values
    are lines of thousands of numbers)."""
    lines: list[str] = []
    start, col = 0, column
    while True:
        space = text.find(" ", start + max(0, _WIDTH - col + 1))
        if space < 0:
            lines.append(text[start:])
            break
        lines.append(text[start:space])
        start, col = space + 1, indent
    first, *rest = lines
    return first, tuple(" " * indent + more for more in rest)


@lru_cache(maxsize=1 << 16)
def _value(kind: type, value: Any) -> tuple[str, ...]:
    """A scalar as PyYAML writes it as a top-level mapping value: its first line, then any further lines."""
    lines = _pyyaml({"k": value, "z": 0})[2:].split("\n")[:-2]  # "z" keeps PyYAML from closing the document
    return (lines[0].removeprefix(" "), *lines[1:])


def _in_place(value: Any, column: int, parent: int) -> tuple[str, tuple[str, ...]]:
    """A (long) scalar laid out by PyYAML in the very position it takes: starting at ``column``, continuation lines
    under a parent at ``parent``. The scalar is wrapped in mappings (and a list for list items) to get there."""
    key = column - parent - 2
    if key >= 128 or (key < 1 and parent < 2):
        raise _Unsupported("no wrapper reproduces this position")
    data: Any = {"k" * key: value, "z": 0} if key >= 1 else {"k": [value], "z": 0}
    for _ in range(parent // 2 - (0 if key >= 1 else 1)):
        data = {"a": data}
    lines = _pyyaml(data).split("\n")[parent // 2:-2]
    return lines[0][column:], tuple(lines[1:])


def _scalar(value: Any, column: int, parent: int) -> tuple[str, tuple[str, ...]]:
    """A scalar starting at ``column`` (after its separating space), child of a key or dash at ``parent``: its first
    line and its further lines, already indented."""
    if (type(value) is str and _PLAIN.fullmatch(value)
            and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STR):
        return _fold(value, column, parent + 2)
    kind: type = type(value)  # as `type`: mypy wrongly takes type[Any] for unhashable in the lru_cache call
    first, *rest = _value(kind, value)
    if not rest and column + len(first) <= _WIDTH and (first.isascii() or not _UNICODE_BREAKS.search(first)):
        return first, ()
    if first.startswith("|"):  # literal blocks are never folded; their lines shift with the parent
        return first, tuple(" " * parent + line if line else line for line in rest)
    return _in_place(value, column, parent)


class _Writer:
    """Block-style emission of dicts, lists and scalars, each scalar written by (cached) PyYAML."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.seen: set[int] = set()

    def node_after(self, value: Any, indent: int, column: int) -> None:
        """``value`` in a mapping value or list item whose text starts at ``column``; its block children at
        ``indent`` (the parent's column + 2)."""
        kind = type(value)
        if kind is dict or kind is list:
            self._enter(value)
            if not value:
                self.out.append(" {}\n" if kind is dict else " []\n")
            elif kind is dict:
                self.out.append("\n")
                self.mapping(value, indent)
            else:
                self.out.append("\n")
                self.sequence(value, indent)
        elif kind in _SCALARS:
            first, rest = _scalar(value, column, indent - 2)
            self.out.append(" " + first + "\n")
            self.out.extend(line + "\n" for line in rest)
        else:
            raise _Unsupported(f"type {kind.__name__}")

    def mapping(self, data: dict, indent: int, inline: bool = False) -> None:
        pad = " " * indent
        for i, (key, value) in enumerate(data.items()):
            if type(key) not in _SCALARS:
                raise _Unsupported("non-scalar key")
            kind: type = type(key)  # as `type`: mypy wrongly takes type[Any] for unhashable in the lru_cache call
            text = _key(kind, key)
            self.out.append(text + ":" if inline and i == 0 else pad + text + ":")
            self.node_after(value, indent + 2, indent + len(text) + 2)

    def sequence(self, data: list, indent: int, inline: bool = False) -> None:
        pad = " " * indent
        for i, item in enumerate(data):
            self.out.append("-" if inline and i == 0 else pad + "-")
            kind = type(item)
            if (kind is dict or kind is list) and item:
                self._enter(item)
                self.out.append(" ")
                (self.mapping if kind is dict else self.sequence)(item, indent + 2, inline=True)
            else:
                self.node_after(item, indent + 2, indent + 2)

    def _enter(self, container: Any) -> None:
        """PyYAML anchors a container met twice (``&id001``); leave such documents to it."""
        if id(container) in self.seen:
            raise _Unsupported("shared container")
        self.seen.add(id(container))


def dump(data: Any) -> str:
    """``data`` as YAML, byte-identical to PyYAML with ``_Dumper`` (block style, list items indented, width 4096)."""
    if type(data) is not dict or not data:
        return _pyyaml(data)
    writer = _Writer()
    try:
        writer.mapping(data, 0)
    except _Unsupported:
        return _pyyaml(data)
    return "".join(writer.out)


def header(source: str, comment: str = "#") -> str:
    return (f"{comment} Generated by aigen from {source} — do not edit.\n"
            f"{comment} Change the spec (or the templates) and run `aigen render`.\n")
