"""Turn pydantic validation errors into located Problems (with a did-you-mean for unknown keys)."""

from __future__ import annotations

import difflib
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from aigen.errors import Problem
from aigen.spec import ALLOWED_FORM, REMOVED_KEYS
from aigen.yamlio import Document, to_plain

M = TypeVar("M", bound=BaseModel)


def _allowed_keys(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names allowed at the mapping that holds ``loc``'s last key, found by walking the model's fields."""
    current: Any = model
    for step in loc[:-1]:
        current = _unwrap_optional(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(step)
            if field is None:
                return []
            current = field.annotation
        else:  # a container: list[X] (step is an index) or dict[str, X] (step is a key)
            args = getattr(current, "__args__", ())
            if not args:
                return []
            current = args[-1]
    current = _unwrap_optional(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _unwrap_optional(annotation: Any) -> Any:
    args = [a for a in getattr(annotation, "__args__", ()) if a is not type(None)]
    if type(None) in getattr(annotation, "__args__", ()) and len(args) == 1:
        return args[0]
    return annotation


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    # pydantic adds pseudo-steps for unions and function validators ("function-after[...]", "str", ...)
    return tuple(step for step in loc if isinstance(step, int) or not (isinstance(step, str) and "[" in step))


def pattern_message(pattern: str) -> str:
    """The allowed form of an identifier, without echoing the value: a refused value may be 100k characters of
    terminal escapes, and the located position already shows it."""
    form = ALLOWED_FORM.get(pattern)
    return f"must match {pattern}" + (f" ({form})" if form else "")


def problems_from(error: ValidationError, doc: Document, model: type[BaseModel]) -> list[Problem]:
    out: list[Problem] = []
    for item in error.errors(include_url=False):
        loc = _clean_loc(tuple(item["loc"]))
        kind = item["type"]
        if kind == "extra_forbidden":
            line, col = doc.locate(loc, want_key=True)
            key = str(loc[-1]) if loc else "?"
            allowed = _allowed_keys(model, loc)
            hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            message = f"unknown key '{key}'"
            if key in REMOVED_KEYS:
                message = f"'{key}' {REMOVED_KEYS[key]}"
            elif hint:
                message += f"; did you mean '{hint[0]}'?"
            elif allowed:
                message += f" (allowed here: {', '.join(sorted(allowed))})"
        elif kind == "missing":
            line, col = doc.locate(loc[:-1], want_key=True)
            message = f"missing required key '{loc[-1]}'"
        else:
            line, col = doc.locate(loc, want_key="[key]" in item["loc"])  # a mapping key refused by its pattern
            message = item["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
            if kind == "string_pattern_mismatch":
                message = pattern_message(item["ctx"]["pattern"])
            elif kind == "string_type" and isinstance(item.get("input"), (int, float)) and not isinstance(
                item.get("input"), bool
            ):
                message += f" (quote it: \"{item['input']}\")"
        where = ".".join(str(s) for s in loc)
        out.append(Problem(doc.path, line, col, f"{where}: {message}" if where else message))
    return sorted(set(out))


def validate_document(doc: Document, model: type[M],
                      context: dict[str, Any] | None = None) -> tuple[M | None, list[Problem]]:
    try:
        return model.model_validate(to_plain(doc.data), context=context), []
    except ValidationError as exc:
        return None, problems_from(exc, doc, model)
