"""kb.json: one entity per article, runbook, error code, table and data file,
as in the spec (CONTENT-MODEL.md, "Build outputs")."""
from __future__ import annotations

import datetime as dt
import json

from pydantic import BaseModel

from .. import __version__
from ..kinds import default_kinds
from ..kinds.base import index
from ..kinds.runbook import RunbookKind
from ..text.durations import Duration

SCHEMA_VERSION = 1
RUNBOOK = RunbookKind.type  # what codes and alerts point at
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
        self.aliases = index(kb, "runbook_by_alias")
        self.tiers = index(kb, "tiers_index")
        self.code_runbook: dict = {}  # code entity id -> a runbook listing it in error_codes
        for rb in kb.of_type(RUNBOOK):
            for ref in rb.obj.error_codes:
                for code in kb.resolve_code(str(ref)):
                    self.code_runbook.setdefault(code.id, rb)

    def runbook(self, ref):
        """The runbook an id or alias names, if this audience can see it."""
        ent = self.kb.entities.get(ref) or self.aliases.get(ref)
        return ent if ent is not None and ent.type == RUNBOOK else None

    def visible(self, ref) -> bool:
        return ref in self.kb.entities or ref in self.aliases


def entity_data(kb, ent, refs: Refs | None = None) -> dict:
    refs = refs or Refs(kb)
    data = ent.kind.data(kb, ent, {k: v for k, v in structured(ent.obj).items() if k not in COMMON}, refs)
    # Ids this audience cannot see are never named (a public build must not
    # reveal even the id of an internal page, whatever the validator said).
    if "related" in data:
        data["related"] = [r for r in data["related"] if refs.visible(r)]
        if not data["related"]:
            del data["related"]
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
def _data_rule(etype: str, rule: dict) -> dict:
    # every "<name>_seconds" is a number of seconds (null: no target)
    data = {"type": "object", **rule, "patternProperties": {"_seconds$": _SECONDS}}
    return {"if": {"properties": {"type": {"const": etype}}}, "then": {"properties": {"data": data}}}


def kb_schema(kinds=None) -> dict:
    """The JSON Schema of kb.json for a KB's kinds (kbgen's own by default):
    what `data` must hold per entity type; beyond that, data is open."""
    if kinds is None:
        kinds = default_kinds()
    schema = json.loads(json.dumps(_SCHEMA))
    entity = schema["$defs"]["entity"]
    entity["properties"]["type"] = {"enum": kinds.types()}
    entity["allOf"] = [_data_rule(k.type, k.data_schema) for k in kinds if k.data_schema]
    return schema


_SCHEMA = {
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
                "type": {"type": "string"},
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
        },
    },
}
