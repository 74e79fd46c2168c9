"""One reading of Markdown: Python-Markdown with the site's own extensions,
the same parser the renderer runs, so what validation sees is what renders.

`read(text)` parses a page body (tree + raw-HTML stash, no serialisation)
and returns its headings and anchors (the ids the renderer will give, with
the site's slugify and duplicate suffixes), every link and image in any
form (inline, reference, raw HTML), the include directives, and what the
sanitizer would remove, each located in the source by line and column and
by offset (the page writer rewrites link targets in place at those offsets).

Python-Markdown is quadratic on some unbalanced input (a paragraph of ten
thousand `[`): `guard()` measures that in linear time first and the caller
refuses the file instead of hanging.
"""
from __future__ import annotations

import contextlib
import html
import re
import signal
import threading
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field
from html.parser import HTMLParser

import markdown

from .lines import Lines, line_starts
from .sanitize import audit, check_tag
from .settings import MarkdownSettings, with_defaults

_PLACEHOLDER = re.compile("\u0002wzxhzdk:(\\d+)\u0003")
_TAGS = re.compile(r"<[^>]*>")


@dataclass
class Link:
    target: str
    line: int
    column: int
    image: bool = False
    kind: str = "link"        # link (Markdown syntax), ref (a reference definition), html (raw HTML)
    start: int = -1           # offset of the target text in the read text, -1 if not found there
    end: int = -1
    target_at: tuple[int, int] | None = None   # (line, column) of the target text itself
    opening: int = -1         # offset of the '[' (or '![') that opens an inline link


@dataclass
class Heading:
    level: int
    text: str
    anchor: str
    line: int


@dataclass
class Include:
    target: str               # as written in the directive
    line: int
    column: int
    start: int = -1
    end: int = -1
    rel: str | None = None    # the included file, KB-root-relative, when found
    error: str | None = None  # why the include was refused
    audience: str | None = None  # the included file's front matter audience, if it has one


@dataclass
class Unsafe:
    line: int
    column: int
    code: str
    message: str


@dataclass
class Reading:
    text: str = ""
    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    anchors: set[str] = field(default_factory=set)
    includes: list[Include] = field(default_factory=list)
    unsafe: list[Unsafe] = field(default_factory=list)
    first_paragraph: str = ""
    too_complex: tuple[int, int] | None = None   # where the guard refused the text
    complex_reason: str = ""
    failed: str = ""                             # a Markdown extension raised on this page: what it said
    labels: list[str] = field(default_factory=list)  # bold words that open a paragraph (**Impact:** ...): sections
    line_map: list[int] | None = None            # text line (0-based) -> source line, when includes were expanded


# --- the guard ---------------------------------------------------------------

GUARD_LIMIT = 3_000_000   # unmatched openers x block length: about 0.3 s of Python-Markdown at worst
_TAG_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/!?")


def guard(text: str) -> int | None:
    """The offset of a block on which Python-Markdown would take quadratic
    time (unmatched `[`, `](`, `<tag` openers times the block's length), else None."""
    if "[" not in text and "<" not in text:
        return None
    start = 0
    for block in text.split("\n\n"):
        n = len(block)
        if n > 2000 and ("[" in block or "<" in block):
            sq = par = ang = 0
            prev = ""
            for i, ch in enumerate(block):
                if ch == "[":
                    sq += 1
                elif ch == "]":
                    if sq:
                        sq -= 1
                elif ch == "(":
                    if prev == "]":
                        par += 1
                elif ch == ")":
                    if par:
                        par -= 1
                elif ch == "<":
                    if i + 1 < n and block[i + 1] in _TAG_START:
                        ang += 1
                elif ch == ">":
                    if ang:
                        ang -= 1
                prev = ch
            if (sq + par + ang) * n > GUARD_LIMIT:
                return start
        start += n + 2
    return None


# The guard above catches the common floods in linear time; any other input on
# which Python-Markdown goes superlinear (nested emphasis, ten thousand
# duplicate heading ids...) is stopped by a time budget proportional to the
# page's size, so validation time stays linear in the size of the KB. The
# budget needs SIGALRM, so it applies in a process's main thread (every CLI
# command and the parallel readers); elsewhere only the guard applies.
TIME_BUDGET = 1.0     # seconds for any page...
TIME_PER_MIB = 4.0    # ...plus this per MiB of text (1 MiB of plain prose parses in about 1 s)


