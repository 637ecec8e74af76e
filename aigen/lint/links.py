"""From a runbook_url to the runbook file it means.

Generated setups: ``{runbook_base_url}/{model}/runbooks/{type}.yaml`` maps to ``generated/{model}/runbooks/{type}.yaml``
on disk. Hand-written setups use any URL: the runbook whose file path shares the longest tail with the URL's path
wins (``.../ai-incidents/performance-degradation`` matches ``runbook-performance-degradation.yaml``).
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from aigen.lint.model import Runbook

_AFFIX = re.compile(r"^(runbooks?[-_])|([-_]runbooks?)$")
_SUFFIX = re.compile(r"\.(ya?ml|md|html?)$")


def _norm(segment: str) -> str:
    return _AFFIX.sub("", _SUFFIX.sub("", segment.lower())).replace("_", "-")


def _tail_score(url_parts: list[str], file_parts: list[str]) -> int:
    if not url_parts or not file_parts or _norm(url_parts[-1]) != _norm(file_parts[-1]):
        return 0
    score = 1
    for a, b in zip(reversed(url_parts[:-1]), reversed(file_parts[:-1]), strict=False):  # the common suffix
        if a != b:
            break
        score += 1
    return score


def resolve(ctx, url: str) -> Runbook | None:
    """The runbook ``url`` points at, or None (also for templated URLs, which name no single file)."""
    if "{{" in url:
        return None
    exact = ctx.runbook_file(url)
    if exact is not None:
        return exact
    parts = [p for p in urlparse(url).path.split("/") if p]
    best, best_score = None, 0
    for runbook in ctx.runbooks:
        score = _tail_score(parts, runbook.path.replace("\\", "/").split("/"))
        if score > best_score:
            best, best_score = runbook, score
    return best
