"""The steps on the built HTML, before it replaces the last good site:
kb.json and friends, the guard that every page was written, the search box
and its index (kbgen.site.searchbox), the CSP (kbgen.site.csp), then the
marker that lets the next build replace it."""
from __future__ import annotations

from pathlib import Path

from ..errors import BuildFailed
from ..outputs import write_outputs
from ..text.anchors import page_url
from .csp import apply_csp
from .searchbox import index_site
from .swap import SITE_MARKER


def post_build(view, site: Path, offline: bool = False) -> None:
    """Steps on the built site, before it replaces the previous one (the
    place for steps that read or rewrite the HTML: the search box and its
    index, a CSP). An exception here keeps the previous site."""
    post_html(view, site, offline)
    finish_site(site, view.audience)


def post_html(view, site: Path, offline: bool = False) -> None:
    """The steps that need the view: kb.json and friends, browser search (the
    box on every page and its index), the CSP. offline: a build for file://
    (its pages are name.html, its index files scripts)."""
    write_outputs(view, site)  # the staged copies, whatever the renderer did with them
    index_site(view, site, offline=offline, directory_urls=not offline)
    apply_csp(view, site, offline=offline)  # last HTML step: hashes the theme's inline scripts as written


def finish_site(site: Path, audience: str) -> None:
    """The marker that lets the next build replace this site."""
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

