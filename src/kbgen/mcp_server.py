"""`kbgen mcp`: the knowledge base as a Model Context Protocol server over
stdio, for AI agents (official `mcp` SDK; docs/agents.md).

The audience is fixed when the server starts. Every answer is made from the
audience-filtered knowledge base and the audience's search index, so a
public server cannot name internal content, not even an id: an internal id
is answered exactly like an id that does not exist.

Content edits are picked up while the server runs: before answering, the
server checks the sources (at most every REFRESH_SECONDS) and re-indexes
only the documents that changed."""
from __future__ import annotations

import json
import threading
import time
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError as SdkToolError

from . import __version__
from .audience import for_audience
from .model import normalize_code
from .search.service import Searcher, SearchError, fingerprint, refresh_index
from .search.synonyms import SynonymError

TYPES = ["runbook", "article", "error-code", "error-table", "sla", "tiers", "contacts", "templates", "faq", "alerts"]
REFRESH_SECONDS = 2.0


class ToolError(Exception):
    """A bad argument from the agent: answered as a tool error it can read and correct."""


class KnowledgeBase:
    """The audience's view of the KB and its open search index, kept current."""

    def __init__(self, cfg, audience: str):
        self.cfg, self.audience = cfg, audience
        self.lock = threading.Lock()
        self.kb = None
        self.searcher: Searcher | None = None
        self.fp: str | None = None
        self.checked = 0.0
        self._load()

    def _load(self) -> None:
        from .validate import validate_config
        path, _, _ = refresh_index(self.cfg, self.audience)
        kb, _ = validate_config(self.cfg)
        self.kb = for_audience(kb, self.audience)
        # alerts of Markdown catalogue pages (`alert_catalogues`), from the unfiltered model
        self.alert_entries = getattr(kb, "alert_entries", {}) or {}
        if self.searcher is not None:
            self.searcher.close()
        try:
            self.searcher = Searcher(path)
        except SynonymError as exc:  # the KB's synonyms file: the user's to fix, said plainly
            raise SearchError(str(exc)) from None
        self.fp = fingerprint(self.cfg, self.audience)
        self.checked = time.monotonic()

    def current(self):
        with self.lock:
            if time.monotonic() - self.checked >= REFRESH_SECONDS:
                self.checked = time.monotonic()
                if fingerprint(self.cfg, self.audience) != self.fp:
                    self._load()
            return self

    def close(self) -> None:
        if self.searcher is not None:
            self.searcher.close()


# --- answers (plain functions: the tools below wrap them) ------------------------------

def _summary(kb, ent) -> dict:
    return {"id": ent.id, "type": ent.type, "title": ent.title, "url": kb.site_url(ent.url) or "./",
            "summary": ent.summary or "", "products": list(ent.products)}


def _markdown(kb, ent) -> str:
    """The entity as Markdown: its page as the site renders it (an error code: its entry)."""
    if ent.type == "error-code":
        o = ent.obj
        lines = [f"# {o.code}: {o.message}", ""]
        if o.description:
            lines += [str(o.description), ""]
        if o.causes:
            lines += ["## Causes", "", *[f"- {c}" for c in o.causes], ""]
        if o.resolution:
            lines += ["## Resolution", ""]
            if isinstance(o.resolution, str):
                lines += [o.resolution, ""]
            else:
                lines += [f"{i}. {s.title}" + (f" — `{s.run}`" if s.run else "") for i, s in enumerate(o.resolution, 1)]
                lines.append("")
        return "\n".join(lines).rstrip() + "\n"
    from .pages import environment, render_entity
    return render_entity(kb, ent, environment(kb)).markdown


