"""A source file as loaded: its text, its YAML (or front matter) with the
position of every value, its typed object, and the reading of its Markdown.
kbgen.load makes them; the model (kbgen.model.entities) points at them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..markdown import Reading
from ..read.yamlload import Loaded


@dataclass
class Doc:
    rel: str                  # path from the KB root, with '/'
    area: str                 # "content" or "runbooks"
    fmt: str                  # "yaml" or "md"
    kind: str                 # "article", "runbook", "error-codes", ...
    text: str
    loaded: Loaded            # YAML, or the Markdown front matter (positions)
    obj: Any = None           # the typed object (its kind's model); None when its schema failed
    body: str = ""
    body_line: int = 1
    md: Reading | None = None
    salvaged: bool = False    # obj was built without the fields that failed
    catalogue: bool = False   # a Markdown page listing many alerts (option alert_catalogues)
    section: bool = False     # an empty folder page (Hugo _index.md): its body is a listing kbgen writes

    @property
    def data(self) -> dict:
        return self.loaded.data if isinstance(self.loaded.data, dict) else {}


@dataclass
class Sources:
    docs: list[Doc] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)   # other files under content/ (images...)
    drafts: list[str] = field(default_factory=list)   # Hugo/Jekyll drafts: read, never published
