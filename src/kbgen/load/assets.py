"""What kbgen publishes from content/ besides pages (docs/security.md,
"Files besides pages"): every other file is checked here, once, when it is
found, and a file refused here is no asset of the knowledge base at all, so
no build of any audience can copy it.

- Host control files (KB117): names a static host obeys instead of serving
  (`_redirects`, `_headers`, `_worker.js`, `netlify.toml`, `web.config`,
  `CNAME` ...). A writer's copy would redirect the whole site, run a Worker
  on the server or move the domain. kbgen writes its own `_headers`.
- Active files (KB116): types a browser runs or renders as a document in the
  site's origin (HTML, XHTML, XML and its family, XSLT, JavaScript,
  WebAssembly, compressed SVG, server pages), whatever they hold; any other
  file whose first character is `<` (markup a browser may render as a page
  when a host sends no type, or sniffs); and an SVG holding anything active
  (below). A script file of the site's own origin would also satisfy the
  CSP's `script-src 'self'`.
- SVG: read with expat (no DTD loading, no external entities, expat's own
  amplification limits) and published unchanged only when it is inert
  wherever it is opened: SVG-namespace elements on an allowlist (no
  `script`, `foreignObject`, `handler`), no HTML, MathML, XSLT or XML Events
  element or attribute, no processing instruction (`xml-stylesheet`), no
  event-handler attribute, links (`href`) only to a fragment of the same
  file (an `<a>` may link as a page may; an `<image>` may hold a raster
  `data:` image), no animation of an `href` or handler, and CSS (style
  attributes and elements, `url(...)` in any attribute) that loads nothing
  from outside the file.

Files that mkdocs.yml names (extra_javascript, extra_css, the theme's logo
and favicon) are the maintainers' and are not checked here."""
from __future__ import annotations

import codecs
import re
import xml.parsers.expat as expat
from pathlib import Path

from ..diagnostics.problems import Report
from ..markdown.sanitize import unsafe_url

# Files hosts read as configuration, not content (docs/security.md lists which host reads which).
# Dot-names (.htaccess, .well-known/, .nojekyll) are never read as content at all.
HOST_FILES = frozenset(name.casefold() for name in (
    "_redirects", "_headers", "_worker.js", "_routes.json",          # Netlify, Cloudflare Pages, GitLab Pages
    "netlify.toml", "vercel.json", "now.json", "firebase.json",      # Netlify, Vercel, Firebase
    "wrangler.toml", "wrangler.json", "wrangler.jsonc",              # Cloudflare Workers
    "staticwebapp.config.json", "routes.json", "web.config",         # Azure Static Web Apps, IIS
    "static.json", "Staticfile", "Staticfile.auth",                  # Heroku, Cloud Foundry
    "CNAME", "AUTH", "CORS", "ROUTER",                               # GitHub Pages, Surge
))

# Extensions of types a browser renders as a document (HTML, XHTML, XML and every
# +xml type it can open, XSLT) or runs (JavaScript, WebAssembly, Flash, HTML
# applications), and pages a server runs; refused whatever they hold.
ACTIVE_EXTENSIONS = frozenset((
    "html", "htm", "shtml", "shtm", "xhtml", "xht", "mht", "mhtml", "hta", "htc",
    "xml", "xsl", "xslt", "xsd", "dtd", "rss", "atom", "rdf", "mathml", "mml", "kml", "gpx", "xlf", "xliff",
    "smil", "smi", "xaml", "xbap", "xul", "xbl", "vml", "svgz",
    "js", "mjs", "cjs", "jsx", "wasm", "swf",
    "php", "phtml", "php3", "php4", "php5", "php7", "phar", "asp", "aspx", "ascx", "ashx", "asmx",
    "jsp", "jspx", "cgi",
))

