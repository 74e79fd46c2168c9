"""Links from one page to others in the (audience-filtered) knowledge base.

Everything a page shows of other entities is looked up through its Linker
(Linker.read), so the page cache (kbgen.pages.cache) knows what each page
read; and a writer's links to source files become links to the pages they
became (rewrite_links), at the offsets kbgen.markdown's reading found."""
from __future__ import annotations

import html
import os
import posixpath
from urllib.parse import quote

from ..kinds.alerts import AlertsKind
from ..kinds.base import index, memo
from ..kinds.sla import priority_label
from ..model.entities import Entity, KnowledgeBase
from ..model.links import is_external, resolve_link, site_anchor
from ..text import escape
from ..text.anchors import alert_anchors, code_anchor, page_url, relative


class Linker:
    """Relative links from one page to others in the (filtered) kb.

    Everything a page shows of other entities is looked up here, through
    read(): the answers are kept with the page, and the page cache
    (kbgen.pages.cache) renders the page again only when one of them would
    now be different. So a lookup a template or a kind makes must go
    through the Linker (link.id, link.title, link.read...), never kb itself."""

    absolute = False  # links relative to the page (SiteLinker: the site's URLs)

    def __init__(self, kb: KnowledgeBase, page: str):
        self.kb, self.page = kb, page
        self.reads: dict[tuple, object] = {}  # (function, args) -> its answer

    def read(self, fn, *args):
        """fn(kb, *args), noted for the page cache. fn is a module-level
        function of the kb returning plain values (tuples of strings), so
        the answer can be asked again of a later kb and compared."""
        key = (fn, args)
        if key not in self.reads:
            self.reads[key] = fn(self.kb, *args)
        return self.reads[key]

    def to_page(self, target_page: str, anchor: str = "") -> str:
        rel = relative(target_page, posixpath.dirname(self.page))
        return rel + (f"#{anchor}" if anchor else "")

    def _href(self, found: tuple | None, anchor: str) -> str | None:
        if found is None:
            return None
        _, page, url, _, entry = found
        if entry and not anchor and "#" in url:  # an entry of a table: its anchor on the page
            anchor = url.split("#", 1)[1]
        return self.to_page(page, anchor)

    def entity(self, ent: Entity | None, anchor: str = "") -> str | None:
        return None if ent is None else self._href(self.read(target_by_id, ent.id), anchor)

    def id(self, ident: str, anchor: str = "") -> str | None:
        return self._href(self.read(target, ident), anchor)

    def title(self, ident: str) -> str:
        """The title of the entity an id or alias names (the id itself when it is not in this build)."""
        found = self.read(target, ident)
        return found[3] if found is not None else str(ident)

    def md(self, label: str, ident: str, anchor: str = "") -> str:
        """A Markdown link, or plain text when the target is not published in this build."""
        href = self.id(ident, anchor)
        return f"[{escape.text(label)}]({href})" if href else escape.text(label)

    def code(self, ref: str) -> str:
        found = self.read(codes_of, str(ref))
        if len(found) == 1:
            return f"[{escape.text(found[0][0])}]({self._href(found[0][1], '')})"
        return escape.text(str(ref).split(":")[-1])

    def code_list(self, codes: list[Entity]) -> str:
        return ", ".join(f"[{escape.text(c.obj.code)}]({self.entity(c)})" for c in codes)

    def tier(self, tier_id: str) -> str:
        found = self.read(tier_named, tier_id)
        if found is None:
            return "the next support tier"  # its tiers file is not published in this build
        name, where, anchor = found
        return f"[{escape.text(name)}]({self._href(where, anchor)})"

    def priority(self, pid: str) -> str:
        found = self.read(priority_named, pid)
        if found is None:
            return escape.text(pid)
        name, where = found
        return f"[{escape.text(priority_label(pid, name))}]({self._href(where, code_anchor(pid))})"

    def alert(self, name: str) -> str:
        """An alert's name, linked to its entry in an alert catalogue of this build when there is one."""
        found = self.read(alert_named, str(name))
        if found is None:
            return escape.text(name)
        where, anchor = found
        return f"[{escape.text(name)}]({self._href(where, anchor)})"

    def alerts(self, names) -> str:
        return ", ".join(self.alert(n) for n in names)

    def product(self, pid: str) -> str:
        name = next((p.name for p in self.kb.config.options.products if p.id == pid), pid)
        return f"[{escape.text(name)}]({self.to_page(f'products/{pid}.md')})"


class SiteLinker(Linker):
    """Links as the site's URLs (the config's site_url and the page's URL),
    for a page read outside the site (`kbgen mcp`'s answers)."""

    absolute = True

    def to_page(self, target_page: str, anchor: str = "") -> str:
        url = page_url(target_page) if target_page.endswith(".md") else target_page  # an asset: its path
        return (self.kb.site_url(url) or "./") + (f"#{anchor}" if anchor else "")


def _found(ent: Entity | None, kb: KnowledgeBase) -> tuple | None:
    if ent is None or ent.id not in kb.entities or not ent.page:
        return None
    return (ent.id, ent.page, ent.url, ent.title, bool(ent.parent))


def target_by_id(kb: KnowledgeBase, ident: str) -> tuple | None:
    """(id, page, url, title, is an entry of a table) of an entity in this build, or None."""
    return _found(kb.entities.get(ident), kb)


def target(kb: KnowledgeBase, ident: str) -> tuple | None:
    """target_by_id, for an id or a runbook's alias."""
    return _found(kb.entities.get(ident) or index(kb, "runbook_by_alias").get(ident), kb)


def codes_of(kb: KnowledgeBase, ref: str) -> tuple:
    """((code, target) ...) of the error codes a reference names."""
    return tuple((str(c.obj.code), _found(c, kb)) for c in kb.resolve_code(ref))


