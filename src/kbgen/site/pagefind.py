"""Browser search with Pagefind: a post-build step on the built HTML.

`index_site(view, site_dir)` runs on the temporary site folder, before the
swap. It
  1. marks up each page for Pagefind (only the article is indexed; product and
     type filters; an error code's heading, and the code links in its runbook's
     facts, weighted so typing the code ranks its entry first; listing pages
     indexed by their title only, so they do not outrank the entries they list);
  2. puts kbgen's search box in Material's header, in place of Material's own
     (its <form name="search"> is what makes Material fetch search_index.json,
     so removing it means the lunr index is never downloaded);
  3. runs the Pagefind binary that the `pagefind[bin]` wheel ships, which
     writes the index into <site>/pagefind/: a reader downloads only the
     chunks and fragments a query needs.

Offline (file://) builds are left alone: Pagefind loads its index with
fetch() and WebAssembly, which Chromium refuses for file:// URLs, so those
keep Material's offline lunr search (docs/site.md, "Browser search").

The HTML is edited as text at anchors Material always writes (the article
tag, the header's search block or its closing </nav>): parsing 10,000 pages
with an HTML parser would cost more than the rest of the step.
"""
from __future__ import annotations

import gzip
import hashlib
import html
import json
import logging
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import BuildFailed
from ..text.anchors import page_url

BUNDLE = "pagefind"  # the index folder, at the site's root
ASSET_DIR = Path(__file__).resolve().parent.parent / "assets"
UI_FILES = ("pagefind-search.js", "pagefind-search.css")
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")
CODE_WEIGHT = "10"
# not words of the page: heading permalinks (the pilcrow), edit/view buttons
EXCLUDE = ".headerlink, .md-content__button"  # Pagefind's highest: an h1 is 7 by default

LISTING = "Index"  # pages kbgen generates that list other pages (home, indexes, tags)

_ARTICLE = re.compile(r'<article class="md-content__inner[^"]*"')
_H1 = re.compile(r"<h1\b")
_HEADING = re.compile(r'<(h[1-6]) id="([^"]+)"')
_MD_SEARCH_LABEL = re.compile(r'<label class="md-header__button md-icon" for="__search">.*?</label>\s*', re.S)
_MD_SEARCH = '<div class="md-search" data-md-component="search"'
_DIV = re.compile(r"<(/?)div\b")


log = logging.getLogger("kbgen.pagefind")


class PagefindFailed(BuildFailed):
    """The index could not be made; the message says why (the build fails,
    the previous site stays)."""


@dataclass
class PageFacts:
    title: str
    type: str
    products: list[str]
    code_anchors: set[str]   # headings on this page that are an error code's entry


@dataclass
class Result:
    pages: int       # pages indexed
    listing: int     # of which indexed by title only
    bundle: Path


def executable() -> Path:
    """The binary inside the pagefind_bin wheel (never a download)."""
    try:
        from pagefind_bin import get_executable
        return Path(get_executable())
    except (ImportError, FileNotFoundError) as exc:
        found = shutil.which("pagefind")
        if found:
            return Path(found)
        raise PagefindFailed("the Pagefind binary is missing: install kbgen with its dependencies "
                             f"(pip install 'pagefind[bin]') ({exc})") from None


def page_facts(view) -> dict[str, PageFacts]:
    """Facts by site-relative page URL ('runbooks/x/'), for the pages of entities."""
    names = {p.id: p.name for p in getattr(view.config.options, "products", [])}
    out: dict[str, PageFacts] = {}
    for e in view.entities.values():
        if not e.page or e.parent:
            continue
        out[page_url(e.page)] = PageFacts(
            e.title, e.kind.label if e.kind else e.type.replace("-", " ").capitalize(),
            [names.get(p, p) for p in e.products], set())
    for e in view.entities.values():
        if e.parent and e.page:  # an entry of a table (a code): its anchor on the page
            facts = out.get(page_url(e.page))
            if facts and "#" in e.url:
                facts.code_anchors.add(e.url.split("#", 1)[1])
    return out