class _TooSlow(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float):
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):
        raise _TooSlow()
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _largest_block(text: str) -> int:
    """The offset of the longest block (between blank lines): the likely culprit."""
    best, best_len, pos = 0, -1, 0
    for block in text.split("\n\n"):
        if len(block) > best_len:
            best, best_len = pos, len(block)
        pos += len(block) + 2
    return best


# --- the parse ---------------------------------------------------------------

class _HtmlLinks(HTMLParser):
    """Links, images and ids inside a fragment of raw HTML."""

    ATTRS = {"a": "href", "img": "src", "area": "href", "link": "href", "iframe": "src", "source": "src",
             "video": "src", "audio": "src", "embed": "src", "object": "data", "form": "action"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, tuple[int, int]]] = []   # (tag, url, (line, col) in fragment)
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        want = self.ATTRS.get(tag)
        for name, value in attrs:
            if name == "id" and value:
                self.ids.append(value)
            elif name == want and value is not None:
                self.found.append((tag, value, self.getpos()))

    handle_startendtag = handle_starttag


class Reader:
    """A Python-Markdown instance for one site's settings, reused for every page."""

    def __init__(self, settings: MarkdownSettings | None = None):
        self.settings = settings or with_defaults([], {})
        exts, configs = self.settings.for_reading()
        self.md = markdown.Markdown(extensions=exts, extension_configs=configs)

    def parse(self, text: str) -> tuple[etree.Element, list]:
        md = self.md
        md.reset()
        lines = text.split("\n")
        for prep in md.preprocessors:
            lines = prep.run(lines)
        root = md.parser.parseDocument(lines).getroot()
        for tp in md.treeprocessors:
            new = tp.run(root)
            if new is not None:
                root = new
        return root, list(md.htmlStash.rawHtmlBlocks)

    def read(self, text: str, first_line: int = 1, line_map: list[int] | None = None) -> Reading:
        out = Reading(text=text, line_map=line_map)
        lines = Lines(text, first_line, line_map)
        bad = guard(text)
        if bad is not None:
            out.too_complex = lines.at(bad)
            out.complex_reason = "thousands of unclosed brackets or tags in one block"
            return out
        budget = TIME_BUDGET + TIME_PER_MIB * len(text) / 2**20
        try:
            with _time_limit(budget):
                root, stash = self.parse(text)
        except (_TooSlow, RecursionError):  # RecursionError: thousands of nested quotes or lists
            self.md.reset()
            out.too_complex = lines.at(_largest_block(text))
            out.complex_reason = f"Python-Markdown needs over {budget:.1f} s for this page (the renderer would too)"
            return out
        except Exception as exc:  # an extension's own failure on this text: the renderer would fail the same way
            self.md.reset()
            out.failed = _failure(exc)
            return out
        loc = _Locator(text, lines, self.md)
        heading_cursor = 0
        first_para = None
        for el in root.iter():
            tag = el.tag if isinstance(el.tag, str) else ""
            ident = el.get("id")
            if ident:
                out.anchors.add(ident)
            if el.attrib and tag:
                # attributes writers set with attr_list ({: onclick=...}): the same allowlist
                for name, code, message in check_tag(tag, el.attrib.items()):
                    if code == "KB513":
                        continue  # link URLs: kbgen.rules.links reports them, at the link
                    line, col = loc.attribute(name)
                    out.unsafe.append(Unsafe(line, col, code, message))
            href, src = el.get("href"), el.get("src")
            if href and "\u0002" in href:
                href = _unmarked(href)
            if tag == "a" and href is not None and "headerlink" not in (el.get("class") or ""):
                out.links.append(loc.link(href, image=False))
            elif tag == "img" and src is not None:
                out.links.append(loc.link(src, image=True))
            elif len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
                title = _text_of(el, stash)
                line, heading_cursor = loc.heading(title, heading_cursor)
                out.headings.append(Heading(int(tag[1]), title, ident or "", line))
            elif tag == "p":
                if first_para is None:
                    first_para = _text_of(el, stash)
                if len(el) and el[0].tag == "strong" and not (el.text or "").strip():
                    label = _text_of(el[0], stash).strip().rstrip(":").strip()
                    if 0 < len(label) <= 60:
                        out.labels.append(label)
        out.first_paragraph = (first_para or "").strip()
        for block in stash:
            self._raw(block, loc, out)
        return out

    def _raw(self, block, loc: _Locator, out: Reading) -> None:
        if isinstance(block, etree.Element):   # md_in_html keeps parsed elements
            for el in block.iter():
                ident = el.get("id")
                if ident:
                    out.anchors.add(ident)
                attrs = "".join(f' {k}="{html.escape(v)}"' for k, v in el.attrib.items())
                block_html = f"<{el.tag}{attrs}>"
                for f in audit(block_html):
                    line, col = loc.fallback()
                    out.unsafe.append(Unsafe(line, col, f.code, f.message))
            return
        raw = str(block)
        if "<" not in raw:
            return
        base = loc.find_raw(raw)
        tag_only = base < -1  # located by its opening tag only
        if tag_only:
            base = -base - 2
        parser = _HtmlLinks()
        try:
            parser.feed(raw)
            parser.close()
        except (AssertionError, ValueError):
            pass
        out.anchors.update(parser.ids)
        starts = line_starts(raw)
        for tag, url, (fline, fcol) in parser.found:
            if url.lstrip().startswith("<"):
                continue  # not a URL: markup Python-Markdown made inside a broken tag (the sanitizer drops it)
            off = 0 if tag_only else (starts[fline - 1] + fcol if fline - 1 < len(starts) else 0)
            out.links.append(loc.raw_link(url, base, off, image=tag == "img"))
        for f in audit(raw):
            line, col = loc.at(base + (0 if tag_only else f.offset)) if base >= 0 else loc.fallback()
            out.unsafe.append(Unsafe(line, col, f.code, f.message))


