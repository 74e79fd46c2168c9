"""A YAML loader that remembers where every value came from, and how it was written.

It walks the parser's event stream (libyaml's when available) with an
explicit stack instead of recursion, so a document nested thousands deep or
an alias bomb becomes a located problem instead of a crash or a hang.
Duplicate keys are caught here, where their positions are known.

Values are typed as PyYAML (YAML 1.1) types them, since mkdocs.yml and
other tools' files are read that way; but every unquoted scalar whose type
depends on the reader (`01000`, `on`, `1:30`, `0x1F`, `1e3`) also keeps its
text as written in `Loaded.plain`, so the schema can take the text where a
field is text (kbgen.schema.scalars). Explicit tags (`!ENV`, `!relative`)
are kept in `Loaded.tags` for the config reader.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

try:  # libyaml: about ten times faster; the pure-Python parser is the fallback
    from yaml import CSafeLoader as _Parser
    LIBYAML = True
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Parser  # type: ignore[assignment,unused-ignore]
    LIBYAML = False

MAX_DEPTH = 64          # deeper than any real KB file; stops stack-depth attacks
_FLATTEN = "flatten the structure; no kbgen field nests this deep"
MAX_NODES = 200_000     # values after alias expansion; stops "billion laughs"
MAX_ALIAS_CHARS = 1024 * 1024  # text aliases may add: one long string repeated is a bomb of few values

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
    plain: dict = field(default_factory=dict)    # path -> text of an unquoted scalar some reader types
    tags: dict = field(default_factory=dict)     # path -> an explicit non-core tag (!ENV, !relative ...)
    duplicates: set = field(default_factory=set)  # paths of keys given twice in their mapping (KB103)

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
_CORE = "tag:yaml.org,2002:"
_CONSTRUCT = {
    _CORE + "null": lambda n: None,
    _CORE + "bool": _constructor.construct_yaml_bool,
    _CORE + "int": _constructor.construct_yaml_int,
    _CORE + "float": _constructor.construct_yaml_float,
    _CORE + "timestamp": _constructor.construct_yaml_timestamp,
}

# First characters that can start a non-string plain scalar (bool, null, number,
# date); anything else is a string without asking the resolver (a hot path).
_SPECIAL_FIRST = frozenset(k for k in Resolver.yaml_implicit_resolvers if k is not None)
# YAML 1.2 core schema numbers that YAML 1.1 reads as text (1e3, 0o17, .5e1):
# another tool (Go, JavaScript, Rust) reads them as numbers.
_CORE12_NUMBER = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+")
_NUMBER_FIRST = frozenset("0123456789+-.")


def _typed(text: str, implicit) -> object:
    """A plain scalar as PyYAML's SafeLoader types it (YAML 1.1)."""
    tag = _resolver.resolve(ScalarNode, text, implicit)
    constructor = _CONSTRUCT.get(tag)
    if constructor is None:
        return text
    try:
        return constructor(ScalarNode(tag, text))
    except (ValueError, TypeError, OverflowError, yaml.YAMLError):
        return text  # e.g. 2025-13-01: left as a string for the schema to reject


def _tagged(ev) -> object:
    """A scalar with an explicit tag: core tags are honoured, others (!ENV,
    !!python/name) are kept as text and recorded for the config reader."""
    tag = ev.tag
    if tag == "!":
        return ev.value
    if tag == _CORE + "str":
        return ev.value
    constructor = _CONSTRUCT.get(tag)
    if constructor is None:
        return ev.value
    try:
        return constructor(ScalarNode(tag, ev.value, ev.start_mark, ev.end_mark))
    except (ValueError, TypeError, OverflowError, yaml.YAMLError):
        return ev.value


def _custom_tag(tag) -> bool:
    # `!!python/name:x` spells out as a core-prefixed tag, but no YAML reader types it: kept for the config reader
    return tag is not None and tag != "!" and (not tag.startswith(_CORE) or tag.startswith(_CORE + "python/"))


def _mark(m) -> Pos:
    return (m.line + 1, m.column + 1)


class _NoKey:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<no key>"


_NO_KEY = _NoKey()


class _Frame:
    """An open mapping or sequence: where it is, and the key waiting for its value."""
    __slots__ = ("container", "path", "is_map", "key", "keypos", "anchor", "start_nodes", "pos", "start_chars")

    def __init__(self, container, path: Path, is_map: bool, anchor, start_nodes: int, pos: Pos, start_chars: int = 0):
        self.container = container
        self.path = path
        self.is_map = is_map
        self.key = _NO_KEY
        self.keypos: Pos | None = None
        self.anchor = anchor
        self.start_nodes = start_nodes
        self.pos = pos
        self.start_chars = start_chars

    def child_path(self) -> Path:
        return self.path + ((self.key,) if self.is_map else (len(self.container),))


