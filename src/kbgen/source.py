"""Reading files: size limits, encodings, front matter, and Markdown structure
(headings, links, code) with the line and column of each."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Report
from .yamlload import Loaded, load

MAX_FILE_BYTES = 1024 * 1024  # a KB page larger than this is a mistake, not content


def read_text(path: Path, rel: str, report: Report, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """The file's text with BOM and CRLF normalised, or None with a located problem."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            report.error(rel, (1, 1), "KB109", f"file is {size:,} bytes, over the {max_bytes:,}-byte limit",
                         "split it into smaller files; a knowledge-base page should never be this large")
            return None
        raw = path.read_bytes()
    except OSError as exc:
        report.error(rel, (1, 1), "KB100", f"cannot read file: {exc.strerror or exc}")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        report.error(rel, (line, col), "KB101", f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                     "save the file as UTF-8")
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        i = text.index("\x00")
        report.error(rel, (text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1), "KB101",
                     "file contains a NUL byte (binary file?)")
        return None
    return text


@dataclass
class FrontMatter:
    meta: Loaded | None   # None when the file has no front matter
    body: str
    body_line: int        # 1-based line of the first body line


_FM_CLOSE = re.compile(r"^(---|\.\.\.)[ \t]*$", re.M)


def split_front_matter(text: str) -> FrontMatter:
    if not text.startswith("---"):
        return FrontMatter(None, text, 1)
    first_nl = text.find("\n")
    if first_nl < 0 or text[:first_nl].strip() != "---":
        return FrontMatter(None, text, 1)
    m = _FM_CLOSE.search(text, first_nl + 1)
    if not m:
        loaded = Loaded()
        from .yamlload import YamlError
        loaded.errors.append(YamlError(1, 1, "KB108", "front matter opened with '---' is never closed",
                                       "end the front matter with a line of '---'"))
        return FrontMatter(loaded, text, 1)
    yaml_text = text[first_nl + 1:m.start()]
    loaded = load(yaml_text, line_offset=1)
    body_start = m.end() + 1
    body_line = text.count("\n", 0, min(body_start, len(text))) + 1
    return FrontMatter(loaded, text[body_start:] if body_start <= len(text) else "", body_line)


# --- Markdown structure -------------------------------------------------------

@dataclass
class Link:
    target: str
    line: int
    column: int
    image: bool = False


@dataclass
class Heading:
    level: int
    text: str
    anchor: str
    line: int


@dataclass
class MarkdownInfo:
    headings: list[Heading] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    anchors: set[str] = field(default_factory=set)
    prose: list[tuple[int, str]] = field(default_factory=list)  # (line, text) outside code
    code: list[tuple[int, str]] = field(default_factory=list)   # (line, text) inside fences


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
_ATTR_ID = re.compile(r"\{[^}]*#([A-Za-z0-9_:.-]+)[^}]*\}\s*$")
_INLINE_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'(][^)]*[\"')])?\s*\)")
_REF_DEF = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+.*)?$")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_HTML_ID = re.compile(r"<[a-zA-Z][^>]*\sid=[\"']([^\"']+)[\"']")


def slugify(text: str) -> str:
    """The anchor Python-Markdown's toc extension gives a heading (its default slugify)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def _heading_text(raw: str) -> str:
    raw = _ATTR_ID.sub("", raw).strip()
    raw = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", raw)  # link text only
    raw = re.sub(r"[*_`]", "", raw)
    return raw.strip()


_FENCE_ANY = re.compile(r"^ {0,3}(?:`{3,}|~{3,})", re.M)
_LINK_HINT = re.compile(r"\]\(|^ {0,3}\[[^\]]+\]:", re.M)


def scan_markdown(body: str, first_line: int = 1) -> MarkdownInfo:
    """Headings, anchors, links (with positions), and which lines are code."""
    info = MarkdownInfo()
    lines = body.split("\n")
    has_fence = _FENCE_ANY.search(body) is not None
    has_links = _LINK_HINT.search(body) is not None
    has_html_id = "id=" in body
    has_attr = "{" in body
    fence: str | None = None
    seen: dict[str, int] = {}
    for i, line in enumerate(lines):
        lineno = first_line + i
        if has_fence:
            m = _FENCE.match(line)
            if fence:
                if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) \
                        and not line.strip()[len(m.group(1)):].strip():
                    fence = None
                else:
                    info.code.append((lineno, line))
                continue
            if m:
                fence = m.group(1)
                continue
        info.prose.append((lineno, line))
        if line[:4].lstrip().startswith("#"):
            h = _HEADING.match(line)
            if h:
                raw = h.group(2)
                explicit = _ATTR_ID.search(raw)
                text = _heading_text(raw)
                if explicit:
                    anchor = explicit.group(1)
                else:
                    anchor = slugify(text)
                    # toc makes duplicate slugs unique the way MkDocs does: _1, _2 ...
                    if anchor in seen:
                        seen[anchor] += 1
                        anchor = f"{anchor}_{seen[anchor]}"
                    else:
                        seen[anchor] = 0
                info.headings.append(Heading(len(h.group(1)), text, anchor, lineno))
                info.anchors.add(anchor)
        if has_html_id and "id=" in line:
            for hm in _HTML_ID.finditer(line):
                info.anchors.add(hm.group(1))
        if has_attr and "{" in line and "#" in line:
            for am in re.finditer(r"\{[^}]*#([A-Za-z0-9_:.-]+)[^}]*\}", line):
                info.anchors.add(am.group(1))
        if has_links and "[" in line:
            masked = _INLINE_CODE.sub(lambda mm: " " * len(mm.group(0)), line) if "`" in line else line
            for lm in _INLINE_LINK.finditer(masked):
                info.links.append(Link(lm.group(3), lineno, lm.start() + 1, bool(lm.group(1))))
            rm = _REF_DEF.match(masked)
            if rm:
                info.links.append(Link(rm.group(2), lineno, rm.start(2) + 1))
    return info


def first_h1(info: MarkdownInfo) -> str | None:
    for h in info.headings:
        if h.level == 1:
            return h.text
    return None
