"""Static redirect pages, for any renderer: e/<code>/ for every error code
(a code in several tables: a page choosing between them), runbook aliases
and alert names to their runbook. kbgen.site.stage writes them into the
staged project beside the pages."""
from __future__ import annotations

import html
import re

from ..model.entities import KnowledgeBase
from ..text.anchors import code_anchor, page_url


def redirect_html(target: str, title: str) -> str:
    t = html.escape(target, quote=True)
    return (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}</title>\n"
            f'<meta http-equiv="refresh" content="0; url={t}">\n<link rel="canonical" href="{t}">\n'
            f'<meta name="robots" content="noindex">\n</head>\n<body>\n'
            f'<p>Moved to <a href="{t}">{html.escape(title)}</a>.</p>\n</body>\n</html>\n')


def _chooser_html(code: str, targets: list[tuple[str, str]]) -> str:
    items = "\n".join(f'<li><a href="{html.escape(h, quote=True)}">{html.escape(t)}</a></li>' for h, t in targets)
    return (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{html.escape(code)}</title>\n'
            f'<meta name="robots" content="noindex">\n</head>\n<body>\n<h1>{html.escape(code)}</h1>\n'
            f"<p>This code appears in several tables:</p>\n<ul>\n{items}\n</ul>\n</body>\n</html>\n")


def _safe_segment(name: str) -> str | None:
    # Defence in depth: the schema already restricts these names.
    return name if re.fullmatch(r"[A-Za-z0-9_:.-]+", name) and name not in (".", "..") else None


def redirects(kb: KnowledgeBase, directory_urls: bool = True) -> dict[str, str]:
    """Static redirect pages: e/<code>/ for every error code, runbook aliases,
    and alert names -> their runbook. Targets are relative, so they work under
    any site_url and from file://. No two paths differ only by case (they
    would collide on macOS and Windows checkouts and some buckets): the first
    one made wins (codes, then aliases, then alert names as written), and a
    redirect never shadows a page whatever its case."""
    out: dict[str, str] = {}
    folded: set[str] = set()

    def url_of(page: str, anchor: str = "") -> str:
        u = page_url(page) if directory_urls else page[:-3] + ".html"
        return u + (f"#{anchor}" if anchor else "")

    def add(dir_path: str, target_url: str, title: str, html_text: str | None = None) -> None:
        key = f"{dir_path}/index.html" if directory_urls else f"{dir_path}.html"
        if key.casefold() in folded:
            return
        folded.add(key.casefold())
        depth = dir_path.count("/") + 1 if directory_urls else dir_path.count("/")
        rel = "../" * depth + target_url
        out[key] = html_text if html_text is not None else redirect_html(rel, title)

    for _norm, ents in sorted(kb.codes.items()):
        anchor = code_anchor(ents[0].obj.code)
        if len(ents) == 1:
            c = ents[0]
            add(f"e/{anchor}", url_of(c.page, anchor), c.title)
        else:
            depth = 2 if directory_urls else 1
            targets = [("../" * depth + url_of(c.page, code_anchor(c.obj.code)), f"{c.title} ({kb.entities[str(c.parent)].title})")
                       for c in ents]
            add(f"e/{anchor}", "", ents[0].obj.code, _chooser_html(ents[0].obj.code, targets))
    taken = {e.page[:-3].casefold() for e in kb.entities.values() if e.page}
    for rb in sorted(kb.of_type("runbook"), key=lambda e: e.id):
        names = list(rb.obj.aliases)
        for alert in rb.obj.alerts:
            names += [alert, alert.lower()]
        for name in names:
            seg = _safe_segment(name)
            if seg and f"runbooks/{seg}".casefold() not in taken:
                add(f"runbooks/{seg}", url_of(rb.page), rb.title)
    for al in sorted(kb.of_type("alerts"), key=lambda e: e.id):
        for a in al.obj.alerts:
            target = kb.entities.get(a.runbook) if a.runbook else None
            if target is None or target.type != "runbook":
                continue
            for name in (a.name, a.name.lower()):
                seg = _safe_segment(name)
                if seg and f"runbooks/{seg}".casefold() not in taken:
                    add(f"runbooks/{seg}", url_of(target.page), target.title)
    return dict(sorted(out.items()))
