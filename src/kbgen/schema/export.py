"""JSON Schemas of every kind, for editors (yaml-language-server) and tools."""
from __future__ import annotations

import json
from pathlib import Path

from .kinds import KINDS, ArticleMeta, RunbookMeta

SCHEMA_BASE = "https://kbgen.dev/schemas/"


def _step_accepts_string(schema: dict) -> dict:
    # A step may be a plain string; pydantic's before-validator is invisible to it.
    defs = schema.get("$defs", {})
    if "Step" in defs:
        obj = defs["Step"]
        defs["Step"] = {"anyOf": [{"type": "string"}, obj], "title": "Step",
                        "description": "A step: a string, or a mapping with title and optional run, expect, note."}
    return schema


def kind_schema(name: str) -> dict:
    model = {**KINDS, "article": ArticleMeta, "runbook-markdown": RunbookMeta}[name]
    schema = model.model_json_schema(by_alias=True)
    schema = _step_accepts_string(schema)
    out = {"$schema": "https://json-schema.org/draft/2020-12/schema",
           "$id": f"{SCHEMA_BASE}{name}.schema.json",
           "title": f"kbgen {name}"}
    out.update({k: v for k, v in schema.items() if k != "title"})
    return out


def all_names() -> list[str]:
    return list(KINDS) + ["article", "runbook-markdown"]


def write_schemas(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in all_names():
        path = out_dir / f"{name}.schema.json"
        path.write_text(json.dumps(kind_schema(name), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written
