"""Writing a string literally into each output language aigen renders: one function per language, used at the point
where a value is interpolated. docs/security.md says which field kinds reach which of these.

Identifiers never need them (their patterns admit nothing special); free text always goes through them.
"""

from __future__ import annotations

import json
import re
import shlex

import yaml

_GO_TEMPLATE_OPEN = re.compile(r"\{(?=\{|$)")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()!|~])")  # what marks up text inside a paragraph
_HTML_AND_VARIABLES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "$": "&#36;"}
# libyaml's emitter (ten times faster: runbooks quote ~100 values each); "no line folding" is -1 there, inf in Python
_DUMPER, _NO_FOLDING = (yaml.CSafeDumper, -1) if hasattr(yaml, "CSafeDumper") else (yaml.SafeDumper, float("inf"))


def go_template_literal(text: str) -> str:
    """``text`` as Go text/template source that expands to ``text`` itself (Prometheus expands alert annotations and
    labels as Go templates).

    Only ``{{`` opens an action, so every ``{`` that starts one — followed by another ``{``, or last, where the
    caller's next fragment may begin with ``{`` — is written as the action ``{{ "{" }}``. ``}}`` outside an action
    is plain text. Checked against promtool's expansion in tests/hostile.
    """
    return _GO_TEMPLATE_OPEN.sub('{{ "{" }}', text)


def promql_string(value: str) -> str:
    """A PromQL double-quoted string literal of ``value``.

    PromQL unquotes strings with Go's escape rules; JSON's escapes (``\\"``, ``\\\\``, ``\\n``, ``\\uXXXX`` for
    control characters) are a subset of them, so the JSON encoding is a valid PromQL literal.
    """
    return json.dumps(value, ensure_ascii=False)


def yaml_scalar(value: object) -> str:
    """``value`` as one YAML double-quoted scalar, by PyYAML's emitter: it escapes what YAML cannot hold raw (control
    and bidi characters, NUL, line breaks), which ``json.dumps`` does not for YAML (U+0085, U+2028, surrogates)."""
    text = yaml.dump(str(value), Dumper=_DUMPER, default_style='"', width=_NO_FOLDING, allow_unicode=True)
    return text.removesuffix("\n")


def shell_word(value: object) -> str:
    """``value`` as one POSIX shell word (for runbook commands)."""
    return shlex.quote(str(value))


def markdown_literal(text: str) -> str:
    """``text`` as Markdown that Grafana's text panel shows as ``text`` itself.

    Grafana replaces ``$var`` and ``${var}`` in a text panel's content before rendering its Markdown, and has no
    escape for ``$``: the HTML entity ``&#36;`` survives the substitution and renders as ``$``. ``&``, ``<`` and ``>``
    become entities too (no raw HTML), and the punctuation that marks up a paragraph is backslash-escaped (no links,
    images, code or emphasis). Callers put the result after text of their own, never at the start of a line.
    """
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text)  # before the entities: their "#" is not punctuation to escape
    text = "".join(_HTML_AND_VARIABLES.get(char, char) for char in text)
    return " ".join(text.split())  # one paragraph: a newline could start a heading or a list
