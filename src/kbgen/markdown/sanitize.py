"""The HTML allowlist: what content may put into a page, and nothing else.

One list serves two purposes: `clean()` (ammonia, through nh3) removes what
is not on it from every rendered page, and `audit()` tells a writer, at
validation time, exactly what would be removed, so nothing vanishes silently.

Why nh3: an allowlist sanitizer built on a real HTML5 parser (html5ever)
resists the parser-differential tricks a denylist of regexes misses
(`<svg/onload=`, entity-encoded schemes, unclosed tags). It is a maintained
binding to ammonia, the sanitizer used by crates.io and docs.rs.

The list covers what Python-Markdown and the extensions Material needs emit:
admonitions and details, content tabs (radio inputs + labels), tables,
highlighted code with line anchors, Mermaid (<pre class="mermaid">), task
lists, footnotes, abbreviations, attr_list ids and classes, images.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

from .lines import line_starts

TAGS = frozenset(["a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "ins", "kbd", "label", "li", "mark", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr"])  # noqa: E501 (the allowlist, one line)
# removed together with everything inside them, not just unwrapped
DROP_CONTENT = frozenset({"script", "style"})
GLOBAL_ATTRS = frozenset({"id", "class", "title", "lang", "dir"})
ATTRS = {
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "loading"},
    "input": {"type", "checked", "disabled", "name"},   # task lists, content tabs
    "label": {"for"},
    "td": {"align", "colspan", "rowspan", "style"},      # tables: alignment
    "th": {"align", "colspan", "rowspan", "style", "scope"},
    "col": {"span"}, "colgroup": {"span"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "details": {"open"},
    "time": {"datetime"},
    "del": {"datetime"}, "ins": {"datetime"},
    "q": {"cite"}, "blockquote": {"cite"},
}
URL_ATTRS = frozenset({"href", "src", "cite"})
# Relative URLs are always allowed; absolute ones only with these schemes.
SCHEMES = frozenset({"http", "https", "mailto", "tel"})
STYLE_PROPERTIES = frozenset({"text-align"})
# attributes allowed only with these values (links opening a new tab: browsers imply noopener)
VALUES = {"a": {"target": {"_blank"}}}

_cleaner = nh3.Cleaner(
    tags=set(TAGS),
    clean_content_tags=set(DROP_CONTENT),
    attributes={"*": set(GLOBAL_ATTRS), **{k: set(v) for k, v in ATTRS.items()}},
    url_schemes=set(SCHEMES),
    filter_style_properties=set(STYLE_PROPERTIES),
    tag_attribute_values={t: {a: set(v) for a, v in attrs.items()} for t, attrs in VALUES.items()},
    link_rel=None,
    strip_comments=True,
)


def clean(fragment: str) -> str:
    """The fragment with everything off the allowlist removed."""
    return _cleaner.clean(fragment)


_CONTROL = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see: entities decoded, whitespace and
    control characters removed (`java\\tscript:`, `&#106;avascript:`)."""
    u = _CONTROL.sub("", html.unescape(url or ""))
    m = _SCHEME.match(u)
    return m.group(1).lower() if m else None


# Schemes whose links run script or carry a whole document: never a writer's
# instruction (about:config, chrome://settings and app links are; the
# sanitizer removes all of them from the page alike).
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "data", "file", "blob", "filesystem", "jar", "view-source"})


def unsafe_url(url: str) -> str | None:
    """The scheme of an absolute URL that is not allowed, else None."""
    scheme = url_scheme(url)
    if scheme is None or scheme in SCHEMES:
        return None
    return scheme


@dataclass
class Finding:
    offset: int      # into the audited fragment
    code: str        # KB511 script, KB512 handler, KB513 URL, KB517 tag, KB518 attribute
    message: str


class _Auditor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[Finding] = []
        self.line_starts: list[int] = [0]

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col if line - 1 < len(self.line_starts) else 0

    def handle_starttag(self, tag, attrs):
        self._check(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check(tag, attrs)

    def _attr_offset(self, tag_offset: int, tag: str, name: str) -> int:
        """Where an attribute stands: after the tag name in the tag's own text."""
        raw = (self.get_starttag_text() or "").lower()
        i = raw.find(name.lower(), len(tag) + 1)
        return tag_offset + i if i > 0 else tag_offset

    def _check(self, tag: str, attrs) -> None:
        off = self._offset()
        for name, code, message in check_tag(tag, attrs):
            self.findings.append(Finding(off if name is None else self._attr_offset(off, tag, name), code, message))


def check_tag(tag: str, attrs) -> list[tuple[str | None, str, str]]:
    """(attribute or None for the tag itself, code, message) for each thing on
    one element that clean() removes: the same allowlist, as findings."""
    out: list[tuple[str | None, str, str]] = []
    if tag in DROP_CONTENT:
        return [(None, "KB511" if tag == "script" else "KB517", f"raw <{tag}> in content (removed with its content)")]
    if tag not in TAGS:
        out.append((None, "KB517", f"HTML tag <{tag}> is not allowed (removed)"))
        # its attributes go with it, but say if one would have run script
    allowed = GLOBAL_ATTRS | ATTRS.get(tag, set())
    for name, value in attrs:
        if name.startswith("on"):
            out.append((name, "KB512", f"HTML event handler attribute '{name}' (removed)"))
        elif name in URL_ATTRS or name in ("action", "formaction", "srcdoc", "data", "xlink:href", "poster",
                                           "background", "srcset"):
            scheme = unsafe_url(value or "")
            if scheme and name in URL_ATTRS and tag in TAGS and name in allowed:
                out.append((name, "KB513", f"{scheme}: URL in <{tag} {name}> (removed)"))
            elif name not in allowed and tag in TAGS:
                out.append((name, "KB518", f"attribute '{name}' on <{tag}> is not allowed (removed)"))
        elif tag in VALUES and name in VALUES[tag]:
            if (value or "") not in VALUES[tag][name]:
                out.append((name, "KB518", f"{name}=\"{value}\" on <{tag}> is not allowed (removed); "
                                           f"allowed: {', '.join(sorted(VALUES[tag][name]))}"))
        elif tag in TAGS and name not in allowed:
            out.append((name, "KB518", f"attribute '{name}' on <{tag}> is not allowed (removed)"))
        elif name == "style" and value:
            props = {p.split(":", 1)[0].strip().lower() for p in value.split(";") if ":" in p}
            if props - STYLE_PROPERTIES:
                out.append((name, "KB518", "style other than text-align (removed)"))
    return out


_TAG_OPEN = re.compile(r"<[A-Za-z][A-Za-z0-9-]*")


def audit(fragment: str) -> list[Finding]:
    """What clean() would remove from a fragment of raw HTML, with offsets."""
    if "<" not in fragment:
        return []
    a = _Auditor()
    a.line_starts = line_starts(fragment)
    try:
        a.feed(fragment)
        left = a.rawdata  # a tag never closed with '>': the browser's parser drops it
        m = _TAG_OPEN.search(left)
        if m:
            code = "KB512" if re.search(r"(?i)[\s/\"']on[a-z]+\s*=", left[m.start():]) else "KB517"
            a.findings.append(Finding(len(fragment) - len(left) + m.start(), code,
                                      f"unclosed HTML tag {m.group(0)}... (removed)"))
        a.close()
    except (AssertionError, ValueError):  # html.parser gives up on some garbage: say so
        a.findings.append(Finding(0, "KB517", "HTML that cannot be parsed (removed)"))
    return a.findings