def _unmarked(href: str) -> str:
    """An e-mail autolink's href as the browser reads it: Python-Markdown
    writes it as character references behind its own `&` marker."""
    return html.unescape(href.replace(markdown.util.AMP_SUBSTITUTE, "&"))


def _failure(exc: BaseException) -> str:
    """What an extension's exception says, and whose it is (the package
    whose code raised it, from the traceback's last frame)."""
    tb, module = exc.__traceback__, ""
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", "") or module
        tb = tb.tb_next
    who = module.split(".")[0] if module and module.split(".")[0] not in ("builtins", "kbgen") else ""
    what = " ".join(str(exc).split())[:300] or type(exc).__name__
    return f"{type(exc).__name__}{f' from {who}' if who else ''}: {what}"


def _text_of(el: etree.Element, stash: list) -> str:
    parts = []
    for node in el.iter():
        if node is not el and "headerlink" in (node.get("class") or ""):
            continue
        if node.text and not (node is not el and "headerlink" in (node.get("class") or "")):
            parts.append(node.text)
        if node is not el and node.tail:
            parts.append(node.tail)
    s = "".join(parts)
    if "\u0002" in s:
        s = _PLACEHOLDER.sub(lambda m: _TAGS.sub("", str(stash[int(m.group(1))])) if int(m.group(1)) < len(stash)
                             else "", s)
    return " ".join(s.replace("¶", "").split())


