"""Reading YAML the way a linter needs it: every node keeps its line and column, every failure is a Problem.

Nothing here raises anything but InputError (bad content) or UsageError (cannot read the file).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

import yaml

from aigen.errors import InputError, Problem, UsageError

MAX_BYTES = 1024 * 1024
"""A spec is a page of YAML; anything over 1 MiB is a mistake (a log, a data set), not a spec."""
MAX_DEPTH = 64
"""Collections nested deeper than this are refused before any tree is built: a spec nests about 5 deep, and
recursive builders (ruamel's composer, libyaml's constructor, pydantic) must never meet 10,000 levels."""
MAX_NODES = 100_000
"""Nodes a document may hold once every alias is expanded at its anchor's size: "billion laughs" is 90 aliases in
a few hundred bytes that expand to 10^9 nodes when the tree is copied (to_plain, pydantic, json)."""


@dataclass(frozen=True)
class Document:
    """One parsed YAML document: its data and where it came from.

    ``data`` is ruamel's Commented* tree (which knows every node's position) or, from the fast path, plain dicts
    and lists; ``locate`` works on both, parsing the text with ruamel only when a position is first asked for.
    """

    path: str
    data: Any
    text: str
    index: int = 0

    @cached_property
    def tree(self) -> Any:
        """ruamel's tree when the data came from it, else libyaml's node graph of the same text: every node carries
        its start mark, composed in C (a refused spec is located in milliseconds, even with 100k-character values,
        where ruamel's pure-Python scanner took a fifth of a second)."""
        if hasattr(self.data, "lc"):  # already ruamel's tree
            return self.data
        docs = [d for d in yaml.compose_all(self.text, Loader=_StrictLoader) if d.tag != "tag:yaml.org,2002:null"]
        return docs[self.index] if self.index < len(docs) else None

    def locate(self, loc: tuple[Any, ...], want_key: bool = False) -> tuple[int, int]:
        """1-based (line, col) of the node at ``loc``; see the module-level ``locate``."""
        if isinstance(self.tree, yaml.Node):
            return _locate_node(self.tree, loc, want_key)
        return locate(self.tree, loc, want_key)


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's parser with YAML 1.2 core-schema scalars (what ruamel reads) and duplicate keys refused.

    YAML 1.1, PyYAML's default, reads yes/no/on/off as booleans, 1:30 as 90 and 0777 as octal; ruamel (YAML 1.2)
    reads them as strings and decimals. Only the 1.2 forms are resolved here; anything else stays a string, as it
    would in ruamel (leading-zero integers aside, which no spec field takes).
    """

    yaml_implicit_resolvers: ClassVar[dict] = {}  # this loader's own table, not PyYAML's shared one

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        hashable = [k for k in keys if isinstance(k, (str, int, float, bool)) or k is None]
        if len(set(hashable)) != len(hashable):
            raise yaml.constructor.ConstructorError(None, None, "duplicate key", node.start_mark)
        return super().construct_mapping(node, deep=deep)


for _tag, _pattern, _first in (
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^(?:[-+]?(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+)$", "-+0123456789"),
    ("float", r"^(?:[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)"
              r"|\.(?:nan|NaN|NAN))$", "-+.0123456789"),
    ("timestamp", r"^(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}"
                  r":[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$", "0123456789"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
):
    _StrictLoader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first))


def check_shape(text: str, shown: str) -> None:
    """Refuse a document nested deeper than MAX_DEPTH or expanding to more than MAX_NODES nodes, located at the event
    that crosses the limit.

    Runs on libyaml's event stream, which holds one frame per open collection and no tree: bounded in time and
    memory whatever the input. Malformed YAML is left for the parser, whose message is better.
    """
    sizes: dict[str, int] = {}  # anchor -> nodes it expands to
    open_: list[tuple[str | None, int]] = []  # per open collection: its anchor, nodes so far
    total = 0
    try:
        for event in yaml.parse(text, Loader=_StrictLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                if len(open_) >= MAX_DEPTH:
                    raise _shape_error(shown, event, f"nested more than {MAX_DEPTH} levels deep")
                open_.append((event.anchor, 1))
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                anchor, size = open_.pop()
            elif isinstance(event, yaml.AliasEvent):
                anchor, size = None, sizes.get(event.anchor, 1)
            elif isinstance(event, yaml.ScalarEvent):
                anchor, size = event.anchor, 1
            else:
                continue
            if anchor is not None:
                sizes[anchor] = size
            total += size
            if total > MAX_NODES:
                raise _shape_error(shown, event, f"expands to more than {MAX_NODES:,} nodes (aliases counted in full)")
            if open_:
                open_[-1] = (open_[-1][0], open_[-1][1] + size)
    except yaml.MarkedYAMLError as exc:
        # libyaml's scanner stops flow collections ([[[...) at 1,000 levels before the parser sees them
        if exc.problem_mark is not None and "nesting depth" in (exc.problem or ""):
            raise _shape_error(shown, exc.problem_mark, f"nested more than {MAX_DEPTH} levels deep") from None
    except yaml.YAMLError:
        return


def _shape_error(shown: str, at: yaml.Event | yaml.Mark, what: str) -> InputError:
    mark = at.start_mark if isinstance(at, yaml.Event) else at
    return InputError([Problem(shown, mark.line + 1, mark.column + 1, f"invalid YAML: {what}; a spec is a few "
                                                                      f"levels of plain keys and lists")])


def fast_mapping(text: str, shown: str) -> Document | None:
    """One plain mapping parsed by libyaml, or None when anything is unusual (the caller then takes the slow,
    located path). ruamel is pure Python: on a spec and a taxonomy it was a tenth of the pre-commit budget."""
    try:
        docs = [d for d in yaml.load_all(text, Loader=_StrictLoader) if d is not None]
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return None
    if len(docs) != 1 or not isinstance(docs[0], dict):
        return None
    return Document(shown, docs[0], text, 0)


def read_text(path: Path, display: str | None = None, max_bytes: int = MAX_BYTES) -> str:
    """The file as UTF-8 text, or an InputError that says why not (too large, binary, not UTF-8)."""
    shown = display or str(path)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # read_bytes says why the file cannot be read
    if size > max_bytes:
        raise InputError([Problem(shown, 0, 0, f"file is {size / 1e6:.1f} MB; aigen reads YAML files of at most "
                                               f"{max_bytes // 1024} KiB — is this the right file?")])
    return decode(read_bytes(path, shown), shown)


def read_bytes(path: Path, shown: str, expected: str = "a file") -> bytes:
    """The file's bytes, or a UsageError (exit 2) that says why it cannot be read."""
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise UsageError(f"{shown}: is a directory, expected {expected}") from None
    except FileNotFoundError:
        raise UsageError(f"{shown}: no such file") from None
    except PermissionError:
        raise UsageError(f"{shown}: permission denied") from None
    except OSError as exc:
        raise UsageError(f"{shown}: cannot read: {exc.strerror}") from None


def decode(raw: bytes, shown: str) -> str:
    if b"\x00" in raw:
        line, col = _position(raw, raw.index(b"\x00"))
        raise InputError([Problem(shown, line, col, "binary data (a NUL byte), not a YAML text file")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(raw, exc.start)
        raise InputError([Problem(shown, line, col, "not UTF-8 text: YAML files must be UTF-8 encoded")]) from None
    return text.removeprefix("\ufeff")


def _position(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1


def _yaml() -> Any:
    # imported here: valid specs and taxonomies take the libyaml path and never need ruamel (pre-commit speed)
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    return yaml


def _ruamel_error() -> type[Exception]:
    from ruamel.yaml.error import YAMLError

    return YAMLError


def _yaml_problem(shown: str, exc: Exception) -> Problem:
    from ruamel.yaml.error import MarkedYAMLError

    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(part for part in (exc.context, exc.problem) if part) or str(exc)
        if "'\\t'" in message:
            message += " (YAML does not allow tabs for indentation; use spaces)"
        if mark is not None:
            return Problem(shown, mark.line + 1, mark.column + 1, f"invalid YAML: {message}")
        return Problem(shown, 0, 0, f"invalid YAML: {message}")
    return Problem(shown, 0, 0, f"invalid YAML: {exc}")


def parse_documents(text: str, shown: str) -> list[Document]:
    """Every document in a (possibly multi-document) YAML stream; empty documents are dropped."""
    check_shape(text, shown)
    try:
        docs = [d for d in _yaml().load_all(io.StringIO(text))]
    except _ruamel_error() as exc:
        raise InputError([_yaml_problem(shown, exc)]) from None
    except RecursionError:
        raise InputError([Problem(shown, 0, 0, "invalid YAML: nested too deeply")]) from None
    return [Document(shown, d, text, i) for i, d in enumerate(docs) if d is not None]


def load_mapping(path: Path, display: str | None = None, what: str = "document", fast: bool = False) -> Document:
    """A file holding exactly one YAML mapping (a spec, a taxonomy, a runbook).

    With ``fast``, a well-formed file is parsed by libyaml into plain data (positions computed on demand); a file
    libyaml or the strict rules refuse goes through ruamel, whose error says where.
    """
    shown = display or str(path)
    text = read_text(path, shown)
    if fast and text.strip():
        check_shape(text, shown)
        doc = fast_mapping(text, shown)
        if doc is not None:
            return doc
    return parse_mapping(text, shown, what)


def parse_mapping(text: str, shown: str, what: str = "document") -> Document:
    if not text.strip():
        raise InputError([Problem(shown, 0, 0, f"file is empty; expected a {what} (a YAML mapping)")])
    docs = parse_documents(text, shown)
    if not docs:
        raise InputError([Problem(shown, 1, 1, f"file holds no YAML content; expected a {what} (a YAML mapping)")])
    if len(docs) > 1:
        line, col = _node_start(docs[1].data)
        raise InputError([Problem(shown, line, col, f"one {what} per file; found a second YAML document here")])
    doc = docs[0]
    if not isinstance(doc.data, dict):
        line, col = _node_start(doc.data)
        kind = type_name(doc.data)
        raise InputError([Problem(shown, line, col,
                                  f"expected a {what} (a YAML mapping) at the top level, got {kind}")])
    return doc


def type_name(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "null"
    return "a string"


def _node_start(node: Any) -> tuple[int, int]:
    lc = getattr(node, "lc", None)
    if lc is not None and lc.line is not None:
        return lc.line + 1, lc.col + 1
    return 1, 1


def locate(root: Any, loc: tuple[Any, ...], want_key: bool = False) -> tuple[int, int]:
    """1-based (line, col) of the node at ``loc`` (keys and indexes, as pydantic reports them).

    When the path runs out of real nodes (a missing key), the position of the deepest node found is returned.
    With ``want_key`` the position of the final mapping key is returned rather than its value.
    """
    node = root
    line, col = _node_start(root)
    for i, step in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, dict) and hasattr(node, "lc") and step in node:
            key_line, key_col = node.lc.key(step)
            val_line, val_col = node.lc.value(step)
            child = node[step]
            if last and want_key:
                return key_line + 1, key_col + 1
            if hasattr(child, "lc") and isinstance(child, (dict, list)) and not last:
                line, col = key_line + 1, key_col + 1
            else:
                line, col = val_line + 1, val_col + 1
            node = child
        elif isinstance(node, list) and hasattr(node, "lc") and isinstance(step, int) and 0 <= step < len(node):
            item_line, item_col = node.lc.item(step)
            line, col = item_line + 1, item_col + 1
            node = node[step]
        else:
            break
    return line, col


def _locate_node(node: yaml.Node, loc: tuple[Any, ...], want_key: bool) -> tuple[int, int]:
    """``locate`` on libyaml's node graph: the same positions, read from each node's start mark."""
    mark = node.start_mark
    for i, step in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, yaml.MappingNode):
            pairs = ((k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == str(step))
            pair = next(pairs, None)
            if pair is None:
                break
            key, child = pair
            if last and want_key:
                return key.start_mark.line + 1, key.start_mark.column + 1
            mark = key.start_mark if isinstance(child, yaml.CollectionNode) and not last else child.start_mark
            node = child
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node = node.value[step]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1


def walk_keys(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every (path, node) pair in a parsed tree, depth first, in file order."""
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk_keys(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk_keys(value, (*path, index))


def to_plain(node: Any) -> Any:
    """ruamel's Commented* containers as plain dicts and lists (for pydantic and JSON)."""
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, str) else k: to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    if hasattr(node, "__float__") and type(node).__name__ == "ScalarFloat":
        return float(node)
    if type(node).__name__ in ("ScalarBoolean",):
        return bool(node)
    if isinstance(node, int) and not isinstance(node, bool) and type(node) is not int:
        return int(node)
    if isinstance(node, str) and type(node) is not str:
        return str(node)
    return node
