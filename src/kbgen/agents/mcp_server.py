"""`kbgen mcp`: the knowledge base as a Model Context Protocol server over
stdio, for AI agents (official `mcp` SDK; docs/agents.md).

The audience is fixed when the server starts. Every answer is made from the
audience-filtered knowledge base and the audience's search index, so a
public server cannot name internal content, not even an id: an internal id
is answered exactly like an id that does not exist.

Content edits are picked up while the server runs: a file watcher marks
the sources changed, and before answering the server reads only the
changed files and re-indexes only the documents they affect (LiveKnowledgeBase
below)."""
from __future__ import annotations

import gc
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError as SdkToolError

from .. import __version__
from ..diagnostics.problems import Report
from ..load.cache import SourceCache, file_state
from ..model.audience import for_audience
from ..outputs.kbjson import entity_json, kb_json
from ..outputs.llms import llms_txt
from ..pages.entity import environment, render_entity
from ..search.service import Searcher, SearchError, UpdateStats, refresh_index
from ..search.synonyms import SynonymError, kb_synonyms_file
from ..text.anchors import code_anchor, normalize_code

TYPES = ["runbook", "article", "error-code", "error-table", "sla", "tiers", "contacts", "templates", "faq", "alerts"]
POLL_SECONDS = 0.5           # without a file watcher: how stale an answer may be
WATCHED_POLL_SECONDS = 10.0  # with one: in case a file system sends no events (network mounts)


class ToolError(Exception):
    """A bad argument from the agent: answered as a tool error it can read and correct."""