def _url_of(rel: str) -> str:
    """'runbooks/x/index.html' -> 'runbooks/x/'; 'runbooks/x.html' -> 'runbooks/x/'."""
    if rel == "index.html":
        return ""
    if rel.endswith("/index.html"):
        return rel[: -len("index.html")]
    return rel[: -len(".html")] + "/"


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def mark_page(text: str, facts: PageFacts | None) -> str:
    """Pagefind attributes for one page's HTML (unchanged when it has no article)."""
    m = _ARTICLE.search(text)
    if not m:
        return text
    if facts is None:  # a listing: index its title only
        h = _H1.search(text, m.end())
        if not h:
            return text
        head = text[: h.start()] + '<h1 data-pagefind-body data-pagefind-filter="type:' + LISTING + '"'
        return head + text[h.end():]
    # values in an attribute of their own: "key:value" would split a name at its commas
    tags = [f'<span hidden data-pagefind-filter="type[data-v]" data-v="{_attr(facts.type)}"></span>',
            f'<span hidden data-pagefind-meta="type[data-v]" data-v="{_attr(facts.type)}"></span>',
            f'<span hidden data-pagefind-meta="title[data-v]" data-v="{_attr(facts.title)}"></span>']
    tags += [f'<span hidden data-pagefind-filter="product[data-v]" data-v="{_attr(p)}"></span>' for p in facts.products]
    end = text.index(">", m.end()) + 1
    body = text[end:]
    if facts.code_anchors:
        body = _HEADING.sub(lambda h: h.group(0) + (f' data-pagefind-weight="{CODE_WEIGHT}"'
                                                    if h.group(2) in facts.code_anchors else ""), body)
    return text[: m.end()] + " data-pagefind-body" + text[m.end(): end] + "".join(tags) + body


WORKER_PAGES = 2000  # from this many pages, Pagefind searches in its web worker (see search_box)


