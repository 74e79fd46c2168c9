"""Machine-readable outputs of a build: kb.json (+ its schema) and llms.txt.

Every function takes an audience-filtered KnowledgeBase (kbgen.model.audience):
what it writes is exactly what that audience may see."""
from __future__ import annotations

import json
from pathlib import Path

from .kbjson import kb_json, kb_schema
from .llms import llms_txt


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_outputs(kb, out_dir: Path) -> list[Path]:
    """kb.json, kb.schema.json and llms.txt for kb's audience, into out_dir."""
    out_dir = Path(out_dir)
    return [
        _write(out_dir / "kb.json", json.dumps(kb_json(kb), indent=2, sort_keys=True, ensure_ascii=False) + "\n"),
        _write(out_dir / "kb.schema.json", json.dumps(kb_schema(kb.config.kinds), indent=2, sort_keys=True) + "\n"),
        _write(out_dir / "llms.txt", llms_txt(kb)),
    ]