def tier_named(kb: KnowledgeBase, tier_id: str) -> tuple | None:
    for ent, t in index(kb, "tiers_index").get(tier_id, [])[:1]:
        return (t.name, _found(ent, kb), t.id)
    return None


def priority_named(kb: KnowledgeBase, pid: str) -> tuple | None:
    for ent, p in index(kb, "priorities_index").get(pid, [])[:1]:
        return (p.name, _found(ent, kb))
    return None


def alert_named(kb: KnowledgeBase, name: str) -> tuple | None:
    """(target, anchor) of an alert's first entry in the alert catalogues of this build, by name in any case."""
    def build() -> dict:
        out: dict[str, tuple] = {}
        for ent in kb.of_type(AlertsKind.type):
            for a, anchor in zip(ent.obj.alerts, alert_anchors(ent.obj.alerts)):
                out.setdefault(a.name.lower(), (ent, anchor))
        return out
    hit = memo(kb, "alert_named", build).get(name.lower())
    return None if hit is None else (_found(hit[0], kb), hit[1])


def link_target(kb: KnowledgeBase, from_rel: str, target: str) -> tuple | None:
    """What a writer's link to `target` in from_rel becomes in this build:
    ("page", page, anchor), ("asset", site path, anchor), ("drop",) for
    content this build does not publish (internal, in a public build: the
    filtered view does not know it) or a file that is not published at all,
    or None for a broken link (validation reported it)."""
    res = resolve_link(kb, from_rel, target)
    if res.entity is not None and res.entity.id in kb.entities and res.entity.page:
        return ("page", res.entity.page, res.anchor)
    if res.asset:
        return ("asset", asset_path(kb, res.asset), res.anchor)
    if res.entity is not None or (res.missing is not None and os.path.isfile(kb.config.root / res.missing)):
        return ("drop",)
    return None


def asset_path(kb: KnowledgeBase, rel: str) -> str:
    """Where an asset (a KB-root-relative source path) stands in the site:
    under the docs folder, its path there; elsewhere (an image beside a
    runbook), its path from the KB root."""
    docs = kb.config.docs_dir.strip("/").removeprefix("./")
    docs = "" if docs in ("", ".") else docs + "/"
    return rel[len(docs):] if docs and rel.startswith(docs) else rel


def rewrite_links(kb: KnowledgeBase, from_rel: str, page_path: str, reading, directory_urls: bool = True,
                  linker: Linker | None = None) -> str:
    """The text of a reading (kbgen.markdown) with links written against
    source files mapped to the pages they became, in place at the offsets the
    reading found: `../runbooks/x.yaml#causes` -> `../runbooks/x.md#causes`.
    Every link form is covered (inline, reference definitions, raw HTML);
    text in code is never touched. A link to something not in this build
    (internal, in a public build) keeps its words and loses the link.
    linker: the page's, when the page is being rendered (its reads are kept)."""
    if reading is None:
        return ""
    text = reading.text
    linker = linker or Linker(kb, page_path)
    edits: dict[int, tuple[int, str]] = {}
    for link in reading.links:
        t = link.target
        if link.start >= 0 and t.startswith("#") and len(t) > 1:
            mapped = site_anchor(kb.by_source.get(from_rel), t[1:])  # written for GitHub's anchors
            if mapped != t[1:]:
                edits[link.start] = (link.end, "#" + quote(mapped, safe="%:@!$&'()*+,;=._~-"))
            continue
        if link.start < 0 or not t or is_external(t) or t.startswith("#"):
            continue
        found = linker.read(link_target, from_rel, t)
        if found is None:
            continue  # a broken link: validation reported it
        if found[0] == "drop":
            dropped = _drop_link(text, link)
            if dropped:
                edits[dropped[0]] = dropped[1:]
                continue
            new = "#"
        else:
            new = linker.to_page(found[1], found[2])
        if link.kind == "html":
            # the renderer maps Markdown links to URLs, never raw HTML: give the URL itself
            new = html.escape(new if linker.absolute else _url_between(page_path, new, directory_urls), quote=True)
        else:
            new = quote(new, safe="/#%:@!$&'()*+,;=._~-")
        edits[link.start] = (link.end, new)
    if not edits:
        return text
    out, pos = [], 0
    for start in sorted(edits):
        end, new = edits[start]
        if start < pos:
            continue  # overlaps an edit already made (a dropped link's span)
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _url_between(page_path: str, rel_target: str, directory_urls: bool) -> str:
    """The URL, relative to the page page_path, of rel_target (a Markdown
    path relative to that page, as Linker.to_page gives it)."""
    path, _, anchor = rel_target.partition("#")
    target = posixpath.normpath(posixpath.join(posixpath.dirname(page_path), path)) if path else page_path

    def url(p: str) -> str:
        if not p.endswith(".md"):
            return p  # an asset
        return page_url(p) if directory_urls else p[:-3] + ".html"
    here, there = url(page_path), url(target)
    base = here if here.endswith("/") or not here else posixpath.dirname(here)
    rel = posixpath.relpath(there or ".", base or ".")
    if there.endswith("/") and not rel.endswith("/"):
        rel += "/"
    return rel + (f"#{anchor}" if anchor else "")


def _drop_link(text: str, link) -> tuple[int, int, str] | None:
    """(start, end, words) replacing a whole inline link `[words](target)`,
    from the opening bracket the reading found (an image goes altogether)."""
    if link.kind != "link" or link.opening < 0:
        return None
    close = text.find(")", link.end)
    if close < 0 or close - link.end > 500:
        return None
    if text[link.opening] == "!":
        return link.opening, close + 1, ""
    return link.opening, close + 1, text[link.opening + 1:text.rfind("](", link.opening, link.start)]