class _Stop(Exception):
    """A limit was hit: the document is abandoned (its error is already recorded)."""


class _State:
    """The parser's state for one document: the open collections, anchors,
    and the node count that stops alias bombs."""

    def __init__(self, out: Loaded, line_offset: int):
        self.out = out
        self.line_offset = line_offset
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[object, int, int]] = {}
        self.nodes = 0
        self.chars = 0        # text of the values read so far (scalars)
        self.alias_chars = 0  # of which added by aliases
        self.docs = 0

    def at(self, mark) -> Pos:
        return (mark.line + 1 + self.line_offset, mark.column + 1)

    def fail(self, pos: Pos, code: str, message: str, hint: str | None = None):
        self.out.errors.append(YamlError(pos[0], pos[1], code, message, hint))
        raise _Stop

    def attach(self, value, pos: Pos, anchor, size: int, raw=None, tag=None, chars: int = 0) -> None:
        """Put a finished value where it belongs: the root, a list, a key, or a key's value."""
        out = self.out
        if anchor:
            self.anchors[anchor] = (value, size, chars)
        if not self.stack:
            out.data = value
            out.pos[()] = pos
            if raw is not None:
                out.plain[()] = raw
            if tag is not None:
                out.tags[()] = tag
            return
        frame = self.stack[-1]
        container = frame.container
        if not frame.is_map:
            child = frame.path + (len(container),)
            container.append(value)
        elif frame.key is _NO_KEY:
            self.set_key(frame, value, pos)
            return
        else:
            child = frame.path + (frame.key,)
            container[frame.key] = value
            out.keypos[child] = frame.keypos
            frame.key = _NO_KEY
        out.pos[child] = pos
        if raw is not None:
            out.plain[child] = raw
        if tag is not None:
            out.tags[child] = tag

    def set_key(self, frame: _Frame, value, pos: Pos) -> None:
        if isinstance(value, (dict, list)):
            self.out.errors.append(YamlError(pos[0], pos[1], "KB102", "a mapping key must be a plain value, not a list or mapping"))
            value = str(value)
        if value in frame.container:
            self.out.duplicates.add(frame.path + (value,))
            first = self.out.keypos.get(frame.path + (value,), pos)
            self.out.errors.append(YamlError(
                pos[0], pos[1], "KB103", f"duplicate key '{value}' (first defined at line {first[0]})",
                "remove one of the two: YAML keeps only the last, silently"))
        frame.key = value
        frame.keypos = pos

    def open(self, ev, is_map: bool) -> None:
        self.nodes += 1
        pos = self.at(ev.start_mark)
        stack = self.stack
        if len(stack) >= MAX_DEPTH:
            self.fail(pos, "KB105", f"nesting deeper than {MAX_DEPTH} levels", _FLATTEN)
        if not stack:
            path: Path = ()
        elif stack[-1].is_map and stack[-1].key is _NO_KEY:
            path = stack[-1].path + ("?",)  # a collection used as a key: reported when it closes
        else:
            path = stack[-1].child_path()
        if _custom_tag(ev.tag):
            self.out.tags[path] = ev.tag
        stack.append(_Frame({} if is_map else [], path, is_map, ev.anchor, self.nodes, pos, self.chars))

    def close(self) -> None:
        frame = self.stack.pop()
        self.attach(frame.container, frame.pos, frame.anchor, self.nodes - frame.start_nodes + 1,
                    chars=self.chars - frame.start_chars)

    def alias(self, ev) -> None:
        pos = self.at(ev.start_mark)
        if ev.anchor not in self.anchors:
            self.fail(pos, "KB102", f"unknown alias '*{ev.anchor}'")
        value, size, chars = self.anchors[ev.anchor]
        self.nodes += size
        if self.nodes > MAX_NODES:
            self.fail(pos, "KB105", f"document expands to more than {MAX_NODES} values through aliases",
                      "an alias bomb, or a file far larger than a KB file should be")
        # the size a page made from it will have: each alias repeats its anchor's whole text
        self.chars += chars
        self.alias_chars += chars
        if self.alias_chars > MAX_ALIAS_CHARS:
            self.fail(pos, "KB105", f"aliases expand the document by more than {MAX_ALIAS_CHARS:,} characters",
                      "an alias bomb: repeat the text with fewer aliases, or write it once and refer to it")
        self.attach(value, pos, None, size, chars=chars)

    def document(self, ev) -> None:
        self.docs += 1
        if self.docs > 1:
            self.fail(self.at(ev.start_mark), "KB104", "more than one YAML document in the file",
                      "keep one document per file; remove the extra '---'")

    def run(self, text: str) -> None:
        """The event loop. Plain scalars going into an open collection take a
        fast path with local names: they are most of the events."""
        out = self.out
        pos_map, keypos, plain = out.pos, out.keypos, out.plain
        stack = self.stack
        line_offset = self.line_offset
        special, number_first, core12 = _SPECIAL_FIRST, _NUMBER_FIRST, _CORE12_NUMBER.fullmatch
        parser = _Parser(text)
        try:
            while True:
                ev = parser.get_event()
                if ev is None:
                    break
                cls = type(ev)
                if cls is ScalarEvent:
                    self.nodes += 1
                    self.chars += len(ev.value)
                    m = ev.start_mark
                    pos = (m.line + 1 + line_offset, m.column + 1)
                    value = ev.value
                    raw = None
                    tag = ev.tag
                    if tag is not None:
                        value = _tagged(ev)
                        tag = tag if _custom_tag(tag) else None
                    elif ev.implicit[0] and (not value or value[0] in special):
                        value = _typed(value, ev.implicit)
                        if value is not ev.value and value is not None:
                            raw = ev.value  # YAML 1.1 typed it: keep the text as written
                        elif value and value[0] in number_first and core12(value):
                            raw = value     # text in YAML 1.1, a number in YAML 1.2
                    if stack and not ev.anchor and tag is None:
                        frame = stack[-1]
                        container = frame.container
                        if frame.is_map:
                            key = frame.key
                            if key is _NO_KEY:  # a key (keys keep YAML's typing)
                                if value not in container:
                                    frame.key = value
                                    frame.keypos = pos
                                    continue
                            else:
                                child = frame.path + (key,)
                                container[key] = value
                                pos_map[child] = pos
                                keypos[child] = frame.keypos
                                frame.key = _NO_KEY
                                if raw is not None:
                                    plain[child] = raw
                                continue
                        else:
                            child = frame.path + (len(container),)
                            pos_map[child] = pos
                            container.append(value)
                            if raw is not None:
                                plain[child] = raw
                            continue
                    self.attach(value, pos, ev.anchor, 1, raw, tag, chars=len(ev.value))
                elif cls is MappingStartEvent:
                    self.open(ev, True)
                elif cls is SequenceStartEvent:
                    self.open(ev, False)
                elif cls is MappingEndEvent or cls is SequenceEndEvent:
                    self.close()
                elif cls is AliasEvent:
                    self.alias(ev)
                elif cls is DocumentStartEvent:
                    self.document(ev)
                if self.nodes > MAX_NODES:
                    self.fail(self.at(ev.start_mark), "KB105", f"more than {MAX_NODES} values in one file")
        finally:
            parser.dispose()


