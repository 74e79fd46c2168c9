"""Public content must not point readers at internal content.

Passing:  a public article links to a public runbook
Failing:  a public article links to an internal runbook -> KB501

A public error code may name an internal runbook (`runbook:`): that is data
for agents, not a link a writer made; public builds leave the link out.
"""
from __future__ import annotations

from .links import is_external, links_of, resolve_link


def check(kb, report) -> None:
    ids = kb.entities
    aliases = kb.runbook_by_alias()
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
        if doc.obj is not None:
            for link in links_of(ent):
                if not link.target or is_external(link.target):
                    continue
                res = resolve_link(kb, doc.rel, link.target)
                if res.entity is not None and not res.entity.public:
                    report.error(doc.rel, (link.line, link.column), "KB501",
                                 f"public page links to internal page {res.entity.source}",
                                 "public readers would get a broken link; remove the link or change an audience")
