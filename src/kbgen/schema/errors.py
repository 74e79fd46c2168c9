"""Turn pydantic's validation errors into located, plain-language problems."""
from __future__ import annotations

import difflib
import re
import types
import typing

from pydantic import BaseModel, ValidationError

from ..diagnostics.problems import Report, Severity
from ..read.yamlload import Loaded
from .types import SLUG_RE


def path_str(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def clean_loc(loc: tuple, data) -> tuple:
    """Keep only the parts of pydantic's loc that are real keys and indexes in
    the data (drops union member tags such as 'list[Step]' or 'str')."""
    out: list = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif i == len(loc) - 1 and isinstance(node, dict) and isinstance(part, str) and not _is_type_tag(part):
            out.append(part)  # a missing key: keep its name
    return tuple(out)


def _is_type_tag(part: str) -> bool:
    return "[" in part or part in ("str", "int", "float", "bool", "Step") or part[:1].isupper()


def _unwrap(tp):
    """The model class inside list[X] | None and the like, or None."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(tp):
            found = _unwrap(arg)
            if found:
                return found
        return None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    return None


def model_at(model: type[BaseModel], path: tuple) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in path:
        if current is None:
            return None
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) or next(
            (f for f in current.model_fields.values() if f.alias == part), None)
        if field is None:
            return None
        current = _unwrap(field.annotation)
    return current


def field_names(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def did_you_mean(word: str, candidates) -> str | None:
    close = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _suggest_slug(value) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-")
    return s or "my-page"


_TYPE_NAMES = {"string_type": "a string", "list_type": "a list", "int_type": "a whole number",
               "int_parsing": "a whole number", "bool_type": "true or false", "dict_type": "a mapping",
               "model_type": "a mapping", "model_attributes_type": "a mapping", "float_type": "a number"}


def _describe(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if value is None:
        return "nothing (null)"
    return f"{type(value).__name__} {value!r}"


# keys that decide whether a page is published, read in every front-matter flavour
MARKINGS = ("audience", "draft", "published")


def report_validation(exc: ValidationError, model: type[BaseModel], loaded: Loaded, rel: str,
                      report: Report, *, front_matter: bool = False, passthrough=frozenset()) -> None:
    for err in exc.errors():
        kind = err["type"]
        path = clean_loc(tuple(err["loc"]), loaded.data)
        where = path_str(path)
        name = path[-1] if path else ""
        value = err.get("input")
        if kind == "missing":
            report.error(rel, loaded.where(path[:-1]), "KB201",
                         f"missing required field '{where}'")
        elif kind == "extra_forbidden":
            pos = loaded.where(path, key=True)
            if front_matter and name in passthrough:
                continue
            parent = model_at(model, path[:-1])
            hint = _comma_in_braces(loaded.data, path, value) or did_you_mean(name, field_names(parent))
            known = {f.casefold(): f for f in (*field_names(parent), *MARKINGS)}
            if front_matter and str(name).strip().casefold() in known:
                # a marking kbgen reads, written so that it does not: never ignored (fail closed)
                report.error(rel, pos, "KB213", f"front matter key '{where}' is not '{known[str(name).strip().casefold()]}'"
                             " as kbgen reads it; the page is not published", f"write it '{known[str(name).strip().casefold()]}'")
            elif front_matter:
                report.warning(rel, pos, "KB210", f"unknown front matter key '{where}'",
                               hint or "kbgen ignores it; MkDocs and Material may use it")
            else:
                report.error(rel, pos, "KB202", f"unknown field '{where}'",
                             hint or f"known fields here: {', '.join(field_names(parent))}")
        elif kind == "string_pattern_mismatch":
            pattern = (err.get("ctx") or {}).get("pattern", "")
            if pattern == SLUG_RE:
                report.error(rel, loaded.where(path), "KB204",
                             f"'{value}' in '{where}' is not a valid id: use lower-case letters, digits and hyphens",
                             f"for example '{_suggest_slug(value)}'")
            elif "A-Za-z_:" in pattern:
                report.error(rel, loaded.where(path), "KB204",
                             f"'{value}' in '{where}' is not a valid alert name",
                             "alert names use letters, digits, '_' and ':' as in Prometheus (e.g. QuantumGatewayDown)")
            else:
                report.error(rel, loaded.where(path), "KB203",
                             f"'{value}' in '{where}' does not match the pattern {pattern}")
        elif kind == "literal_error":
            expected = (err.get("ctx") or {}).get("expected", "")
            code = {"audience": "KB206", "kind": "KB107"}.get(str(name), "KB208")
            hint = did_you_mean(value, re.findall(r"'([^']+)'", expected)) if isinstance(value, str) else None
            report.error(rel, loaded.where(path), code,
                         f"'{where}' is {_describe(value)}; expected {expected}", hint)
        elif kind == "value_error":
            msg = err["msg"].removeprefix("Value error, ")
            code = "KB205" if "date" in msg else ("KB207" if "duration" in msg else "KB208")
            report.error(rel, loaded.where(path), code, f"'{where}': {msg}")
        elif kind == "string_too_long":
            limit = (err.get("ctx") or {}).get("max_length")
            report.error(rel, loaded.where(path), "KB219",
                         f"'{where}' is {len(str(value))} characters long; the limit is {limit}",
                         "it becomes part of a file name or URL in the site; shorten it")
        elif kind in ("too_short",):
            report.error(rel, loaded.where(path), "KB201", f"'{where}' must have at least one entry")
        elif kind in _TYPE_NAMES:
            hint = None
            if kind == "string_type" and value is not None and not isinstance(value, (dict, list)):
                hint = "quote the value to make it text"
            elif kind == "list_type" and isinstance(value, str):
                hint = f"write it as a list: [{value}] or one '- item' per line"
            report.error(rel, loaded.where(path), "KB203",
                         f"'{where}' should be {_TYPE_NAMES[kind]}, not {_describe(value)}", hint)
        else:
            report.error(rel, loaded.where(path), "KB203", f"'{where}': {err['msg']}")


def _comma_in_braces(data, path: tuple, value) -> str | None:
    """`{id: P3, definition: Slow, with a workaround}`: in braces a comma ends
    the value, and YAML reads the rest as a key with no value. The hint says
    to quote it, with the words as they were meant."""
    name = path[-1] if path else None
    if value is not None or not isinstance(name, str) or " " not in name.strip():
        return None
    node = data
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    keys = list(node) if isinstance(node, dict) else []
    at = keys.index(name) if name in keys else 0
    if at == 0 or not isinstance(node[keys[at - 1]], str):
        return None
    before = keys[at - 1]
    return (f"inside {{...}} a comma ends a value: quote the text, "
            f"{before}: \"{node[before]}, {name.strip()}\"")


describe = _describe

__all__ = ["describe", "report_validation", "did_you_mean", "path_str", "Severity"]