MAX_SVG_BYTES = 8 * 1024 * 1024  # an SVG kbgen cannot read whole is not published
SNIFF_BYTES = 1024

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
# namespaces whose elements or attributes a browser gives behaviour to, outside SVG's own
ACTIVE_NAMESPACES = frozenset((
    "http://www.w3.org/1999/xhtml", "http://www.w3.org/1998/Math/MathML", "http://www.w3.org/1999/XSL/Transform",
    "http://www.w3.org/2001/xml-events", "http://www.w3.org/2002/xforms",
    "http://www.mozilla.org/keymaster/gatekeeper/there.is.only.xul", "http://www.mozilla.org/xbl",
))
SVG_ELEMENTS = frozenset("""
a altGlyph altGlyphDef altGlyphItem animate animateColor animateMotion animateTransform circle clipPath
color-profile cursor defs desc ellipse feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix
feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR
feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset fePointLight feSpecularLighting feSpotLight
feTile feTurbulence filter font font-face font-face-format font-face-name font-face-src font-face-uri g glyph
glyphRef hkern image line linearGradient marker mask metadata missing-glyph mpath path pattern polygon polyline
radialGradient rect set stop style svg switch symbol text textPath title tref tspan use view vkern
""".split())
ANIMATIONS = frozenset(("animate", "animateColor", "animateMotion", "animateTransform", "set"))
RASTER_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp|avif);", re.IGNORECASE)
# CSS that loads or runs anything: an @import, an escape (which could spell either), a
# url() or image-set() to anything but a fragment of the file, IE's expression()
_CSS_URL = re.compile(r"url\(\s*(['\"]?)\s*([^)'\"]*)", re.IGNORECASE)
_CSS_ACTIVE = re.compile(r"@import|\\|image-set\s*\(|expression\s*\(|-moz-binding|behavior\s*:", re.IGNORECASE)

_HINT = ("kbgen publishes pages, images and inert files only: show code in a page's code block, link to an "
         "outside site, or convert the file (docs/security.md, \"Files besides pages\")")


def is_host_file(rel: str) -> bool:
    """A path whose file (or folder: `_worker.js/`) a static host obeys."""
    return any(part.casefold() in HOST_FILES for part in rel.split("/"))


def check_asset(path: Path, rel: str, report: Report) -> bool:
    """May this file (not a page or data file) be published? Each refusal
    is a located problem."""
    name = path.name
    if is_host_file(rel):
        report.error(rel, (1, 1), "KB117",
                     f"'{next(p for p in rel.split('/') if p.casefold() in HOST_FILES)}' is a file static hosts obey "
                     "(redirects, headers, server code, the domain); kbgen never publishes one from content",
                     "remove it; redirects and headers are set by the site's maintainers (kbgen writes _headers, "
                     "runbook aliases make redirects), or list it in the kbgen option `ignore` if it is not content")
        return False
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext in ACTIVE_EXTENSIONS:
        report.error(rel, (1, 1), "KB116",
                     f"a .{ext} file is run or shown as a page by browsers or servers; kbgen never publishes one "
                     "from content", _HINT)
        return False
    if ext == "svg":
        return _check_svg(path, rel, report)
    try:
        with open(path, "rb") as fh:
            head = fh.read(SNIFF_BYTES)
    except OSError as exc:
        report.error(rel, (1, 1), "KB100", f"cannot read file: {exc.strerror or exc}")
        return False
    if _markup(head):
        report.error(rel, (1, 1), "KB116",
                     "the file starts with markup ('<'): a host that sends no type, and a browser that sniffs "
                     "one, shows it as a page", _HINT)
        return False
    return True


def _markup(head: bytes) -> bool:
    """Does the file start with '<' after a byte-order mark and blanks (the
    start of every HTML and XML document, as MIME sniffing looks for it)?"""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            text = head[len(bom):].decode(enc, errors="ignore")
            return text.lstrip(" \t\n\r\f").startswith("<")
    return head.lstrip(b" \t\n\r\f").startswith(b"<")


