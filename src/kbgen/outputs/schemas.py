"""JSON Schemas of every kind, for editors (yaml-language-server) and tools."""
from __future__ import annotations

import json
from pathlib import Path

from ..kinds import default_kinds
from ..schema.kinds import ArticleMeta, RunbookMeta

SCHEMA_BASE = "https://kbgen.dev/schemas/"


def _step_accepts_string(schema: dict) -> dict:
    # A step may be a plain string; pydantic's before-validator is invisible to it.
    defs = schema.get("$defs", {})
    if "Step" in defs:
        obj = defs["Step"]
        defs["Step"] = {"anyOf": [{"type": "string"}, obj], "title": "Step",
                        "description": "A step: a string, or a mapping with title and optional run, expect, note."}
    return schema


def _models(kinds=None) -> dict:
    """Schema name -> model: every YAML kind (kbgen's, installed, or a KB's
    `kinds`), and the front matter of Markdown articles and runbooks."""
    if kinds is None:
        kinds = default_kinds()
    return {**{n: kinds.named(n).model for n in kinds.names()}, "article": ArticleMeta, "runbook-markdown": RunbookMeta}


def kind_schema(name: str, kinds=None) -> dict:
    model = _models(kinds)[name]
    schema = model.model_json_schema(by_alias=True)
    schema = _step_accepts_string(schema)
    out = {"$schema": "https://json-schema.org/draft/2020-12/schema",
           "$id": f"{SCHEMA_BASE}{name}.schema.json",
           "title": f"kbgen {name}"}
    out.update({k: v for k, v in schema.items() if k != "title"})
    return out


def all_names(kinds=None) -> list[str]:
    return list(_models(kinds))


def write_schemas(out_dir: Path, kinds=None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in all_names(kinds):
        path = out_dir / f"{name}.schema.json"
        path.write_text(json.dumps(kind_schema(name, kinds), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written
