"""A YAML loader that remembers where every value came from.

It walks the parser's event stream (libyaml's when available) with an
explicit stack instead of recursion, so a document nested thousands deep or
an alias bomb becomes a located problem instead of a crash or a hang.
Duplicate keys are caught here, where their positions are known.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (AliasEvent, DocumentStartEvent, MappingEndEvent, MappingStartEvent, ScalarEvent,
                         SequenceEndEvent, SequenceStartEvent)
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

try:  # libyaml: about ten times faster; the pure-Python parser is the fallback
    from yaml import CSafeLoader as _Parser
    LIBYAML = True
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]
    LIBYAML = False

MAX_DEPTH = 64          # deeper than any real KB file; stops stack-depth attacks
MAX_NODES = 200_000     # values after alias expansion; stops "billion laughs"

Path = tuple  # a path into the document: ("codes", 3, "code")
Pos = tuple   # (line, column), 1-based


@dataclass
class YamlError:
    line: int
    column: int
    code: str
    message: str
    hint: str | None = None


@dataclass
class Loaded:
    data: object = None
    pos: dict = field(default_factory=dict)      # path -> position of the value
    keypos: dict = field(default_factory=dict)   # path -> position of its key
    errors: list = field(default_factory=list)   # YamlError

    def where(self, path: Path, key: bool = False) -> Pos:
        """The position of a path, or of its nearest ancestor that has one."""
        path = tuple(path)
        table = self.keypos if key else self.pos
        while path:
            if path in table:
                return table[path]
            if key and path in self.pos:
                return self.pos[path]
            path = path[:-1]
        return self.pos.get((), (1, 1))


_resolver = Resolver()
_constructor = SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_CONSTRUCT = {
    "tag:yaml.org,2002:null": lambda n: None,
    "tag:yaml.org,2002:bool": _constructor.construct_yaml_bool,
    "tag:yaml.org,2002:int": _constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _constructor.construct_yaml_float,
    "tag:yaml.org,2002:timestamp": _constructor.construct_yaml_timestamp,
}


# First characters that can start a non-string plain scalar (bool, null, number,
# date); anything else is a string without asking the resolver (a hot path).
_SPECIAL_FIRST = frozenset(k for k in Resolver.yaml_implicit_resolvers if k is not None)


def _scalar(ev) -> object:
    tag = ev.tag
    if tag is None or tag == "!":
        value = ev.value
        if not ev.implicit[0] or (value and value[0] not in _SPECIAL_FIRST):
            return value
        tag = _resolver.resolve(ScalarNode, ev.value, ev.implicit)
    constructor = _CONSTRUCT.get(tag)
    if constructor is None:
        return ev.value  # str, or an unknown tag (!ENV, !!python/name) kept as text
    try:
        return constructor(ScalarNode(tag, ev.value, ev.start_mark, ev.end_mark))
    except (ValueError, TypeError, OverflowError, yaml.YAMLError):
        return ev.value  # e.g. 2025-13-01: left as a string for the schema to reject


def _size(value) -> int:
    if isinstance(value, dict):
        return 1 + sum(_size(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_size(v) for v in value)
    return 1


def _mark(m) -> Pos:
    return (m.line + 1, m.column + 1)


def load(text: str, line_offset: int = 0) -> Loaded:
    """Parse one YAML document. Never raises for bad input: errors are values."""
    out = Loaded()
    anchors: dict[str, tuple[object, int]] = {}
    # Each frame: [container, path, pending_key, pending_key_pos, anchor, nodes]
    stack: list[list] = []
    nodes = 0
    docs = 0
    root_set = False

    def shift(p: Pos) -> Pos:
        return (p[0] + line_offset, p[1])

    def attach(value, pos: Pos, anchor, size: int) -> bool:
        nonlocal root_set
        if anchor:
            anchors[anchor] = (value, size)
        if not stack:
            out.data = value
            out.pos[()] = pos
            root_set = True
            return True
        frame = stack[-1]
        container, path = frame[0], frame[1]
        if isinstance(container, list):
            child = path + (len(container),)
            container.append(value)
            out.pos[child] = pos
            return True
        if frame[2] is _NO_KEY:
            # this value is a key
            if isinstance(value, (dict, list)):
                out.errors.append(YamlError(*pos, "KB102", "a mapping key must be a plain value, not a list or mapping"))
                value = str(value)
            try:
                hash(value)
            except TypeError:  # pragma: no cover - scalars are hashable
                value = str(value)
            if value in container:
                first = out.keypos.get(path + (value,), pos)
                out.errors.append(YamlError(
                    *pos, "KB103", f"duplicate key '{value}' (first defined at line {first[0]})",
                    "remove one of the two: YAML keeps only the last, silently"))
            frame[2] = value
            frame[3] = pos
            return True
        key = frame[2]
        child = path + (key,)
        container[key] = value
        out.pos[child] = pos
        out.keypos[child] = frame[3]
        frame[2] = _NO_KEY
        return True

    pos_map, keypos = out.pos, out.keypos
    try:
        parser = _Parser(text)
        while True:
            ev = parser.get_event()
            if ev is None:
                break
            cls = type(ev)
            if cls is ScalarEvent:
                nodes += 1
                m = ev.start_mark
                pos = (m.line + 1 + line_offset, m.column + 1)
                value = ev.value
                if ev.tag is not None or (ev.implicit[0] and (not value or value[0] in _SPECIAL_FIRST)):
                    value = _scalar(ev)
                # Fast path (most events): a plain scalar going into a mapping or list.
                if stack and not ev.anchor:
                    frame = stack[-1]
                    container = frame[0]
                    if frame[7]:
                        key = frame[2]
                        if key is _NO_KEY:
                            if value not in container:
                                frame[2] = value
                                frame[3] = pos
                                continue
                        else:
                            child = frame[1] + (key,)
                            container[key] = value
                            pos_map[child] = pos
                            keypos[child] = frame[3]
                            frame[2] = _NO_KEY
                            continue
                    else:
                        pos_map[frame[1] + (len(container),)] = pos
                        container.append(value)
                        continue
                attach(value, pos, ev.anchor, 1)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                nodes += 1
                pos = shift(_mark(ev.start_mark))
                if len(stack) >= MAX_DEPTH:
                    out.errors.append(YamlError(*pos, "KB105",
                                                f"nesting deeper than {MAX_DEPTH} levels",
                                                "flatten the structure; no kbgen field nests this deep"))
                    return _fail(out)
                container = {} if cls is MappingStartEvent else []
                if stack and isinstance(stack[-1][0], dict) and stack[-1][2] is _NO_KEY:
                    # a collection used as a key: record it and keep going
                    path = stack[-1][1] + ("?",)
                else:
                    path = (stack[-1][1] + ((len(stack[-1][0]),) if isinstance(stack[-1][0], list) else (stack[-1][2],))) if stack else ()
                stack.append([container, path, _NO_KEY, None, ev.anchor, nodes, pos, cls is MappingStartEvent])
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                frame = stack.pop()
                size = nodes - frame[5] + 1
                attach(frame[0], frame[6], frame[4], size)
            elif cls is AliasEvent:
                pos = shift(_mark(ev.start_mark))
                if ev.anchor not in anchors:
                    out.errors.append(YamlError(*pos, "KB102", f"unknown alias '*{ev.anchor}'"))
                    return _fail(out)
                value, size = anchors[ev.anchor]
                nodes += size
                if nodes > MAX_NODES:
                    out.errors.append(YamlError(*pos, "KB105",
                                                f"document expands to more than {MAX_NODES} values through aliases",
                                                "an alias bomb, or a file far larger than a KB file should be"))
                    return _fail(out)
                attach(value, pos, None, size)
            elif cls is DocumentStartEvent:
                docs += 1
                if docs > 1:
                    pos = shift(_mark(ev.start_mark))
                    out.errors.append(YamlError(*pos, "KB104", "more than one YAML document in the file",
                                                "keep one document per file; remove the extra '---'"))
                    return _fail(out)
            if nodes > MAX_NODES:
                out.errors.append(YamlError(*shift(_mark(ev.start_mark)), "KB105",
                                            f"more than {MAX_NODES} values in one file"))
                return _fail(out)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (_mark(mark) if mark else (1, 1))
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}: {problem}" if "found" in problem else f"{problem} ({exc.context})"
        hint = None
        lines = text.splitlines()
        if mark and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
            hint = "YAML indentation must use spaces, not tabs"
        out.errors.append(YamlError(line + line_offset, col, "KB102", f"YAML syntax error: {problem}", hint))
        return _fail(out)
    except yaml.YAMLError as exc:  # reader errors: control characters and the like
        offset = getattr(exc, "position", 0) or 0
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        reason = getattr(exc, "reason", None) or "unreadable text"
        char = getattr(exc, "character", None)
        what = (f"character U+{char:04X} is not allowed in YAML ({reason})" if isinstance(char, int) else f"character {char!r} is not allowed in YAML ({reason})") if char is not None else reason
        out.errors.append(YamlError(line + line_offset, col, "KB102", what,
                                    "remove the control character; YAML allows only printable text"))
        return _fail(out)
    if not root_set:
        out.data = None
    return out


class _NoKey:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<no key>"


_NO_KEY = _NoKey()


def _fail(out: Loaded) -> Loaded:
    out.data = None
    return out


def load_plain(text: str):
    """For config files that may carry tags (!ENV, !!python/name): values only."""
    result = load(text)
    if result.errors:
        err = result.errors[0]
        raise ValueError(f"{err.line}:{err.column}: {err.message}")
    return result.data