def load(text: str, line_offset: int = 0) -> Loaded:
    """Parse one YAML document. Never raises for bad input: errors are values."""
    out = Loaded()
    try:
        _State(out, line_offset).run(text)
    except _Stop:
        return _fail(out)
    except yaml.MarkedYAMLError as exc:
        out.errors.append(_syntax_error(exc, text, line_offset))
        return _fail(out)
    except yaml.YAMLError as exc:  # reader errors: control characters and the like
        out.errors.append(_reader_error(exc, text, line_offset))
        return _fail(out)
    return out


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, line_offset: int) -> YamlError:
    mark = exc.problem_mark or exc.context_mark
    line, col = (_mark(mark) if mark else (1, 1))
    problem = exc.problem or "invalid YAML"
    if exc.context:
        problem = f"{exc.context}: {problem}" if "found" in problem else f"{problem} ({exc.context})"
    if _LOADER_DEPTH.search(problem):
        # libyaml (PyYAML >= 6.0.4) stops flow nesting itself, reading ahead
        # of the events our own depth check sees: the same problem, whichever
        # limit is met first
        return YamlError(line + line_offset, col, "KB105", f"nesting deeper than {MAX_DEPTH} levels",
                         _FLATTEN)
    hint = None
    lines = text.splitlines()
    if mark and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
        hint = "YAML indentation must use spaces, not tabs"
    return YamlError(line + line_offset, col, "KB102", f"YAML syntax error: {problem}", hint)


_LOADER_DEPTH = re.compile(r"nesting depth|too deep|nesting level", re.I)


def _reader_error(exc: yaml.YAMLError, text: str, line_offset: int) -> YamlError:
    offset = getattr(exc, "position", 0) or 0
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    reason = getattr(exc, "reason", None) or "unreadable text"
    char = getattr(exc, "character", None)
    if char is None:
        what = reason
    elif isinstance(char, int):
        what = f"character U+{char:04X} is not allowed in YAML ({reason})"
    else:
        what = f"character {char!r} is not allowed in YAML ({reason})"
    return YamlError(line + line_offset, col, "KB102", what,
                     "remove the control character; YAML allows only printable text")


def _fail(out: Loaded) -> Loaded:
    out.data = None
    return out