def search_answer(state: KnowledgeBase, query: str, type: str | None = None, product: str | None = None,
                  limit: int = 10) -> dict:
    q = (query or "").strip()
    if not q:
        raise ToolError("the query is empty")
    if type is not None and type not in TYPES:
        raise ToolError(f"unknown type '{type}' (types: {', '.join(TYPES)})")
    if product is not None and product not in state.cfg.product_ids():
        raise ToolError(f"unknown product '{product}' (products: {', '.join(sorted(state.cfg.product_ids()))})")
    limit = max(1, min(int(limit), 100))
    result = state.searcher.query(q, limit=limit, type_=type, product=product)
    return result.as_json()


def get_answer(state: KnowledgeBase, id: str) -> dict:
    from .outputs.kbjson import entity_json
    kb = state.kb
    ent = kb.entities.get(id)
    if ent is None:
        # a public server answers an internal id exactly like an unknown one
        raise ToolError(f"no entity with id '{id}' (use the search or list tool to find ids)")
    data = entity_json(kb, ent)
    data["markdown"] = _markdown(kb, ent)
    return data


def _runbooks_for_codes(kb, codes: list) -> list:
    aliases = kb.runbook_by_alias()
    ids = {c.id for c in codes}
    out = {}
    for c in codes:
        ref = c.obj.runbook
        rb = kb.entities.get(ref) or aliases.get(ref) if ref else None
        if rb is not None and rb.type == "runbook":
            out[rb.id] = rb
    for rb in kb.of_type("runbook"):
        for ref in rb.obj.error_codes:
            if any(c.id in ids for c in kb.resolve_code(str(ref))):
                out[rb.id] = rb
    return sorted(out.values(), key=lambda e: e.id)


def lookup_code_answer(state: KnowledgeBase, code: str) -> dict:
    kb = state.kb
    n = normalize_code(code or "")
    if not n:
        raise ToolError("give an error code, e.g. QT-001, 429 or ENOSPC")
    entries = sorted(kb.codes.get(n, []), key=lambda e: e.id) if hasattr(kb, "codes") else []
    entries = [e for e in entries if e.id in kb.entities]
    runbooks = _runbooks_for_codes(kb, entries)
    out = {"code": code, "entries": [], "runbooks": [_summary(kb, r) for r in runbooks]}
    for e in entries:
        item = _summary(kb, e)
        item.update({"code": str(e.obj.code), "message": e.obj.message, "table": e.parent,
                     "description": e.obj.description or "", "causes": list(e.obj.causes)})
        out["entries"].append(item)
    return out


def runbook_for_alert_answer(state: KnowledgeBase, alert: str) -> dict:
    kb = state.kb
    name = (alert or "").strip()
    if not name:
        raise ToolError("give an alert name, e.g. QuantumGatewayDown")
    key = name.lower()
    aliases = kb.runbook_by_alias()
    runbooks: dict[str, Any] = {}
    entries = []
    for rb in kb.of_type("runbook"):
        if any(str(a).lower() == key for a in rb.obj.alerts):
            runbooks[rb.id] = rb
    for cat in kb.of_type("alerts"):
        for a in cat.obj.alerts:
            if a.name.lower() != key:
                continue
            rb = (kb.entities.get(a.runbook) or aliases.get(a.runbook)) if a.runbook else None
            if rb is not None and rb.type == "runbook":
                runbooks[rb.id] = rb
            entries.append({"alerts": cat.id, "name": a.name, "condition": a.condition, "severity": a.severity,
                            "description": a.description or "",
                            "url": kb.site_url(cat.url.split("#", 1)[0] + "#" + _anchor(a.name)),
                            "runbook": rb.id if rb is not None and rb.type == "runbook" else None,
                            "runbook_url": a.runbook_url})
    for entry_name, items in state.alert_entries.items():
        if entry_name.lower() != key:
            continue
        for e in items:
            page = kb.entities.get(e.entity.id)
            if page is None:  # a catalogue page this audience does not see
                continue
            entries.append({"alerts": page.id, "name": entry_name, "condition": None, "severity": e.severity,
                            "description": e.description or "",
                            "url": kb.site_url(page.url.split("#", 1)[0] + "#" + e.anchor),
                            "runbook": None, "runbook_url": e.runbook_url})
    return {"alert": name, "runbooks": [_summary(kb, r) for r in sorted(runbooks.values(), key=lambda e: e.id)],
            "alert_entries": entries}


