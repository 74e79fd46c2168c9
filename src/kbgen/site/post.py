"""The steps on the built HTML, before it replaces the last good site:
kb.json and friends, the guard that every page was written, Pagefind's
marks and search box (kbgen.site.pagefind), the CSP (kbgen.site.csp), then
the Pagefind index and the marker that lets the next build replace it."""
from __future__ import annotations

import time
from pathlib import Path

from ..errors import BuildFailed
from ..outputs import write_outputs
from ..text.anchors import page_url
from .csp import apply_csp
from .pagefind import is_offline, mark_site, run_pagefind
from .pagefind import log as pagefind_log
from .swap import SITE_MARKER


def post_build(view, site: Path) -> None:
    """Steps on the built site, before it replaces the previous one (the
    place for steps that read or rewrite the HTML: a search index, a CSP).
    An exception here keeps the previous site. build_site runs the two
    halves apart, to give memory back between them."""
    finish_site(site, view.audience, post_html(view, site))


def post_html(view, site: Path) -> tuple[int, int] | None:
    """The steps that need the view: kb.json and friends, Pagefind's marks and
    the search box on every page, the CSP. Returns (pages marked, of which
    listings) for Pagefind to index, or None for an offline build (it keeps
    Material's lunr search)."""
    write_outputs(view, site)  # the staged copies, whatever the renderer did with them
    marked = None if is_offline(site) else mark_site(view, site)  # browser search (kbgen.site.pagefind)
    # last HTML step: hashes the theme's inline scripts as written (kbgen.site.csp);
    # Pagefind reads the pages, it does not change them
    apply_csp(view, site, wasm=marked is not None)
    return marked


def finish_site(site: Path, audience: str, marked: tuple[int, int] | None) -> None:
    """The steps that need no view: the Pagefind index of the marked pages,
    then the marker that lets the next build replace this site."""
    if marked is not None:
        start = time.perf_counter()
        run_pagefind(site)
        pagefind_log.info("browser search: Pagefind indexed %d pages (%d by title only) in %.1f s", *marked,
                          time.perf_counter() - start)
    (site / SITE_MARKER).write_text(f"built by kbgen for the {audience} audience\n", encoding="utf-8")


def check_output(view, out_dir: Path) -> None:
    """The guard: a renderer that wrote elsewhere or nothing must not replace
    a good site with an empty one. Every page the KB has (its entities' pages,
    the generated indexes, the home page) must be in out_dir."""
    expected = {e.page for e in view.entities.values() if e.page} | {"runbooks/index.md", "error-codes/index.md"}

    def written(page: str) -> bool:
        stem = page.rsplit(".", 1)[0]
        return (out_dir / page_url(page) / "index.html").is_file() or (out_dir / f"{stem}.html").is_file()

    missing = sorted(p for p in expected if not written(p))
    if missing:
        home = "no home page, " if "index.md" in missing else ""
        raise BuildFailed(f"the renderer wrote {home}{len(expected) - len(missing)} of the {len(expected)} pages the "
                          f"knowledge base has (missing: {', '.join(missing[:3])}{', ...' if len(missing) > 3 else ''});"
                          " the previous site was left untouched")

