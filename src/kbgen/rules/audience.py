"""Public content must not point readers at internal content.

Passing:  a public article links to a public runbook
Failing:  a public article links to an internal runbook -> KB501
          a public page includes (`--8<--`) an internal file -> KB503
          a public runbook names an error code or a severity that only
          internal tables or SLAs define -> KB504

A public error code may name an internal runbook (`runbook:`): that is data
for agents, not a link a writer made; public builds leave the link out.
"""
from __future__ import annotations

from ..kinds.base import index
from ..model.links import is_external, links_of, resolve_link
from .causes import follows


def check(kb, report) -> None:
    ids = kb.entities
    aliases = index(kb, "runbook_by_alias")
    prios = index(kb, "priorities_index")
    default = kb.config.options.default_audience
    for ent in list(kb.by_source.values()):
        if not ent.public:
            continue
        doc = ent.doc
        for i, r in enumerate(ent.related):
            target = ids.get(r) or aliases.get(r)
            if target is not None and not target.public:
                report.error(doc.rel, doc.loaded.where(("related", i)), "KB502",
                             f"public page relates to internal '{r}' ({target.source})",
                             "remove it from related, or make one of the two the same audience")
        if doc.obj is None:
            continue
        for link in links_of(ent, kb.config):
            if not link.target or is_external(link.target):
                continue
            res = resolve_link(kb, doc.rel, link.target)
            if res.entity is not None and not res.entity.public:
                if _unreadable_audience(res.entity):  # `audience: Public`: its KB206 is the one to fix
                    report.error(doc.rel, (link.line, link.column), "KB501",
                                 f"public page links to {res.entity.source}, whose audience kbgen cannot read "
                                 "(so it is internal)", follows(res.entity.source), cause=res.entity.source)
                    continue
                report.error(doc.rel, (link.line, link.column), "KB501",
                             f"public page links to internal page {res.entity.source}",
                             "public readers would get a broken link; remove the link or change an audience")
        if doc.md is not None:
            for inc in doc.md.includes:
                if inc.error or inc.rel is None:
                    continue
                target = kb.by_source.get(inc.rel)
                audience = target.audience if target is not None else (inc.audience or default)
                if audience != "public":
                    report.error(doc.rel, (inc.line, inc.column), "KB503",
                                 f"public page includes {inc.rel}, which is {audience}",
                                 "include only public files in public pages (a file that is not a page follows "
                                 "the option default_audience)")
        _internal_references(kb, ent, prios, report)


def _unreadable_audience(ent) -> bool:
    """An entity whose `audience:` is neither public nor internal (KB206): it
    was made internal (fail closed), and what follows from that follows from it."""
    data = ent.doc.data if ent.doc is not None else {}
    return "audience" in data and data["audience"] not in ("public", "internal")


def _internal_references(kb, ent, prios, report) -> None:
    """Codes and severities a public page shows must be defined publicly:
    otherwise the public site, kb.json and the export would name them."""

    def only_internal(found) -> bool:
        return bool(found) and not any(e.public for e in found)

    def severity(path, pid) -> None:
        owners = [e for e, _ in prios.get(pid, [])]
        if only_internal(owners):
            report.error(ent.source, ent.doc.loaded.where(path), "KB504",
                         f"public content uses severity '{pid}', which only internal SLAs define "
                         f"({', '.join(sorted({e.source for e in owners}))})",
                         "define the priority in a public SLA, or make this content internal")

    for ref in ent.kind.references(ent):
        if ref.to == "code":
            found = kb.resolve_code(ref.value)
            if only_internal(found):
                report.error(ent.source, ent.doc.loaded.where(ref.path), "KB504",
                             f"public content names error code '{ref.value}', which only internal tables define "
                             f"({', '.join(sorted({e.source for e in found}))})",
                             "move the code to a public table, or make this content internal")
        elif ref.to == "priority":
            severity(ref.path, ref.value)
