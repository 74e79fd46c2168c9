"""Error-code tables (`kind: error-codes`) and the codes in them, each an
entity of its own at an anchor of its table's page (TABLEID:CODE)."""
from __future__ import annotations

from ..model.entities import Entity
from ..schema.kinds import ErrorCodes
from ..text.anchors import code_anchor, normalize_code
from ..text.plaintext import joined, plain, step_texts, steps_text
from .base import CodeTable, Kind, entry_refs, memo


def entries(kb) -> dict[str, list[Entity]]:
    """Table id -> its codes' entities (one scan of the KB for all the tables' pages)."""
    def build():
        out: dict[str, list[Entity]] = {}
        for e in kb.entities.values():
            if e.parent:
                out.setdefault(e.parent, []).append(e)
        return out
    return memo(kb, "table_entries", build)


_STR = {"type": "string"}


class ErrorTableKind(Kind):
    type = "error-table"
    name = "error-codes"
    model = ErrorCodes
    template = "error-codes.md.j2"
    title = "Error codes"
    label = "Error codes"
    order = 20
    browse = False  # error-codes/ lists every code with its table: the section's listing
    index_path = "error-codes/index.md"  # a class constant where Kind has a property
    page_boost = 3
    search_weight = 0.7
    data_schema = {"required": ["codes"], "properties": {"codes": {"type": "array", "items": _STR, "minItems": 1}}}

    def children(self, ent, report):
        seen: dict[str, int] = {}
        for i, c in enumerate(ent.obj.codes):
            anchor = code_anchor(c.code)
            if anchor in seen:
                report.error(ent.source, ent.doc.loaded.where(("codes", i, "code")), "KB311",
                             f"code '{c.code}' appears twice in this table (first as entry {seen[anchor] + 1})")
                continue
            seen[anchor] = i
            ent.anchors.add(anchor)
            yield Entity(
                id=f"{ent.id}:{c.code}", type=CODE.type, kind=CODE, title=f"{c.code}: {c.message}", doc=ent.doc,
                page=ent.page, url=f"{ent.url}#{anchor}", summary=c.message, audience=ent.audience,
                products=ent.products, tags=ent.tags, owner=ent.owner, last_reviewed=ent.last_reviewed,
                review_every=ent.review_every, obj=c, parent=ent.id, anchors={anchor},
            )

    def references(self, ent):
        return entry_refs("codes", ent.obj.codes)

    def page_context(self, kb, ent, ctx):
        return {"code_entities": {c.obj.code: c for c in entries(kb).get(ent.id, [])}}

    def listings(self, kb, entities):
        return [CodeTable()]

    def search_text(self, kb, ent, text):
        text.body += [f"{c.code} {c.message}" for c in ent.obj.codes]

    def sections(self, kb, ent):
        return [("", ent.title, plain(joined(ent.summary, ent.obj.description)), [])]

    def data(self, kb, ent, data, refs):
        data["codes"] = [str(c.code) for c in ent.obj.codes]
        return data


class ErrorCodeKind(Kind):
    type = "error-code"
    title = "Error codes"
    label = "Error code"
    order = 21
    listed = browse = False  # listed by their tables and error-codes/
    search_weight = 1.15
    exact_rank = 0
    data_schema = {"required": ["code", "message", "table", "doc_url"],
                   "properties": {"code": _STR, "message": _STR, "table": _STR, "doc_url": _STR,
                                  "runbook": _STR, "runbook_url": _STR}}

    def code(self, ent):
        return str(ent.obj.code)

    def search_text(self, kb, ent, text):
        o = ent.obj
        text.codes.add(normalize_code(o.code))
        text.symptoms += [o.message, *o.causes]
        res = o.resolution if isinstance(o.resolution, str) else " ".join(step_texts(o.resolution))
        text.body += [plain(o.description), plain(res), o.category or ""]

    def sections(self, kb, ent):
        o = ent.obj
        res = o.resolution if isinstance(o.resolution, str) else steps_text(o.resolution)
        text = joined(o.message, o.description, " ".join(o.causes), res)
        return [(code_anchor(o.code), f"{o.code}: {o.message}", plain(text), [str(o.code)])]

    def data(self, kb, ent, data, refs):
        c = ent.obj
        data["code"] = str(c.code)
        data["table"] = ent.parent
        data["doc_url"] = kb.site_url(f"e/{code_anchor(c.code)}/")
        # its own runbook if visible, else a visible runbook that lists the code
        rb = (refs.runbook(c.runbook) if c.runbook else None) or refs.code_runbook.get(ent.id)
        data.pop("runbook", None)  # only a runbook this audience can open is named
        if rb is not None:
            data["runbook"] = rb.id
            data["runbook_url"] = kb.site_url(rb.url)
        return data


TABLE, CODE = ErrorTableKind(), ErrorCodeKind()
KINDS = [TABLE, CODE]