class _Active(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _check_svg(path: Path, rel: str, report: Report) -> bool:
    try:
        if path.stat().st_size > MAX_SVG_BYTES:
            report.error(rel, (1, 1), "KB109", f"SVG over the {MAX_SVG_BYTES:,}-byte limit kbgen checks; not published",
                         "simplify it, or export it as PNG")
            return False
        data = path.read_bytes()
    except OSError as exc:
        report.error(rel, (1, 1), "KB100", f"cannot read file: {exc.strerror or exc}")
        return False
    checker = _SvgCheck()
    try:
        checker.run(data)
    except _Active as exc:
        report.error(rel, checker.where(), "KB116", f"SVG with active content: {exc.message}; not published",
                     "remove it (SVG editors: export as plain or optimized SVG), or export the drawing as PNG")
        return False
    except expat.ExpatError as exc:
        report.error(rel, (exc.lineno or 1, (exc.offset or 0) + 1), "KB116",
                     f"the SVG cannot be read as XML ({expat.ErrorString(exc.code)}); not published",
                     "export it again from its editor, or as PNG")
        return False
    return True


class _SvgCheck:
    def __init__(self):
        p = expat.ParserCreate(namespace_separator=" ")
        p.StartElementHandler = self.start
        p.EndElementHandler = self.end
        p.CharacterDataHandler = self.chars
        p.ProcessingInstructionHandler = self.pi
        p.EntityDeclHandler = self.entity
        p.ExternalEntityRefHandler = self.external
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.p = p
        self.depth = 0
        self.style: list[str] | None = None  # the text of the <style> element being read
        self.style_at = (1, 1)
        self.pos = (1, 1)

    def where(self) -> tuple[int, int]:
        return self.pos

    def _here(self) -> None:
        self.pos = (self.p.CurrentLineNumber, self.p.CurrentColumnNumber + 1)

    def run(self, data: bytes) -> None:
        self.p.Parse(data, True)

    def start(self, name: str, attrs: dict) -> None:
        self._here()
        ns, _, local = name.rpartition(" ")
        if self.depth == 0 and (ns, local) != (SVG, "svg"):
            raise _Active(f"its root element is <{local}>, not an SVG <svg>")
        self.depth += 1
        if self.style is not None:
            raise _Active(f"<{local}> inside <style>")
        if ns in ACTIVE_NAMESPACES:
            raise _Active(f"<{local}> of {ns}")
        if ns == SVG and local not in SVG_ELEMENTS:
            raise _Active(f"<{local}>")
        if not ns:
            raise _Active(f"<{local}> outside the SVG namespace")
        if ns == SVG and local == "style":
            self.style, self.style_at = [], self.pos
        for key, value in attrs.items():
            ans, _, aname = key.rpartition(" ")
            if aname.lower().startswith("on"):
                raise _Active(f"event handler {aname}= on <{local}>")
            if ans in ACTIVE_NAMESPACES:
                raise _Active(f"attribute {aname} of {ans} on <{local}>")
            if aname == "href" and ans in ("", XLINK) and ns == SVG:
                self._href(local, value)
            if ns == SVG and local in ANIMATIONS and aname == "attributeName":
                target = value.rpartition(":")[2].strip().lower()
                if target == "href" or target.startswith("on"):
                    raise _Active(f"<{local}> animating {value}")
            if "url(" in value.lower() or aname == "style":
                self._css(value, f"{aname}= on <{local}>")

    def _href(self, element: str, value: str) -> None:
        v = value.strip()
        if v.startswith("#"):
            return
        if element == "a" and not unsafe_url(v):
            return  # a link, as a page may have one
        if element in ("image", "feImage") and RASTER_DATA.match(v):
            return
        raise _Active(f"<{element}> refers to {v[:60]!r} outside the file")

    def _css(self, css: str, what: str) -> None:
        m = _CSS_ACTIVE.search(css)
        if m:
            raise _Active(f"CSS {m.group(0)!r} in {what}")
        for u in _CSS_URL.finditer(css):
            if not u.group(2).strip().startswith("#"):
                raise _Active(f"CSS url({u.group(2).strip()[:60]!r}) in {what} loads a file")

    def end(self, name: str) -> None:
        self.depth -= 1
        if self.style is not None:
            # the whole text at once: expat may hand it over in pieces
            css, self.style = "".join(self.style), None
            self.pos = self.style_at
            self._css(css, "a <style> element")

    def chars(self, data: str) -> None:
        if self.style is not None:
            self.style.append(data)

    def pi(self, target: str, data: str) -> None:
        self._here()
        raise _Active(f"processing instruction <?{target}?>")

    def entity(self, name, is_parameter, value, base, system_id, public_id, notation) -> None:
        self._here()
        if is_parameter or system_id or public_id or notation:
            raise _Active(f"external entity {name!r}")

    def external(self, context, base, system_id, public_id) -> int:
        self._here()
        raise _Active(f"external entity {system_id!r}")
