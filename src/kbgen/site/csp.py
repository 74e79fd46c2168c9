"""Content-Security-Policy for the public site: a post-build step.

`apply_csp(view, site_dir)` runs on the temporary site folder, before the
swap (kbgen.site.post_build). For a public build it puts

    <meta http-equiv="Content-Security-Policy" content="...">

first in every page's <head>, and writes `_headers` (the Netlify /
Cloudflare Pages format) with the same policy plus what only a header can
carry (frame-ancestors). docs/security.md says why each source is there.

Scripts: 'self' and a sha256 hash for each inline script of the theme, never
'unsafe-inline'. Only scripts that match one of the theme's own inline
scripts (read from the installed templates of Material, or of Zensical,
which ships its own copy; the values Jinja fills in limited to URL
characters) get a hash: a script that content
smuggled into a page is never hashed, so the browser refuses to run it.

Remote origins appear only when mkdocs.yml names them (Google Fonts when
theme.font is not false, absolute URLs in extra_javascript / extra_css, a
remote logo or favicon).

Internal sites are left alone (they sit behind the web server's
authentication and may embed what their team needs), and so are offline
builds (file:// pages have no origin for 'self' to name).
"""
from __future__ import annotations

import base64
import functools
import hashlib
import re
from pathlib import Path
from urllib.parse import urlsplit

HEADERS_FILE = "_headers"
META_NAME = "Content-Security-Policy"

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_CHARSET = re.compile(r"<meta\s+charset=[\"']?[\w-]+[\"']?\s*/?>", re.IGNORECASE)
_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_DOCTYPE = re.compile(r"\s*<!doctype\b[^>]*>", re.IGNORECASE)
# what a Jinja expression may put inside one of the theme's scripts: a URL
# or path, never a quote, backslash or angle bracket that could end the string
_FILLED = r"[A-Za-z0-9./_:%#?&=~+-]*"


# Packages whose templates render kbgen's sites (Material for MkDocs and
# ProperDocs; Zensical ships its own copy of the templates).
THEME_PACKAGES = ("material", "zensical")


def _template_dirs() -> list[Path]:
    import importlib.util
    dirs = []
    for name in THEME_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec and spec.origin:
            d = Path(spec.origin).resolve().parent / "templates"
            if d.is_dir():
                dirs.append(d)
    return dirs


