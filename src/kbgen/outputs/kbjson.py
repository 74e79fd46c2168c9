"""kb.json: one entity per article, runbook, error code, table and data file,
as in the spec (CONTENT-MODEL.md, "Build outputs")."""
from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from .. import __version__
from ..durations import Duration
from ..model import code_anchor

SCHEMA_VERSION = 1
ENTITY_TYPES = ["runbook", "article", "error-code", "error-table", "sla", "tiers", "contacts", "templates", "faq", "alerts"]
# Declared ids are slugs; ids taken from Markdown file names keep '_'
# (node_cpu.md -> node_cpu); an error code's id is TABLEID:CODE.
ENTITY_ID_PATTERN = r"^[a-z0-9_-]+(:.+)?$"
# Common fields are top-level in an entity; `data` holds the rest.
COMMON = {"kind", "id", "title", "summary", "audience", "products", "tags", "last_reviewed"}


def structured(value):
    """JSON data of a model value: durations as written plus `<name>_seconds`."""
    if isinstance(value, BaseModel):
        out = {}
        for name, field in type(value).model_fields.items():
            v = getattr(value, name)
            if v is None or v == [] or v == "":
                continue
            key = field.alias or name
            if isinstance(v, Duration):
                out[key] = v.text
                out[f"{key}_seconds"] = v.seconds
            else:
                out[key] = structured(v)
        return out
    if isinstance(value, (list, tuple)):
        return [structured(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class Refs:
    """Lookups made once per kb.json rather than once per entity: with
    10,000 entities, per-entity scans of the whole KB took minutes."""

    def __init__(self, kb):
        self.kb = kb
        self.aliases = kb.runbook_by_alias()
        self.tiers = kb.tiers_index()
        self.code_runbook: dict = {}  # code entity id -> a runbook listing it in error_codes
        for rb in kb.of_type("runbook"):
            for ref in rb.obj.error_codes:
                for code in kb.resolve_code(str(ref)):
                    self.code_runbook.setdefault(code.id, rb)

    def runbook(self, ref):
        """The runbook an id or alias names, if this audience can see it."""
        ent = self.kb.entities.get(ref) or self.aliases.get(ref)
        return ent if ent is not None and ent.type == "runbook" else None

    def visible(self, ref) -> bool:
        return ref in self.kb.entities or ref in self.aliases


def entity_data(kb, ent, refs: Refs | None = None) -> dict:
    refs = refs or Refs(kb)
    data = _entity_data(kb, ent, refs)
    # Ids this audience cannot see are never named (a public build must not
    # reveal even the id of an internal page, whatever the validator said).
    if "related" in data:
        data["related"] = [r for r in data["related"] if refs.visible(r)]
        if not data["related"]:
            del data["related"]
    if ent.type == "alerts":
        for a in data.get("alerts", []):
            rb = refs.runbook(a.get("runbook"))
            if rb is None:
                a.pop("runbook", None)
            else:
                a["runbook"] = rb.id
                a["runbook_url"] = kb.site_url(rb.url)
    return data


def _entity_data(kb, ent, refs: Refs) -> dict:
    if ent.type == "error-code":
        c = ent.obj
        data = structured(c)
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
    if ent.type == "article":
        data = {k: v for k, v in structured(ent.obj).items() if k not in COMMON}
        data.setdefault("type", ent.obj.type)
        data["headings"] = [h.text for h in ent.doc.md.headings if h.level == 2]
        return data
    data = {k: v for k, v in structured(ent.obj).items() if k not in COMMON}
    if ent.type == "runbook":
        esc = data.get("escalation")
        if esc and esc.get("to") not in refs.tiers:
            esc.pop("to", None)  # a tier this audience cannot see stays unnamed
        data["format"] = ent.doc.fmt
        if ent.doc.fmt == "md":
            data["sections"] = [h.text for h in ent.doc.md.headings if h.level == 2]
    if ent.type == "error-table":
        data["codes"] = [str(c.code) for c in ent.obj.codes]
    return data


def entity_json(kb, ent, refs: Refs | None = None) -> dict:
    return {
        "id": ent.id,
        "type": ent.type,
        "title": ent.title,
        "summary": ent.summary or "",
        "url": kb.site_url(ent.url) or "./",  # the home page, relative
        "path": ent.url.split("#", 1)[0],
        "anchor": ent.url.split("#", 1)[1] if "#" in ent.url else None,
        "audience": ent.audience,
        "products": list(ent.products),
        "tags": list(ent.tags),
        "owner": ent.owner,
        "last_reviewed": ent.last_reviewed.isoformat() if ent.last_reviewed else None,
        "source": ent.source,
        "data": entity_data(kb, ent, refs),
    }


def kb_json(kb) -> dict:
    cfg = kb.config
    refs = Refs(kb)
    return {
        "schema_version": SCHEMA_VERSION,
        "generator": f"kbgen {__version__}",
        "audience": kb.audience or "internal",
        "site": {"name": cfg.site_name, "url": cfg.site_url, "description": cfg.site_description},
        "products": [p.model_dump() for p in cfg.options.products],
        # source order: a file's entities stay together, codes follow their table
        "entities": [entity_json(kb, e, refs) for e in kb.entities.values()],
    }


_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_STRS = {"type": "array", "items": _STR}
_OBJS = {"type": "array", "items": {"type": "object"}, "minItems": 1}
_SECONDS = {"type": ["number", "null"], "minimum": 0}
# What `data` must hold, per entity type (beyond that, data is open: kinds gain fields).
_DATA_RULES = {
    "error-code": {"required": ["code", "message", "table", "doc_url"],
                   "properties": {"code": _STR, "message": _STR, "table": _STR, "doc_url": _STR,
                                  "runbook": _STR, "runbook_url": _STR}},
    "runbook": {"required": ["format"], "properties": {"format": {"enum": ["yaml", "md"]}, "sections": _STRS,
                                                        "error_codes": _STRS, "symptoms": _STRS}},
    "article": {"required": ["type", "headings"], "properties": {"type": _STR, "headings": _STRS}},
    "error-table": {"required": ["codes"], "properties": {"codes": {**_STRS, "minItems": 1}}},
    "sla": {"required": ["priorities"], "properties": {"priorities": _OBJS, "targets": {"type": "array"}}},
    "tiers": {"required": ["tiers"], "properties": {"tiers": _OBJS}},
    "templates": {"required": ["templates"], "properties": {"templates": _OBJS}},
    "faq": {"required": ["questions"], "properties": {"questions": _OBJS}},
    "contacts": {"properties": {"channels": {"type": "array"}, "people": {"type": "array"}}},
    "alerts": {"properties": {"alerts": {"type": "array"}}},
}


def _data_rule(etype: str, rule: dict) -> dict:
    # every "<name>_seconds" is a number of seconds (null: no target)
    data = {"type": "object", **rule, "patternProperties": {"_seconds$": _SECONDS}}
    return {"if": {"properties": {"type": {"const": etype}}}, "then": {"properties": {"data": data}}}


KB_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://kbgen.dev/schemas/kb.schema.json",
    "title": "kbgen knowledge base index (kb.json)",
    "type": "object",
    "required": ["schema_version", "generator", "audience", "site", "entities"],
    "additionalProperties": False,
    "properties": {
        "schema_version": {"const": SCHEMA_VERSION},
        "generator": {"type": "string", "pattern": r"^kbgen \d+\.\d+\.\d+"},
        "audience": {"enum": ["public", "internal"]},
        "site": {"type": "object", "required": ["name", "url"],
                 "properties": {"name": _STR, "url": _NSTR, "description": _NSTR}},
        "products": {"type": "array", "items": {"type": "object", "required": ["id", "name"],
                                                 "properties": {"id": _STR, "name": _STR, "summary": _NSTR}}},
        "entities": {"type": "array", "items": {"$ref": "#/$defs/entity"}},
    },
    "$defs": {
        "entity": {
            "type": "object",
            "required": ["id", "type", "title", "summary", "url", "path", "audience", "products", "tags",
                         "last_reviewed", "data"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "pattern": ENTITY_ID_PATTERN},
                "type": {"enum": ENTITY_TYPES},
                "title": {"type": "string", "minLength": 1},
                "summary": _STR,
                "url": {"type": "string", "minLength": 1},
                "path": {"type": "string", "pattern": r"^([^#]*/)?$"},
                "anchor": _NSTR,
                "audience": {"enum": ["public", "internal"]},
                "products": {"type": "array", "items": _STR},
                "tags": {"type": "array", "items": _STR},
                "owner": _NSTR,
                "last_reviewed": {"type": ["string", "null"], "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                "source": _STR,
                "data": {"type": "object"},
            },
            "allOf": [_data_rule(t, rule) for t, rule in _DATA_RULES.items()],
        },
    },
}