def search_box(prefix: str, filters: dict[str, list[str]], worker: bool = False) -> str:
    """The search box kbgen puts in Material's header (pagefind-search.js drives it).
    worker: search in Pagefind's web worker (41 KB more for the reader): on a
    big site a query for a frequent word takes a few hundred ms (270 ms at
    10,000 pages), which in the page would hold up the keystrokes typed meanwhile."""
    selects = "".join(
        f'<select class="kbgen-search__filter" data-filter="{key}" aria-label="{label}">'
        f'<option value="">{label}</option>'
        + "".join(f'<option value="{_attr(v)}">{html.escape(v)}</option>' for v in values) + "</select>"
        for key, label, values in (("product", "All products", filters.get("product", [])),
                                   ("type", "All types", filters.get("type", [])))
        if values)
    return (f'<div class="kbgen-search" role="search" data-bundle="{prefix}{BUNDLE}/"'
            + (" data-worker" if worker else "") + '>'
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


def add_ui(text: str, prefix: str, box: str) -> str:
    """Put the search box in the header and load its script and style (lazy:
    nothing of the index is fetched before the reader types)."""
    if 'class="md-header' not in text:
        return text
    text, at = _cut_material_search(text)
    if at < 0:
        header_end = text.find("</header>")
        at = text.rfind("</nav>", 0, header_end) if header_end > 0 else -1
        if at < 0:
            return text
    text = text[:at] + box + text[at:]
    css = f'<link rel="stylesheet" href="{prefix}assets/kbgen/pagefind-search.css">'
    js = f'<script type="module" src="{prefix}assets/kbgen/pagefind-search.js"></script>'
    text = text.replace("</head>", css + "\n</head>", 1)
    return text.replace("</body>", js + "\n</body>", 1)


def _filter_values(facts: dict[str, PageFacts]) -> dict[str, list[str]]:
    return {"product": sorted({p for f in facts.values() for p in f.products}),
            "type": sorted({f.type for f in facts.values()} | {LISTING})}


def is_offline(site_dir: Path) -> bool:
    """Material's offline plugin writes the lunr index as a script (file://
    pages cannot fetch JSON): that is what an offline build looks like."""
    return (Path(site_dir) / "search" / "search_index.js").is_file()


def index_site(view, site_dir: Path, offline: bool | None = None, quiet: bool = True) -> Result | None:
    """Mark up, add the search box to, and index the HTML in site_dir (one
    audience's build: the index holds exactly the pages of that build).
    Returns None for an offline build (left to Material's lunr search);
    offline=None tells one from the built files. kbgen.site runs the two
    halves apart (mark_site, then run_pagefind once the build's memory is
    given back)."""
    site_dir = Path(site_dir)
    if offline is None:
        offline = is_offline(site_dir)
    if offline:
        return None
    start = time.perf_counter()
    pages, listing = mark_site(view, site_dir)
    bundle = run_pagefind(site_dir, quiet)
    log.info("browser search: Pagefind indexed %d pages (%d by title only) in %.1f s", pages, listing,
             time.perf_counter() - start)
    return Result(pages, listing, bundle)


def mark_site(view, site_dir: Path) -> tuple[int, int]:
    """Steps 1 and 2, one page at a time (read, edit, write: the site's HTML
    is never all in memory): Pagefind's marks and kbgen's search box on every
    page, and the box's script and style. Returns (pages marked, of which
    listings indexed by title only)."""
    site_dir = Path(site_dir)
    facts = page_facts(view)
    filters = _filter_values(facts)
    pages = listing = 0
    boxes: dict[str, str] = {}  # by depth
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        if rel.startswith(BUNDLE + "/") or rel == "404.html":
            continue
        text = path.read_text(encoding="utf-8")
        if "<article" not in text or 'class="kbgen-search"' in text:  # redirect stubs; pages done already
            continue
        prefix = "../" * rel.count("/")
        page = facts.get(_url_of(rel))
        if prefix not in boxes:
            boxes[prefix] = search_box(prefix, filters, worker=len(facts) >= WORKER_PAGES)
        new = add_ui(mark_page(text, page), prefix, boxes[prefix])
        if new != text:
            path.write_text(new, encoding="utf-8")
            pages += 1
            listing += page is None
    # 404.html is skipped: it is served at any depth, so relative links to the
    # search script would break there
    assets = site_dir / "assets" / "kbgen"
    assets.mkdir(parents=True, exist_ok=True)
    for name in UI_FILES:
        shutil.copyfile(ASSET_DIR / name, assets / name)
    return pages, listing


def run_pagefind(site_dir: Path, quiet: bool = True) -> Path:
    """Step 3: the Pagefind binary on the marked site, into <site>/pagefind/
    (Pagefind's own UIs removed, filter files in a stable order). Pagefind
    holds the whole index in memory while it writes it (about 85 KB a page:
    850 MB at 10,000 pages), so kbgen.site runs it after the build has given
    back MkDocs' pages. Returns the bundle folder."""
    site_dir = Path(site_dir)
    bundle = site_dir / BUNDLE
    shutil.rmtree(bundle, ignore_errors=True)
    cmd = [str(executable()), "--site", str(site_dir), "--output-subdir", BUNDLE, "--exclude-selectors", EXCLUDE,
           "--silent" if quiet else "--quiet"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not (bundle / "pagefind.js").is_file():
        raise PagefindFailed(f"pagefind failed (exit {proc.returncode}): {(proc.stderr or proc.stdout).strip()[-2000:]}")
    for name in UNUSED:  # Pagefind's own UIs: kbgen's box uses its API only
        (bundle / name).unlink(missing_ok=True)
    stable_filters(bundle)
    warm_up_words(bundle)
    return bundle


# -- the first query as fast as the next ----------------------------------------
# Chromium runs WebAssembly first with a quick baseline compiler and compiles a
# function again, optimised, once it has run a while; a search is one long call,
# so a page's first query runs all of it on the slow code (at 10,000 pages, 470
# against 270 ms for a word on every page). kbgen's box runs one warm-up query
# when the reader focuses it: a word whose index chunk is a few KB (the
# download) and that is on a few thousand pages (enough work for the optimised
# code; more only costs time). pagefind-entry.json carries it, per language.

WARM_PAGES = 3000   # pages of the warm-up word: enough for Chromium to optimise Pagefind's search
WARM_CHUNK = 4096   # bytes: the most the warm-up downloads (one index chunk)


def warm_up_words(bundle: Path) -> dict[str, str]:
    """Pick each language's warm-up word and write it into
    pagefind-entry.json ("kbgen_warm"). Returns {language: word}; a bundle
    kbgen cannot read is left as it is."""
    entry_path = bundle / "pagefind-entry.json"
    words = {}
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        for lang, info in entry["languages"].items():
            meta = _read(bundle / f"pagefind.{info['hash']}.pf_meta")
            best = None
            for chunk in meta[2]:  # [first word, last word, file hash]
                path = bundle / "index" / f"{chunk[2]}.pf_index"
                size = path.stat().st_size
                if size > WARM_CHUNK:
                    continue
                for word in _read(path)[0]:  # [word, [[page, locations, ...], ...], ...]
                    if not (isinstance(word[0], str) and word[0].isalpha()):
                        continue
                    key = (abs(len(word[1]) - WARM_PAGES), size, word[0])
                    best = min(best or key, key)
            if best:
                info["kbgen_warm"] = words[lang] = best[2]
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        log.warning("browser search: no warm-up word for the first query (%s)", exc)
        return {}
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return words


# -- byte-identical builds ----------------------------------------------------
# Pagefind 1.5 writes the values of a filter in hash-map order, which changes
# from run to run (Pagefind issue 638: fragments are stable, filter indexes
# not), and the file names are hashes of the contents. kbgen's builds are
# byte-identical, so the filter files are rewritten with their values sorted,
# and renamed with the metadata file that names them. The files are
# "pagefind_dcd" + CBOR, gzipped; the few lines below read and write the CBOR
# subset Pagefind writes (integers, strings, arrays, maps) rather than add a
# dependency for it, and leave the bundle as Pagefind wrote it when anything
# else shows up.

_SIGNATURE = b"pagefind_dcd"


def _cbor_load(b: bytes, i: int = 0):
    head = b[i]
    major, info = head >> 5, head & 31
    i += 1
    if info < 24:
        n = info
    elif info <= 27:
        size = 1 << (info - 24)
        n, i = int.from_bytes(b[i:i + size], "big"), i + size
    else:
        raise ValueError(f"CBOR item {head:#x}")
    if major == 0:
        return n, i
    if major == 1:  # a negative integer (index chunks hold some)
        return -1 - n, i
    if major in (2, 3):
        raw = bytes(b[i:i + n])
        return (raw if major == 2 else raw.decode("utf-8")), i + n
    if major == 4:
        out = []
        for _ in range(n):
            v, i = _cbor_load(b, i)
            out.append(v)
        return out, i
    if major == 5:
        pairs = {}
        for _ in range(n):
            k, i = _cbor_load(b, i)
            pairs[k], i = _cbor_load(b, i)
        return pairs, i
    raise ValueError(f"CBOR major type {major}")


def _cbor_head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError("CBOR length")


def _cbor_dump(v) -> bytes:
    if isinstance(v, bool) or v is None:
        raise ValueError("CBOR simple value")
    if isinstance(v, int):
        return _cbor_head(0, v) if v >= 0 else _cbor_head(1, -1 - v)
    if isinstance(v, bytes):
        return _cbor_head(2, len(v)) + v
    if isinstance(v, str):
        raw = v.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(v, list):
        return _cbor_head(4, len(v)) + b"".join(_cbor_dump(x) for x in v)
    if isinstance(v, dict):
        return _cbor_head(5, len(v)) + b"".join(_cbor_dump(k) + _cbor_dump(x) for k, x in v.items())
    raise ValueError(f"CBOR {type(v).__name__}")


def _read(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_SIGNATURE):
        raise ValueError(f"{path.name}: no Pagefind signature")
    body = data[len(_SIGNATURE):]
    value, end = _cbor_load(body)
    if end != len(body) or _cbor_dump(value) != body:  # must round-trip exactly
        raise ValueError(f"{path.name}: not the CBOR kbgen reads")
    return value


def _write(path: Path, value) -> None:
    path.write_bytes(gzip.compress(_SIGNATURE + _cbor_dump(value), mtime=0))


def _name(prefix: str, value, digits: int) -> str:
    return f"{prefix}_{hashlib.sha256(_cbor_dump(value)).hexdigest()[:digits]}"


def stable_filters(bundle: Path) -> None:
    """Sort each filter's values, and rename the filter and metadata files by
    their new contents (pagefind-entry.json names the metadata file)."""
    entry_path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        plan = []
        for lang, info in entry["languages"].items():
            meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
            meta = _read(meta_path)
            renames = []
            for pair in meta[3]:  # [filter name, file hash]
                old = bundle / "filter" / f"{pair[1]}.pf_filter"
                value = _read(old)
                value[1].sort(key=lambda v: v[0])  # [name, [[value, [pages]], ...]]
                pair[1] = _name(lang, value, 7)
                renames.append((old, bundle / "filter" / f"{pair[1]}.pf_filter", value))
            meta[3].sort(key=lambda pair: pair[0])  # the filters, also in hash-map order
            plan.append((lang, info, meta_path, meta, renames))
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        log.warning("browser search: Pagefind's filter files were left in hash-map order (%s)", exc)
        return
    for lang, info, meta_path, meta, renames in plan:
        for old, new, value in renames:
            old.unlink()
            _write(new, value)
        info["hash"] = _name(lang, meta, 10)
        meta_path.unlink()
        _write(bundle / f"pagefind.{info['hash']}.pf_meta", meta)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
