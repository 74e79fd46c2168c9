"""The knowledge base's data: its entities (one per page, and the entries
inside a page with an identity of their own: a table's codes), with their
identities, pages and URLs, and the lookups every output shares.

kbgen.load builds it from the sources; kinds (kbgen.kinds) fill in what each
type adds. Page paths are docs-relative Markdown paths (what MkDocs calls
src_uri); URLs are site-relative with directory URLs ("runbooks/x/")."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..text.anchors import normalize_code
from ..text.durations import Duration
from .doc import Doc

if TYPE_CHECKING:
    from ..config import Config
    from ..kinds import Kind


@dataclass
class Entity:
    id: str
    type: str                  # article, runbook, error-table, error-code, sla, ...
    title: str
    doc: Doc
    page: str                  # docs-relative Markdown path of its page
    url: str                   # site-relative URL, with #anchor for a code
    summary: str = ""
    audience: str = "internal"
    products: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    owner: str | None = None
    last_reviewed: dt.date | None = None
    review_every: Duration | None = None
    related: list[str] = field(default_factory=list)
    obj: Any = None            # the typed model (ErrorCode for a code)
    parent: str | None = None  # the table id of an error code
    anchors: set[str] = field(default_factory=set)
    # what kbgen knows about its type (kbgen.kinds); build_model always sets it
    kind: "Kind" = field(default=None, repr=False)  # type: ignore[assignment]

    @property
    def source(self) -> str:
        return self.doc.rel if self.doc else ""

    @property
    def public(self) -> bool:
        return self.audience == "public"


@dataclass
class KnowledgeBase:
    config: Config
    entities: dict[str, Entity] = field(default_factory=dict)   # by id, in source order
    by_source: dict[str, Entity] = field(default_factory=dict)  # rel path -> entity
    codes: dict[str, list[Entity]] = field(default_factory=dict)  # normalized code -> code entities
    assets: list[str] = field(default_factory=list)
    audience: str | None = None  # set on a filtered view
    assets_set: set = field(default_factory=set)
    # alert name -> the catalogue entries that describe it (option alert_catalogues)
    alert_entries: dict[str, list["AlertEntry"]] = field(default_factory=dict)

    def of_type(self, *types: str) -> list[Entity]:
        return [e for e in self.entities.values() if e.type in types]

    def runbook_by_alias(self) -> dict[str, Entity]:
        out = {}
        for e in self.of_type("runbook"):
            for alias in getattr(e.obj, "aliases", []) or []:
                out[alias] = e
        return out

    def resolve_code(self, ref: str) -> list[Entity]:
        """A code reference: CODE, or TABLEID:CODE when a code is in several tables."""
        if ":" in ref:
            table, code = ref.split(":", 1)
            ent = self.entities.get(f"{table}:{code}")
            if ent is None:
                ent = next((c for c in self.codes.get(normalize_code(code), []) if c.parent == table), None)
            return [ent] if ent else []
        return list(self.codes.get(normalize_code(ref), []))

    def tiers_index(self) -> dict[str, list[tuple[Entity, object]]]:
        out: dict[str, list] = {}
        for e in self.of_type("tiers"):
            for tier in e.obj.tiers:
                out.setdefault(tier.id, []).append((e, tier))
        return out

    def priorities_index(self) -> dict[str, list[tuple[Entity, object]]]:
        out: dict[str, list] = {}
        for e in self.of_type("sla"):
            for p in e.obj.priorities:
                out.setdefault(p.id, []).append((e, p))
        return out

    def site_url(self, url: str) -> str:
        """A page's address for outputs (kb.json, llms.txt, search, MCP):
        absolute under site_url, else relative. A relative one whose first
        segment holds a ':' (a folder named `javascript:x`) would read as a
        scheme: it keeps a `./` in front."""
        base = self.config.site_url
        if base:
            return base.rstrip("/") + "/" + url
        return "./" + url if ":" in url.split("/", 1)[0].split("#", 1)[0] else url


@dataclass
class AlertEntry:
    """One alert of a Markdown alert catalogue: its heading's anchor on the
    catalogue's page, and what the entry says."""
    name: str
    entity: Entity
    anchor: str
    line: int
    severity: str | None = None
    description: str = ""
    runbook_url: str | None = None