class LiveKnowledgeBase:
    """The audience's view of the KB and its open search index, kept current.

    The loaded source files stay in memory (kbgen.load.cache.SourceCache). A
    watcher (watchdog: inotify, FSEvents...) marks the sources changed as soon
    as a file under them changes; before answering, a marked server (or one
    that has not looked for POLL_SECONDS, in case the file system sends no
    events) compares every source's size and time with the index's manifest,
    reads only the changed files, and re-indexes only the documents they
    affect (kbgen.search.incremental). The model the other tools answer from
    is made again, from the kept files, when one of them next asks."""

    def __init__(self, cfg, audience: str):
        self.cfg, self.audience = cfg, audience
        self.lock = threading.RLock()  # refreshes, the model, and queries of the open index
        self.sources = SourceCache(cfg)
        self.searcher: Searcher | None = None
        self.path: Path | None = None
        self._kb = None
        self.alert_entries: dict = {}
        self._model_stale = True
        self._model_generation = -1  # the kept files' generation the model was made from
        self.generation: str | None = None  # the index's, when this server last opened it
        self.synonyms: tuple[int, int] | None = None  # the synonyms file's state, then
        self.changed = True          # set by the watcher (any thread); cleared before each look
        self.checked = 0.0
        self.last: UpdateStats | None = None  # what the last refresh did (None: nothing had changed)
        self.watcher = _watch(cfg, self._mark)
        self.poll = POLL_SECONDS if self.watcher is None else WATCHED_POLL_SECONDS
        self.current()
        self.model()  # every file loaded once, now: the first get or list answers at once

    def _mark(self) -> None:
        self.changed = True

    def _refresh(self) -> None:
        path, _, stats = refresh_index(self.cfg, self.audience, sources=self.sources)
        self.last = stats
        # another process (kbgen search) may have brought the index up to date with an edit
        theirs = self.searcher is not None and path == self.path and \
            self.searcher.engine.meta("generation") != self.generation
        syn = kb_synonyms_file(self.cfg)
        synonyms = file_state(syn) if syn else None  # read when the index is opened
        if stats is not None or theirs or self.searcher is None or path != self.path or synonyms != self.synonyms:
            self.synonyms = synonyms
            if self.searcher is not None:
                self.searcher.close()
                self.searcher = None
            try:
                self.searcher = Searcher(path, kinds=self.cfg.kinds)  # a new connection: sees the update, fresh known codes
            except SynonymError as exc:  # the KB's synonyms file: the user's to fix, said plainly
                raise SearchError(str(exc)) from None
            self.path = path
            self.generation = self.searcher.engine.meta("generation")
            self._model_stale = True
            _settle()

    def current(self):
        with self.lock:
            now = time.monotonic()
            if self.changed or now - self.checked >= self.poll:
                self.changed = False  # before looking: an edit during the refresh marks it again
                self.checked = now
                self._refresh()
            return self

    @property
    def kb(self):
        """The audience-filtered model (get, lookup_code, list, resources), from the kept files."""
        return self.model()

    def model(self):
        with self.lock:
            if self._model_stale or self._kb is None:
                from ..load.build import build_model
                sources = self.sources.load(Report())  # only files changed since they were kept are read
                if self._kb is None or self.sources.generation != self._model_generation:
                    kb = build_model(self.cfg, sources, Report())
                    self._kb = for_audience(kb, self.audience)
                    # alerts of Markdown catalogue pages (`alert_catalogues`), from the unfiltered model
                    self.alert_entries = getattr(kb, "alert_entries", {}) or {}
                    self._model_generation = self.sources.generation
                    _settle()
                self._model_stale = False
            return self._kb

    def query(self, q: str, **kwargs):
        with self.lock:  # a refresh closes and reopens the index
            if self.searcher is None:
                raise SearchError("the search index is not open")
            return self.searcher.query(q, **kwargs)

    def close(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
        if self.searcher is not None:
            self.searcher.close()


def _settle() -> None:
    """Leave what is loaded now out of the garbage collector's full passes: the
    kept files of a 10k-entity KB are millions of objects, and a full pass
    over them (~0.2 s) would otherwise land in the middle of a refresh.
    Objects freed later are still freed; only reference cycles among them
    would stay (a Doc holds none)."""
    gc.collect()
    gc.freeze()


def _watch(cfg, mark):
    """Call mark() whenever a file under the sources (or the config beside them)
    changes; None when no watcher can run (then the server polls)."""
    try:
        from watchdog.events import EVENT_TYPE_CLOSED_NO_WRITE, EVENT_TYPE_OPENED, FileSystemEventHandler
        from watchdog.observers import Observer
    except ImportError:
        return None
    quiet = {EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE}  # reads, ours included

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type in quiet:
                return
            for p in (event.src_path, getattr(event, "dest_path", "") or ""):
                if p and not _hidden(Path(os.fsdecode(p))):
                    mark()
                    return

    root = Path(cfg.root).resolve()

    def _hidden(path: Path) -> bool:
        # dot-names (.git, the index in .kbgen, an editor's swap file) are never sources
        try:
            parts = path.relative_to(root).parts
        except ValueError:
            parts = (path.name,)
        return any(part.startswith(".") for part in parts)
    trees = {Path(d).resolve() for d in (cfg.content_dir, cfg.runbooks_dir) if Path(d).is_dir()}
    trees = {t for t in trees if not any(o in t.parents for o in trees)}  # runbooks/ inside content/: once
    try:
        observer = Observer()
        observer.daemon = True
        handler = Handler()
        for t in sorted(trees):
            observer.schedule(handler, str(t), recursive=True)
        if root not in trees and not any(t in root.parents for t in trees):
            observer.schedule(handler, str(root), recursive=False)  # mkdocs.yml, the synonyms file
        observer.start()
    except Exception:  # noqa: BLE001 - no inotify watches left, an unsupported file system: poll instead
        return None
    return observer


# --- answers (plain functions: the tools below wrap them) ------------------------------

def _summary(kb, ent) -> dict:
    return {"id": ent.id, "type": ent.type, "title": ent.title, "url": kb.site_url(ent.url) or "./",
            "summary": ent.summary or "", "products": list(ent.products)}


def _markdown(kb, ent) -> str:
    """The entity as Markdown: its page as the site renders it (an error code: its entry)."""
    if ent.type == "error-code":  # its own entry, not the whole page of its table
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
    return render_entity(kb, ent, environment(kb)).markdown


def search_answer(state: LiveKnowledgeBase, query: str, type: str | None = None, product: str | None = None,
                  limit: int = 10) -> dict:
    q = (query or "").strip()
    if not q:
        raise ToolError("the query is empty")
    if type is not None and type not in TYPES:
        raise ToolError(f"unknown type '{type}' (types: {', '.join(TYPES)})")
    if product is not None and product not in state.cfg.product_ids():
        raise ToolError(f"unknown product '{product}' (products: {', '.join(sorted(state.cfg.product_ids()))})")
    limit = max(1, min(int(limit), 100))
    result = state.query(q, limit=limit, type_=type, product=product)
    return result.as_json()


def get_answer(state: LiveKnowledgeBase, id: str) -> dict:
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


def lookup_code_answer(state: LiveKnowledgeBase, code: str) -> dict:
    kb = state.kb
    n = normalize_code(code or "")
    if not n:
        raise ToolError("give an error code, e.g. QT-001, 429 or ENOSPC")
    entries = sorted(kb.codes.get(n, []), key=lambda e: e.id) if hasattr(kb, "codes") else []
    entries = [e for e in entries if e.id in kb.entities]
    runbooks = _runbooks_for_codes(kb, entries)
    items = []
    for e in entries:
        item = _summary(kb, e)
        item.update({"code": str(e.obj.code), "message": e.obj.message, "table": e.parent,
                     "description": e.obj.description or "", "causes": list(e.obj.causes)})
        items.append(item)
    return {"code": code, "entries": items, "runbooks": [_summary(kb, r) for r in runbooks]}


def runbook_for_alert_answer(state: LiveKnowledgeBase, alert: str) -> dict:
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
    return code_anchor(name)


def list_answer(state: LiveKnowledgeBase, type: str | None = None, product: str | None = None) -> dict:
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

def build_server(cfg, audience: str) -> tuple[MCPServer, LiveKnowledgeBase]:
    state = LiveKnowledgeBase(cfg, audience)
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
        return json.dumps(kb_json(state.current().kb), ensure_ascii=False, indent=1)

    @server.resource("kb://llms.txt", name="llms.txt", mime_type="text/plain",
                     description="The knowledge base's pages as a list an LLM can read (llmstxt.org).")
    def llms_resource() -> str:
        return llms_txt(state.current().kb)

    return server, state