class _Locator:
    """Finds, in linear time overall, where each parsed link stands in the text."""

    def __init__(self, text: str, lines: Lines, md: markdown.Markdown):
        self.text, self.lines = text, lines
        self.cursor = 0
        self.raw_cursor = 0
        self.lower: str | None = None
        self.attr_cursor = 0
        self.last = (lines.first, 1)
        self.refs = {str(v[0]) for v in getattr(md, "references", {}).values()}

    def at(self, offset: int) -> tuple[int, int]:
        return self.lines.at(offset)

    def fallback(self) -> tuple[int, int]:
        return self.last

    def link(self, href: str, image: bool) -> Link:
        text = self.text
        if href in self.refs:
            pos = self._definition(href)
            if pos >= 0:
                bracket = text.rfind("\n", 0, pos) + 1
                while bracket < pos and text[bracket] == " ":
                    bracket += 1
                line, col = self.at(bracket)
                return Link(href, line, col, image, "ref", pos, pos + len(href), self.at(pos))
        pos = text.find(href, self.cursor) if href else -1
        if pos < 0 and href:
            pos = text.find(href)
        if pos < 0:
            line, col = self.last
            return Link(href, line, col, image, "link")
        self.cursor = pos + len(href)
        start = self._bracket(pos)
        line, col = self.at(start)
        self.last = (line, col)
        return Link(href, line, col, image, "link", pos, pos + len(href), self.at(pos),
                    opening=start if start != pos else -1)

    def _definition(self, href: str) -> int:
        text = self.text
        pos = text.find(href)
        while pos >= 0:
            line_start = text.rfind("\n", 0, pos) + 1
            prev_start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1
            if "]:" in text[line_start:pos] or ("]:" in text[prev_start:line_start] and not text[line_start:pos].strip()):
                return pos
            pos = text.find(href, pos + 1)
        return -1

    def _bracket(self, pos: int) -> int:
        """The '[' (or '![') that opens the link whose target starts at pos."""
        text = self.text
        i = pos - 1
        while i >= 0 and text[i] in " \t\n<":
            i -= 1
        if i < 1 or text[i] != "(" or text[i - 1] != "]":
            return pos
        depth, j, stop = 0, i - 1, max(0, i - 2000)
        while j >= stop:
            ch = text[j]
            if ch == "]":
                depth += 1
            elif ch == "[":
                depth -= 1
                if depth == 0:
                    return j - 1 if j > 0 and text[j - 1] == "!" else j
            j -= 1
        return pos

    def heading(self, title: str, cursor: int) -> tuple[int, int]:
        text = self.text
        probe = title[:40]
        pos = text.find(probe, cursor) if probe else -1
        if pos < 0:
            return self.at(cursor)[0], cursor
        return self.at(pos)[0], pos + len(probe)

    def find_raw(self, raw: str) -> int:
        probe = raw.strip()[:80]
        if not probe:
            return -1
        pos = self.text.find(probe, self.raw_cursor)
        if pos < 0:
            pos = self.text.find(probe)
        if pos >= 0:
            self.raw_cursor = pos + len(probe)
            return pos - (len(raw) - len(raw.lstrip()))
        # Python-Markdown rewrote part of the fragment (a code span inside a tag):
        # place it at its opening tag, found case-insensitively
        tag = re.match(r"<[A-Za-z][A-Za-z0-9]*", probe)
        if tag:
            if self.lower is None:
                self.lower = self.text.lower()
            pos = self.lower.find(tag.group(0).lower(), self.raw_cursor)
            if pos < 0:
                pos = self.lower.find(tag.group(0).lower())
            if pos >= 0:
                self.raw_cursor = pos + 1
                return -(pos + 2)  # found, but the fragment's own offsets do not apply
        return -1

    def attribute(self, name: str | None) -> tuple[int, int]:
        """Where an attr_list attribute was written: its `name=` in a `{: ...}`."""
        if name:
            pos = self.text.find(name + "=", self.attr_cursor)
            if pos < 0:
                pos = self.text.find(name + "=")
            if pos >= 0:
                self.attr_cursor = pos + 1
                return self.at(pos)
        return self.last

    def raw_link(self, url: str, base: int, off: int, image: bool) -> Link:
        if base < 0:
            line, col = self.last
            return Link(url, line, col, image, "html")
        start = base + off
        pos = self.text.find(url, start) if url else -1
        line, col = self.at(start)
        if pos >= 0 and pos - start < 2000:
            return Link(url, line, col, image, "html", pos, pos + len(url), self.at(pos))
        return Link(url, line, col, image, "html")


_READERS: dict[int, Reader] = {}


def reader_for(settings: MarkdownSettings | None) -> Reader:
    key = id(settings) if settings is not None else 0
    r = _READERS.get(key)
    if r is None:
        r = _READERS[key] = Reader(settings)
    return r