def _anchor(name: str) -> str:
    from .model import code_anchor
    return code_anchor(name)


def list_answer(state: KnowledgeBase, type: str | None = None, product: str | None = None) -> dict:
    kb = state.kb
    if type is not None and type not in TYPES:
        raise ToolError(f"unknown type '{type}' (types: {', '.join(TYPES)})")
    if product is not None and product not in state.cfg.product_ids():
        raise ToolError(f"unknown product '{product}' (products: {', '.join(sorted(state.cfg.product_ids()))})")
    ents = [e for e in kb.entities.values()
            if (type is None or e.type == type) and (product is None or product in e.products)]
    ents.sort(key=lambda e: (e.type, e.title.lower(), e.id))
    return {"count": len(ents), "entities": [_summary(kb, e) for e in ents]}


# --- the server -----------------------------------------------------------------------------

def build_server(cfg, audience: str) -> tuple[MCPServer, KnowledgeBase]:
    state = KnowledgeBase(cfg, audience)
    server = MCPServer(
        name="kbgen",
        version=__version__,
        instructions=(f"The {audience} support knowledge base '{cfg.site_name}': runbooks, error codes, "
                      "alerts, SLAs and articles. Start with `search`; `lookup_code` for an error code in any "
                      "spelling; `runbook_for_alert` for a firing alert; `get` for a page by id."),
    )

    def call(fn, *args, **kwargs):
        try:
            return fn(state.current(), *args, **kwargs)
        except ToolError as exc:  # the agent reads the message and can correct its call
            raise SdkToolError(str(exc)) from None
        except SearchError as exc:
            raise SdkToolError(f"the search index is unavailable: {exc}") from None

    @server.tool(description="Search runbooks, error codes, alerts, SLAs and articles, ranked as `kbgen search` "
                             "ranks them (exact error codes first). Filters: type (one of "
                             f"{', '.join(TYPES)}) and product (a product id). Returns results with id, type, "
                             "title, url, score and a plain-text snippet, and a spelling suggestion if any.")
    def search(query: str, type: str | None = None, product: str | None = None, limit: int = 10) -> dict:
        return call(search_answer, query, type=type, product=product, limit=limit)

    @server.tool(description="One entity by id (as returned by search or list): its structured data "
                             "(the kb.json record) and its page as Markdown.")
    def get(id: str) -> dict:
        return call(get_answer, id)

    @server.tool(description="An error code in any spelling (QT-001, qt001, 'QT 001', 429, enospc): "
                             "its entries in the error-code tables and the runbooks that handle it.")
    def lookup_code(code: str) -> dict:
        return call(lookup_code_answer, code)

    @server.tool(description="The runbook(s) for a firing alert, by alert name (case-insensitive), "
                             "with the alert's catalogue entries (condition, severity).")
    def runbook_for_alert(alert: str) -> dict:
        return call(runbook_for_alert_answer, alert)

    @server.tool(name="list", description="Entities by type and/or product (ids, titles, urls, summaries).")
    def list_entities(type: str | None = None, product: str | None = None) -> dict:
        return call(list_answer, type=type, product=product)

    @server.resource("kb://kb.json", name="kb.json", mime_type="application/json",
                     description="The machine-readable index of this audience's knowledge base.")
    def kb_json_resource() -> str:
        from .outputs.kbjson import kb_json
        return json.dumps(kb_json(state.current().kb), ensure_ascii=False, indent=1)

    @server.resource("kb://llms.txt", name="llms.txt", mime_type="text/plain",
                     description="The knowledge base's pages as a list an LLM can read (llmstxt.org).")
    def llms_resource() -> str:
        from .outputs.llms import llms_txt
        return llms_txt(state.current().kb)

    return server, state