@functools.lru_cache(maxsize=1)
def theme_scripts() -> tuple[re.Pattern, ...]:
    """The theme's inline scripts as full-match patterns, from its templates
    (another theme: no inline script is trusted)."""
    patterns = []
    for path in sorted(p for d in _template_dirs() for p in d.rglob("*.html")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in _SCRIPT.finditer(text):
            attrs, body = m.group(1), m.group(2)
            if "src=" in attrs or "type=" in attrs or not body.strip() or "{%" in body:
                continue
            parts = _JINJA.split(body)
            patterns.append(re.compile(_FILLED.join(re.escape(p) for p in parts), re.DOTALL))
    return tuple(patterns)


def _is_theme_script(body: str) -> bool:
    return any(p.fullmatch(body) for p in theme_scripts())


def script_hashes(html: str) -> set[str]:
    """The hash sources of the theme's inline scripts in one page."""
    out = set()
    for m in _SCRIPT.finditer(html):
        attrs, body = m.group(1), m.group(2)
        if re.search(r"\bsrc\s*=", attrs, re.IGNORECASE) or re.search(r"\btype\s*=\s*[\"']?application/json", attrs, re.IGNORECASE):
            continue
        if _is_theme_script(body):
            digest = hashlib.sha256(body.encode("utf-8")).digest()
            out.add("'sha256-" + base64.b64encode(digest).decode("ascii") + "'")
    return out


def _origin(url: str) -> str | None:
    parts = urlsplit(str(url))
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def _entries(value) -> list[str]:
    out = []
    for item in value or []:
        out.append(item.get("path", "") if isinstance(item, dict) else str(item))
    return out


def config_origins(raw: dict) -> dict[str, list[str]]:
    """Remote origins mkdocs.yml names, per directive."""
    raw = raw or {}
    theme = raw.get("theme") or {}
    if not isinstance(theme, dict):
        theme = {}
    found: dict[str, set[str]] = {"script-src": set(), "style-src": set(), "font-src": set(), "img-src": set()}
    if theme.get("font", None) is not False:  # Material's default: Google Fonts
        found["style-src"].add("https://fonts.googleapis.com")
        found["font-src"].add("https://fonts.gstatic.com")
    for url in _entries(raw.get("extra_javascript")):
        if origin := _origin(url):
            found["script-src"].add(origin)
    for url in _entries(raw.get("extra_css")):
        if origin := _origin(url):
            found["style-src"].add(origin)
    for key in ("logo", "favicon"):
        if origin := _origin(theme.get(key) or ""):
            found["img-src"].add(origin)
    return {k: sorted(v) for k, v in found.items()}


def build_policy(hashes: set[str], origins: dict[str, list[str]]) -> str:
    """The policy as one header value (meta form: no frame-ancestors)."""
    directives = [
        ("default-src", ["'none'"]),
        # Material's bundle, Mermaid and kbgen's scripts (its search box too) are
        # files of the site; the theme's few inline scripts are allowed by hash
        ("script-src", ["'self'", *sorted(hashes), *origins.get("script-src", [])]),
        # Mermaid writes <style> into each diagram and sets style attributes
        ("style-src", ["'self'", "'unsafe-inline'", *origins.get("style-src", [])]),
        # Material's icons are data: SVG in its stylesheet
        ("img-src", ["'self'", "data:", *origins.get("img-src", [])]),
        ("font-src", ["'self'", *origins.get("font-src", [])]),
        ("connect-src", ["'self'"]),   # the search box's index files (kbgen.search.browser)
        ("manifest-src", ["'self'"]),
        ("media-src", ["'self'"]),
        ("object-src", ["'none'"]),
        ("base-uri", ["'none'"]),
        ("form-action", ["'self'"]),
    ]
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives)


def header_policy(policy: str) -> str:
    # frame-ancestors is ignored (and reported) in a <meta> policy
    return policy + "; frame-ancestors 'none'"


def _insert_meta(html: str, tag: str) -> str:
    """The policy as the first element of <head>: nothing before it can run.
    A <meta charset> that is itself the head's first element stays first (it
    carries nothing from content, and must sit in the first 1,024 bytes); a
    page without <head> gets the policy before anything but its doctype."""
    m = _HEAD.search(html)
    if m:
        at = m.end()
        charset = _CHARSET.match(html, at + len(html[at:]) - len(html[at:].lstrip()))
        if charset:
            at = charset.end()
    else:
        doctype = _DOCTYPE.match(html)
        at = doctype.end() if doctype else 0
    return html[:at] + tag + html[at:]


def apply_csp(view, site_dir: Path, offline: bool = False) -> str | None:
    """Add the policy to every page of a public site; return it (None when
    the build is internal or offline and was left alone)."""
    site_dir = Path(site_dir)
    if getattr(view, "audience", None) != "public" or offline:
        return None
    # two passes, one page at a time: the hashes of every page make the one
    # policy, then each page gets it (10,000 pages' HTML is 230 MB)
    pages = sorted(p for p in site_dir.rglob("*.html") if p.is_file())
    hashes: set[str] = set()
    for path in pages:
        hashes |= script_hashes(path.read_text(encoding="utf-8", errors="surrogateescape"))
    raw = getattr(getattr(view, "config", None), "raw", {}) or {}
    policy = build_policy(hashes, config_origins(raw))
    tag = f'<meta http-equiv="{META_NAME}" content="{policy}">'
    for path in pages:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        new = _insert_meta(text, tag)
        if new != text:
            path.write_text(new, encoding="utf-8", errors="surrogateescape")
    headers = ("# Served by hosts that read _headers (Netlify, Cloudflare Pages); written by kbgen\n"
               f"/*\n  Content-Security-Policy: {header_policy(policy)}\n  X-Content-Type-Options: nosniff\n"
               "  Referrer-Policy: strict-origin-when-cross-origin\n  X-Frame-Options: DENY\n")
    (site_dir / HEADERS_FILE).write_text(headers, encoding="utf-8")
    return policy
