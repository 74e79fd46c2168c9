"""Browser search for a built site: the search box in the header of every
page, in place of Material's (whose <form name="search"> is what makes
Material fetch its lunr index: without it, nothing of lunr is downloaded),
and the index it searches (kbgen.search.browser). The box's script,
assets/kbgen-search.js, ranks that index as `kbgen search` ranks its own.

The HTML is edited as text at anchors Material always writes (the header's
search block or its closing </nav>, </head>, </body>): parsing 10,000 pages
with an HTML parser would cost more than the rest of the step."""
from __future__ import annotations

import gc
import html
import logging
import re
import shutil
import time
from pathlib import Path

from ..search.browser import FOLDER, Written, filter_choices, search_documents, write_index
from .settings import plugin_names

log = logging.getLogger("kbgen.search")

ASSET_DIR = Path(__file__).resolve().parents[1] / "assets"
UI_FILES = ("kbgen-search.js", "kbgen-search-engine.js", "kbgen-search.css")

_MD_SEARCH_LABEL = re.compile(r'<label class="md-header__button md-icon" for="__search">.*?</label>\s*', re.S)
_MD_SEARCH = '<div class="md-search" data-md-component="search"'
_DIV = re.compile(r"<(/?)div\b")


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def search_box(prefix: str, products: list[list[str]], types: list[list[str]], offline: bool = False) -> str:
    """The box's HTML for a page `prefix` ('../' per level) below the site's
    root. products, types: [value, label] of the filters (written into the
    page: choosing one downloads nothing). offline: the index files are
    scripts (file:// pages cannot fetch)."""
    selects = "".join(
        f'<select class="kbgen-search__filter" data-filter="{key}" aria-label="{label}">'
        f'<option value="">{label}</option>'
        + "".join(f'<option value="{_attr(v)}">{html.escape(name)}</option>' for v, name in values) + "</select>"
        for key, label, values in (("product", "All products", products), ("type", "All types", types))
        if values)
    return (f'<div class="kbgen-search" role="search" data-root="{prefix or "./"}" data-index="{prefix}{FOLDER}/"'
            + (' data-format="js"' if offline else "") + '>'
            '<input type="search" class="kbgen-search__input" placeholder="Search" aria-label="Search" '
            'autocomplete="off" autocapitalize="off" spellcheck="false" enterkeyhint="search">'
            '<div class="kbgen-search__panel" hidden>'
            f'<div class="kbgen-search__filters">{selects}</div>'
            '<p class="kbgen-search__meta" aria-live="polite"></p>'
            '<ol class="kbgen-search__results"></ol></div></div>\n')


def _cut_material_search(text: str) -> tuple[str, int]:
    """Remove Material's search button and dialog; return the text and where they were (-1: absent)."""
    start = text.find(_MD_SEARCH)
    if start < 0:
        return text, -1
    depth, end = 0, -1
    for m in _DIV.finditer(text, start):
        depth += -1 if m.group(1) else 1
        if depth == 0:
            end = text.index(">", m.end()) + 1
            break
    if end < 0:
        return text, -1
    labels = list(_MD_SEARCH_LABEL.finditer(text, 0, start))
    begin = labels[-1].start() if labels else start  # the search button just before the dialog
    return text[:begin] + text[end:], begin


def add_box(text: str, prefix: str, box: str) -> str:
    """Put the search box in the header and load its script and style (the
    script fetches nothing of the index before the reader focuses the box)."""
    if 'class="md-header' not in text or 'class="kbgen-search"' in text:
        return text
    text, at = _cut_material_search(text)
    if at < 0:
        header_end = text.find("</header>")
        at = text.rfind("</nav>", 0, header_end) if header_end > 0 else -1
        if at < 0:
            return text
    text = text[:at] + box + text[at:]
    css = f'<link rel="stylesheet" href="{prefix}assets/kbgen/kbgen-search.css">'
    js = f'<script src="{prefix}assets/kbgen/kbgen-search.js" defer></script>'
    text = text.replace("</head>", css + "\n</head>", 1)
    return text.replace("</body>", js + "\n</body>", 1)


class Boxes:
    """The box for each page of one build (one HTML per depth)."""

    def __init__(self, products: list[list[str]], types: list[list[str]], offline: bool):
        self.products, self.types, self.offline = products, types, offline
        self.by_prefix: dict[str, str] = {}

    def signature(self) -> tuple:
        """What every page's box holds: when it changes, every page must be written again."""
        return tuple(map(tuple, self.products)), tuple(map(tuple, self.types)), self.offline

    def apply(self, rel: str, text: str) -> str:
        """The page at site-relative path rel, with the box (404.html is
        served at any depth, so relative links from it would break: left alone)."""
        if rel == "404.html" or "<article" not in text:  # redirect stubs
            return text
        prefix = "../" * rel.count("/")
        if prefix not in self.by_prefix:
            self.by_prefix[prefix] = search_box(prefix, self.products, self.types, self.offline)
        return add_box(text, prefix, self.by_prefix[prefix])


def copy_assets(site: Path) -> None:
    assets = Path(site) / "assets" / "kbgen"
    assets.mkdir(parents=True, exist_ok=True)
    for name in UI_FILES:
        shutil.copyfile(ASSET_DIR / name, assets / name)


def add_to_pages(site: Path, boxes: Boxes) -> int:
    """The box on every page of a built site, one page at a time (read,
    edit, write: the site's HTML is never all in memory), and its script and
    style. Returns the number of pages that got it."""
    site = Path(site)
    pages = 0
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        if rel.startswith(FOLDER + "/"):
            continue
        text = path.read_text(encoding="utf-8")
        new = boxes.apply(rel, text)
        if new != text:
            path.write_text(new, encoding="utf-8")
            pages += 1
    copy_assets(site)
    return pages


def offline_site(config: dict) -> bool:
    """Is a staged site (its mkdocs.yml settings) built for file://? Material's
    offline plugin makes it one (and names its pages name.html)."""
    return bool({"offline", "material/offline"} & set(plugin_names(config.get("plugins"))))


def index_site(view, site: Path, offline: bool = False, directory_urls: bool = True) -> Written:
    """Browser search for one audience's built site: the search box on every
    page and the index it searches, made from this audience's view only (a
    public index never sees an internal document)."""
    start = time.perf_counter()
    # millions of small, acyclic objects: with a build's pages still alive, each of
    # the collector's full passes would walk them all (48 s instead of 18 at 10,000 pages)
    collecting = gc.isenabled()
    gc.disable()
    try:
        docs = search_documents(view)
        pages = add_to_pages(site, Boxes(*filter_choices(view), offline))
        written = write_index(view, site, offline, directory_urls, docs)
    finally:
        if collecting:
            gc.enable()
    log.info("browser search: %d documents in %d files (%.1f MB) for %d pages in %.1f s", written.documents,
             written.files, written.bytes / 1e6, pages, time.perf_counter() - start)
    return written
