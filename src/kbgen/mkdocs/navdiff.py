"""What the staged navigation shows, and which pages a change of it
reaches: Material prints the navigation (all of it, or with
navigation.prune the top level and the page's own section) and the
previous/next links into every page, so a navigation change renders again
only the pages whose printed navigation differs (kbgen.mkdocs.incremental).
No MkDocs here: it compares the staged mkdocs.yml's nav and pages."""
from __future__ import annotations

from dataclasses import dataclass

ALL = None  # "every page" where a set of pages is expected


NAV_FEATURES_WIDE = ("navigation.tabs", "navigation.sections", "navigation.expand")


@dataclass(frozen=True)
class NavShape:
    """The staged navigation as Material prints it: the top-level entries
    (label, first page), each top-level section's tree, and the pages in
    navigation order with the label each shows (previous/next links). A page's
    entry is its label, its path, and what Material takes from its front
    matter into the navigation (icon, subtitle, status)."""
    top: tuple
    sections: tuple           # per top-level entry: its subtree (or None)
    order: tuple              # (page path, label) in navigation order

    @classmethod
    def of(cls, nav, pages: dict) -> "NavShape":
        """nav: the staged mkdocs.yml's; pages: kbgen.pages.page.Page by path."""
        def node(item):
            if isinstance(item, str):
                page = pages.get(item)
                return (page.title if page else None, item, nav_meta(page))
            if isinstance(item, dict) and item:
                title, value = next(iter(item.items()))
                if isinstance(value, list):
                    return (str(title), tuple(node(x) for x in value))
                return (str(title), str(value), nav_meta(pages.get(str(value))))
            return (None, repr(item), None)

        def first(n):
            while isinstance(n[1], tuple) and n[1]:
                n = n[1][0]
            return n[1] if isinstance(n[1], str) else None, n[2] if len(n) > 2 else None

        def leaves(n, out):
            if isinstance(n[1], tuple):
                for c in n[1]:
                    leaves(c, out)
            elif n[1].endswith(".md"):
                out.append((n[1], n[0]))
            return out

        nodes = tuple(node(x) for x in nav or [])
        order: list[tuple] = []
        for n in nodes:
            leaves(n, order)
        return cls(tuple((n[0], *first(n)) for n in nodes),
                   tuple(n if isinstance(n[1], tuple) else None for n in nodes), tuple(order))

    @staticmethod
    def pages_of(section) -> set[str]:
        out: set[str] = set()
        if section is None:
            return out
        todo = [section]
        while todo:
            n = todo.pop()
            if isinstance(n[1], tuple):
                todo.extend(n[1])
            else:
                out.add(n[1])
        return out


def nav_titles(nav) -> dict[str, str]:
    """Page path -> the title its navigation entry gives it (`- Title: page.md`)."""
    out: dict[str, str] = {}
    todo = list(nav or [])
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            for title, value in item.items():
                if isinstance(value, list):
                    todo.extend(value)
                elif isinstance(value, str):
                    out[value] = str(title)
        elif isinstance(item, list):
            todo.extend(item)
    return out


NAV_META = ("icon", "subtitle", "status")  # front matter Material prints in a page's navigation entry


def nav_meta(page) -> tuple | None:
    """What a page's front matter puts into its navigation entry (Material:
    an icon, a subtitle, a status); read only for the pages in the navigation."""
    text = getattr(page, "markdown", None)
    if not text or not text.startswith("---\n") or not any(f"\n{k}:" in text for k in NAV_META):
        return None
    end = text.find("\n---", 4)
    try:
        import yaml
        meta = yaml.safe_load(text[4:end]) if end > 0 else None
    except yaml.YAMLError:
        return None
    if not isinstance(meta, dict):
        return None
    return tuple(str(meta.get(k)) for k in NAV_META)


def nav_affected(old: NavShape, new: NavShape, features: list) -> set[str] | None:
    """The pages whose printed navigation differs between old and new: none,
    some (a set), or ALL (None). With Material's navigation.prune a page
    carries the top-level entries and only the branch of its own top-level
    section; without it (or with tabs, sections or expand, which open more)
    every page carries the whole navigation."""
    if old == new:
        return set()
    pruned = "navigation.prune" in features and not any(f in features for f in NAV_FEATURES_WIDE)
    if not pruned or old.top != new.top or len(old.sections) != len(new.sections):
        return ALL
    out: set[str] = set()
    for a, b in zip(old.sections, new.sections):
        if a != b:
            out |= NavShape.pages_of(a) | NavShape.pages_of(b)
    # previous/next links (and their labels in the footer) of the pages in the navigation
    def neighbours(shape: NavShape) -> dict[str, tuple]:
        o = shape.order
        return {p: (o[i - 1] if i else None, o[i + 1] if i + 1 < len(o) else None) for i, (p, _) in enumerate(o)}
    before, after = neighbours(old), neighbours(new)
    out |= {p for p in after if before.get(p) != after[p]}
    return out
