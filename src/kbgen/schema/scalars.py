"""Scalars typed by the schema, not by YAML 1.1's resolvers.

YAML 1.1 (PyYAML, MkDocs) reads `code: 01000` as the octal number 512, `on`
as true and `1:30` as 90; YAML 1.2 readers take `1e3` as 1000. Where a
field is text (ids, codes, aliases, priorities, tags, versions, durations),
kbgen takes the scalar exactly as written (the loader keeps that text in
`Loaded.plain`), and warns where another YAML reader of the same file would
read something else, so the writer can quote it.
"""
from __future__ import annotations

import re
import types
import typing
from functools import lru_cache

from pydantic import BaseModel

from ..diagnostics.problems import Report
from ..read.yamlload import Loaded
from ..text.durations import Duration

_ITEM = object()  # a list index in a schema path
# Written like this, every YAML reader gets the same number and the same text.
_SAME_EVERYWHERE = re.compile(r"-?(?:0|[1-9][0-9]*)")
_TEXT_TYPES = (str, Duration)


def _members(tp) -> list:
    """The alternatives of a type, without Annotated wrappers and None."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _members(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        out = []
        for arg in typing.get_args(tp):
            out.extend(_members(arg))
        return out
    return [] if tp is type(None) else [tp]


def _step(tp, part):
    """The type found one step down a schema path, or None."""
    for member in _members(tp):
        origin = typing.get_origin(member)
        if part is _ITEM and origin is list:
            return typing.get_args(member)[0]
        if part is not _ITEM and isinstance(member, type) and issubclass(member, BaseModel):
            fields = member.model_fields
            f = fields.get(part) or next((f for f in fields.values() if f.alias == part), None)
            if f is not None:
                return f.annotation
    return None


def _is_text(tp) -> bool:
    for member in _members(tp):
        if member in _TEXT_TYPES:
            return True
        if typing.get_origin(member) is typing.Literal and all(isinstance(a, str) for a in typing.get_args(member)):
            return True
        if isinstance(member, type) and getattr(member, "from_text", False):
            return True  # a model that also takes a plain string (a step)
    return False


@lru_cache(maxsize=4096)
def text_field(model: type, path: tuple) -> bool:
    """Whether the schema reads the value at path (list indexes as _ITEM) as text."""
    tp = model
    for part in path:
        tp = _step(tp, part)
        if tp is None:
            return False
    return _is_text(tp)


def _reading(raw: str, value) -> str | None:
    """What another YAML reader makes of raw, when that is not the text; else None."""
    if isinstance(value, str):  # text in YAML 1.1, a number in YAML 1.2 (1e3, 0o17)
        return "YAML 1.2 readers (Go, JavaScript, Rust tools) read a number"
    if isinstance(value, int) and not isinstance(value, bool) and _SAME_EVERYWHERE.fullmatch(raw):
        return None
    if isinstance(value, float) and repr(value) == raw:
        return None
    if isinstance(value, bool):
        what = f"the boolean {str(value).lower()}"
    elif isinstance(value, (int, float)):
        what = f"the number {value!r}"
    else:
        what = f"the {type(value).__name__} {value}"
    return f"YAML 1.1 readers (PyYAML, MkDocs) read {what}"


def _get(data, path):
    for part in path:
        data = data[part]
    return data


def as_written(model: type[BaseModel], loaded: Loaded, base: tuple = (),
               skip=frozenset()) -> list[tuple[tuple, str, str]]:
    """Put back the text as written wherever `model` reads text, in place.
    Returns (path, text, what another reader makes of it) for each value
    that a YAML 1.1 or 1.2 reader would read as something else.
    base: where the model's data sits in the document; skip: top-level keys
    that are not the model's (passed through untouched)."""
    risky = []
    n = len(base)
    for path, raw in loaded.plain.items():
        if path[:n] != base or len(path) == n or path[n] in skip:
            continue
        inner = path[n:]
        if not text_field(model, tuple(_ITEM if isinstance(p, int) else p for p in inner)):
            continue
        try:
            parent = _get(loaded.data, path[:-1])
            value = parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(value, (dict, list)):
            continue
        what = _reading(raw, value)
        parent[path[-1]] = raw
        if what:
            risky.append((path, raw, what))
    return risky


def report_as_written(model: type[BaseModel], loaded: Loaded, rel: str, report: Report, base: tuple = (),
                      skip=frozenset()) -> None:
    """as_written, with a located KB111 warning for each value to quote."""
    if not loaded.plain or not isinstance(loaded.data, dict):
        return
    for path, raw, what in as_written(model, loaded, base, skip):
        report.warning(rel, loaded.where(path), "KB111",
                       f"unquoted '{raw}': kbgen reads the text '{raw}'; {what}",
                       f"quote it (\"{raw}\") so every tool reads the same text")
