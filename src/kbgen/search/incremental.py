"""Keep an audience's search index in step with the sources, reading only
what changed (docs/index-and-search.md, "Incremental updates").

Beside its documents the index keeps a manifest: for each source file its
size and modification time (and its content's hash while that change is
recent: timestamps are coarse), how many errors loading it reported, and
what the model makes of the file on its own: its entity's id, page, type
and audience, and the facts other entities' documents are made from (a
runbook's `error_codes` and aliases, a table's codes and the runbook each
names). After an edit only the changed files are read again. The manifest
then tells which other documents the edit changes:

- a file whose entity wins or loses its id or page to another file (a
  duplicate id: the first file in source order keeps it, as build_model
  decides), or becomes visible or hidden for the audience;
- a runbook whose answered codes change (a table's codes, the runbook a code
  names, a runbook's `error_codes` or aliases, an audience);

and those files' documents are made again from a model of those files
alone, with the runbooks' codes computed over the whole manifest. Changes
whose effect cannot be bounded this way rebuild from the whole KB: the
config, kbgen itself or the index format changed; a folder page that lists
its folder (Hugo's `_index.md`) and a Markdown page changed; entities of a
kind the KB adds itself (their documents may read any other entity).

tests/test_search_incremental.py checks, over sequences of edits, that the
documents this writes are exactly those a full rebuild writes.
"""
from __future__ import annotations

import copy
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from .. import __version__
from ..config import Config
from ..diagnostics.problems import Report
from ..load.build import build_model
from ..load.cache import RACY_NS, CachedFile, SourceCache, content_digest, file_state
from ..load.sources import discover
from ..markdown import flush_cache
from ..model.audience import for_audience, visible
from ..model.doc import Sources
from ..model.entities import Entity, KnowledgeBase
from ..text.anchors import normalize_code
from .documents import catalogue_entries, document, documents, parts
from .engine import INDEX_FORMAT, dumps

MANIFEST_VERSION = 1
# build_model's errors between files: recomputed from the manifest, never stored per file
CROSS_FILE = frozenset({"KB301", "KB312"})
# More changed files than this (and a quarter of the KB): loading everything is as fast
# (Markdown is then read on every core) and simpler.
MANY = 500


class NeedFull(Exception):
    """The change cannot be bounded: rebuild from the whole KB."""


# --- what the sources look like now ---------------------------------------------------------

def scan(cfg: Config, report: Report | None = None) -> list[tuple[Path, str, str, int, int]]:
    """(path, rel, area, size, mtime_ns) of every source file, in source order."""
    out = []
    for path, rel, area in discover(cfg, report):
        st = file_state(path)
        if st is not None:  # gone since the walk: as if removed
            out.append((path, rel, area, *st))
    return out


def kb_stamp(cfg: Config, audience: str) -> str:
    """Everything that can change every document at once: kbgen's version, the
    index format (engine.INDEX_FORMAT: bumped when documents are made
    differently), the audience, and the configuration (its files, and the
    options as read, which !ENV values can change without changing the files)."""
    h = hashlib.sha256(f"{__version__}\0{INDEX_FORMAT}\0{MANIFEST_VERSION}\0{audience}\0".encode())
    for p in getattr(cfg, "config_files", None) or [cfg.root / "mkdocs.yml", cfg.root / "mkdocs.yaml"]:
        p = Path(p)
        if p.exists():
            h.update(p.read_bytes())
    try:
        options = cfg.options.model_dump_json(exclude={"search_dir"})  # where the index is: not what it holds
    except Exception:  # noqa: BLE001 - a value pydantic cannot serialise: its repr still changes with it
        options = repr(cfg.options)
    h.update(f"\0{cfg.site_url}\0{cfg.docs_dir}\0{options}".encode())
    return h.hexdigest()


def _extra_value(root: Path, kind: str, rel: str) -> str:
    if kind == "digest":
        return content_digest(root / rel) or "-"
    st = file_state(root / rel)
    return f"{st[0]}:{st[1]}" if st else "-"


def fingerprint(stamp: str, files: list, extras: list[tuple[str, str, str]]) -> str:
    """Changes whenever a source file's size or time changes, or one of the
    extras: (kind, rel, value) for files checked by content ("digest") and
    files included by pages that are not sources themselves ("dep")."""
    h = hashlib.sha256(stamp.encode())
    for _, rel, area, size, mtime in files:
        h.update(f"{rel}\0{area}\0{size}\0{mtime}\n".encode())
    for kind, rel, value in extras:
        h.update(f"{kind}\0{rel}\0{value}\n".encode())
    return h.hexdigest()


def current_extras(root: Path, listed: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    return [(k, rel, _extra_value(root, k, rel)) for k, rel in listed]


def manifest_extras(records: list[dict]) -> list[tuple[str, str, str]]:
    """The extras of an index, with the values its documents were made from."""
    out = []
    for rec in records:
        if rec.get("digest"):
            out.append(("digest", rec["rel"], rec["digest"]))
    deps: dict[str, str] = {}
    sources = {rec["rel"] for rec in records}
    for rec in records:
        for rel, st in (rec.get("deps") or {}).items():
            if rel not in sources:  # a source's own changes are seen anyway
                deps[rel] = f"{st[0]}:{st[1]}" if st else "-"
    out += [("dep", rel, v) for rel, v in sorted(deps.items())]
    return out


# --- per-file records ---------------------------------------------------------------------------

def _errors(cfg: Config, rel: str, problems: list, text: str | None, settings) -> int:
    """Errors among a file's problems once the KB's rule levels and its
    kbgen-disable comments apply (as `kbgen validate` counts them)."""
    if not problems:
        return 0
    r = Report(problems=list(problems))
    r.apply(settings, lambda f: text if f == rel else None)
    return r.errors


def _code_of(child) -> str | None:
    kind = getattr(child, "kind", None)
    if kind is not None:
        code = kind.code(child)
        return None if code is None else str(code)
    return str(child.obj.code) if child.type == "error-code" else None


def _custom(ent) -> bool:
    """An entity of a kind the KB adds itself (its search text may read any entity)."""
    kind = getattr(ent, "kind", None)
    return kind is not None and not type(kind).__module__.startswith("kbgen.")


def unit(ent, children: list) -> dict:
    """What the model makes of one file, as far as other files' documents depend on it."""
    o = ent.obj
    u = {"id": ent.id, "page": ent.page, "type": ent.type, "aud": ent.audience,
         "md": ent.doc.fmt == "md", "section": bool(getattr(ent.doc, "section", False)), "custom": _custom(ent)}
    if ent.type == "runbook":
        u["refs"] = [str(r) for r in getattr(o, "error_codes", None) or []]
        u["aliases"] = [str(a) for a in getattr(o, "aliases", None) or []]
    if children:
        u["children"] = [[c.id, _code_of(c), (str(c.obj.runbook) if getattr(c.obj, "runbook", None) else None)]
                         for c in children]
        u["custom"] = u["custom"] or any(_custom(c) for c in children)
    return u


def standalone(cfg: Config, doc) -> tuple[dict | None, list]:
    """The unit of a Doc modelled on its own, and the problems modelling it reported.
    A copy of the Doc: build_model completes some in place (a folder page's listing)."""
    r = Report()
    kb = build_model(cfg, Sources(docs=[copy.copy(doc)]), r)
    ent = next(iter(kb.by_source.values()), None)
    if ent is None or kb.entities.get(ent.id) is not ent:
        return None, r.problems
    return unit(ent, [e for e in kb.entities.values() if e.parent == ent.id]), r.problems


def record(cfg: Config, entry: CachedFile, settings, u: dict | None, model_problems: list) -> dict:
    text = entry.doc.text if entry.doc is not None else None
    rec = {"rel": entry.rel, "area": entry.area, "size": entry.size, "mtime": entry.mtime_ns,
           "errors": _errors(cfg, entry.rel, entry.problems, text, settings)}
    if entry.digest:
        rec["digest"] = entry.digest
    if entry.deps:
        rec["deps"] = {rel: list(st) if st else None for rel, st in entry.deps.items()}
    if entry.volatile:
        rec["volatile"] = True
    if u is not None:
        rec["unit"] = u
        rec["merrors"] = _errors(cfg, entry.rel, [p for p in model_problems if p.code not in CROSS_FILE],
                                 text, settings)
    return rec


# --- the model, replayed from the manifest ----------------------------------------------------

def winners(records: list[dict]) -> tuple[dict[str, dict], list[tuple[str, str]]]:
    """rel -> unit of the files whose entity is in the model, decided as
    build_model decides (the first file with an id keeps it, then the first
    with a page), and the (file, code) of each error that decision reports."""
    ids: dict[str, str] = {}
    pages: set[str] = set()
    win: dict[str, dict] = {}
    errs: list[tuple[str, str]] = []
    for rec in records:
        u = rec.get("unit")
        if u is None:
            continue
        if u["id"] in ids:
            errs += [(rec["rel"], "KB301"), (ids[u["id"]], "KB301")]
            continue
        if u["page"] in pages:
            errs.append((rec["rel"], "KB312"))
            continue
        ids[u["id"]] = rec["rel"]
        pages.add(u["page"])
        win[rec["rel"]] = u
        for child in u.get("children", ()):
            ids.setdefault(child[0], rec["rel"])
    return win, errs


def in_view(win: dict[str, dict], audience: str) -> dict[str, dict]:
    return {rel: u for rel, u in win.items() if visible(audience, u["aud"], "internal")}


def _answered_codes(kb) -> dict:
    from ..kinds.runbook import answered_codes
    return answered_codes(kb)


def _skeleton(id_: str, type_: str, obj, parent: str | None = None) -> Entity:
    """An entity with only what answered_codes reads: no file, no page."""
    return Entity(id_, type_, "", cast(Any, None), "", "", obj=obj, parent=parent)


def runbook_codes(cfg: Config, records: list[dict], view: dict[str, dict], audience: str) -> dict[str, list[str]]:
    """Runbook id -> the codes it answers in this view, computed by kbgen's own
    function over a skeleton of the view made from the manifest."""
    kb = KnowledgeBase(cfg, audience=audience)
    for rec in records:
        u = view.get(rec["rel"])
        if u is None:
            continue
        if u["type"] == "runbook":
            kb.entities[u["id"]] = _skeleton(u["id"], "runbook", SimpleNamespace(
                error_codes=u.get("refs", []), aliases=u.get("aliases", []), alerts=[]))
        for cid, code, runbook in u.get("children", ()):
            child = _skeleton(cid, "error-code" if code is not None else "entry",
                              SimpleNamespace(code=code, runbook=runbook), parent=u["id"])
            kb.entities[cid] = child
            if code is not None:
                kb.codes.setdefault(normalize_code(code), []).append(child)
    return {rid: sorted(codes) for rid, codes in _answered_codes(kb).items()}


def _code_facts(u: dict | None):
    """What runbook_codes reads of a file's unit (None: nothing)."""
    if u is None:
        return None
    if u["type"] == "runbook":
        return u["id"], u["aud"], u.get("refs"), u.get("aliases")
    if any(c[1] is not None for c in u.get("children", ())):
        return u["id"], u["aud"], u["children"]
    return None


def error_count(cfg: Config, records: list[dict], win: dict, errs: list, settings) -> int:
    n = sum(rec.get("errors", 0) for rec in records)
    n += sum(rec.get("merrors", 0) for rec in records if rec["rel"] in win)
    for rel, code in errs:
        level = settings.level(code, rel) if settings else None
        n += (level or "error") == "error"
    return n


def _ids(u: dict | None) -> set[str]:
    if u is None:
        return set()
    return {u["id"], *(c[0] for c in u.get("children", ()))}


@dataclass
class Plan:
    records: list[dict]
    rbcodes: dict[str, list[str]]
    errors: int
    docs: list[dict]          # the documents of the affected files, in the view
    touched: set[str]         # entity ids whose documents these replace
    files_read: int
    affected: int
    dirty: bool               # the manifest changed (a file changed, or a hash is no longer needed)
    files_changed: int = 0    # changed, added and deleted files


def keyed(docs: list[dict]) -> dict[str, dict]:
    """Documents by key, each with its fingerprint (a hash of everything it holds):
    only documents whose fingerprint changed are re-indexed."""
    out: dict[str, dict] = {}
    for d in docs:
        key, n = d["key"], 1
        while key in out:  # two parts with one anchor: keep both
            n += 1
            key = f"{d['key']}~{n}"
        d["key"] = key
        d["fp"] = hashlib.blake2b(dumps(d).encode(), digest_size=16).hexdigest()
        out[key] = d
    return out


def plan(cfg: Config, audience: str, files: list, scan_errors: int, manifest: dict, cache: SourceCache) -> Plan:
    """The documents an edit changes, from the manifest and the changed files alone.
    Raises NeedFull when the change cannot be bounded."""
    settings = cfg.rule_settings()
    root = cfg.root
    old = manifest["records"]
    old_by = {rec["rel"]: rec for rec in old}
    now = time.time_ns()
    present = {f[1] for f in files}
    changed: set[str] = set()
    dirty = False
    kept: dict[str, dict] = {}
    for path, rel, area, size, mtime in files:
        rec = old_by.get(rel)
        if rec is None or rec["area"] != area or (rec["size"], rec["mtime"]) != (size, mtime):
            changed.add(rel)
            continue
        if any(file_state(root / d) != (tuple(st) if st else None) for d, st in (rec.get("deps") or {}).items()):
            changed.add(rel)
            continue
        if rec.get("digest"):
            if content_digest(path) != rec["digest"]:
                changed.add(rel)
                continue
            if mtime < now - RACY_NS:  # settled: size and time tell from now on
                rec = {k: v for k, v in rec.items() if k != "digest"}
                dirty = True
        kept[rel] = rec
    removed = set(old_by) - present
    if changed or removed:
        changed |= {rel for rel, rec in kept.items() if rec.get("volatile")}
    if len(changed) > max(MANY, len(files) // 4):  # a checkout of another branch: all at once is faster
        raise NeedFull(f"{len(changed)} files changed")
    read: dict[str, CachedFile] = {}
    for path, rel, area, *_ in files:
        if rel in changed:
            read[rel] = cache.get(path, rel, area)
    cache.finish()
    records = []
    for _, rel, *_ in files:
        if rel not in changed:
            records.append(kept[rel])
            continue
        entry = read[rel]
        u, problems = standalone(cfg, entry.doc) if entry.doc is not None and entry.doc.obj is not None else (None, [])
        records.append(record(cfg, entry, settings, u, problems))
    old_win, _ = winners(old)
    new_win, errs = winners(records)
    old_view, new_view = in_view(old_win, audience), in_view(new_win, audience)
    if any(u.get("custom") for u in (*old_win.values(), *new_win.values())) and (changed or removed):
        raise NeedFull("entities of a kind the KB adds")
    # files that won or lost their id, were shown or hidden, or model differently
    differ = {rel for rel in old_view.keys() | new_view.keys() if old_view.get(rel) != new_view.get(rel)}
    affected = changed | removed | differ
    old_codes = manifest.get("rbcodes", {})
    if "rbcodes" in manifest and all(_code_facts(old_view.get(rel)) == _code_facts(new_view.get(rel))
                                     for rel in differ):
        rbcodes = old_codes  # nothing runbook_codes reads changed (a runbook's title, an article)
    else:
        rbcodes = runbook_codes(cfg, records, new_view, audience)
    owner = {u["id"]: rel for rel, u in new_view.items()}
    for rid in old_codes.keys() | rbcodes.keys():
        if old_codes.get(rid) != rbcodes.get(rid) and rid in owner:
            affected.add(owner[rid])
    if any(u.get("section") for u in (*old_win.values(), *new_win.values())):
        md = [rel for rel in affected if (old_by.get(rel, {}).get("unit") or {}).get("md")
              or ((new_win.get(rel) or {}).get("md"))]
        if md or any(rel.lower().endswith((".md", ".markdown")) for rel in changed | removed):
            raise NeedFull("a folder page lists the pages of its folder")
    # the documents of the affected files the view shows, from a model of those files alone
    docs_in = []
    for path, rel, area, *_ in files:
        if rel in affected and rel in new_view:
            entry = read.get(rel) or cache.get(path, rel, area)
            read.setdefault(rel, entry)
            if entry.doc is None:  # changed since the manifest was read: another process is writing
                raise NeedFull(f"{rel} changed while the index was updated")
            docs_in.append(entry.doc)
    cache.finish()
    kb = build_model(cfg, Sources(docs=docs_in), Report())
    for doc in docs_in:
        ent = kb.by_source.get(doc.rel)
        if ent is None or kb.entities.get(ent.id) is not ent or ent.id != new_view[doc.rel]["id"]:
            raise NeedFull(f"{doc.rel} does not model as the manifest says")  # never expected: be safe
    view = for_audience(kb, audience)
    codes = {rid: set(c) for rid, c in rbcodes.items()}
    docs: list[dict] = []
    for ent in view.entities.values():
        docs.append(document(view, ent, codes))
        docs += parts(view, ent)
    docs += catalogue_entries(view, kb.alert_entries)
    touched: set[str] = set()
    for rel in affected:
        touched |= _ids(old_view.get(rel)) | _ids(new_view.get(rel))
    return Plan(records, rbcodes, error_count(cfg, records, new_win, errs, settings) + scan_errors, docs, touched,
                files_read=len(read), affected=len(affected), dirty=dirty or bool(changed or removed),
                files_changed=len(changed | removed))


@dataclass
class Full:
    records: list[dict] | None
    rbcodes: dict[str, list[str]]
    errors: int
    docs: list[dict]
    files_read: int


def full(cfg: Config, audience: str, files: list, scan_errors: int, cache: SourceCache) -> Full:
    """Every document, from the whole KB (as `kbgen build` models it), and the manifest."""
    settings = cfg.rule_settings()
    cache.read = []
    first = not cache.files
    report = Report()
    sources = cache.load(report, [f[:3] for f in files])
    if first:  # every page read or looked up: keep the readings for the next run (as validate does);
        flush_cache(cfg)  # a cache that reused its files looked up only a few, and would keep only those
    mreport = Report()
    kb = build_model(cfg, sources, mreport)
    model_problems: dict[str, list] = {}
    for p in mreport.problems:
        model_problems.setdefault(p.file, []).append(p)
    children: dict[str, list] = {}
    for e in kb.entities.values():
        if e.parent:
            children.setdefault(e.parent, []).append(e)
    records = []
    for _, rel, *_ in files:
        entry = cache.files.get(rel)
        if entry is None:
            continue
        doc, u, problems = entry.doc, None, []
        if doc is not None and doc.obj is not None:
            ent = kb.by_source.get(rel)
            if ent is not None and ent.doc is doc and kb.entities.get(ent.id) is ent:
                u = unit(ent, children.get(ent.id, []))
                problems = model_problems.get(rel, [])
            else:  # a duplicate: what it would be on its own (it wins once the other file goes)
                u, problems = standalone(cfg, doc)
        records.append(record(cfg, entry, settings, u, problems))
    win, errs = winners(records)
    view = for_audience(kb, audience)
    docs = documents(view, kb.alert_entries)
    rbcodes = runbook_codes(cfg, records, in_view(win, audience), audience)
    out = Full(records, rbcodes, error_count(cfg, records, win, errs, settings) + scan_errors, docs,
               files_read=len(cache.read))
    if {u["id"] for u in win.values()} != {e.id for e in kb.entities.values() if not e.parent}:
        # the manifest would not replay this KB as build_model models it (never expected):
        # keep no manifest, so that every update loads the whole KB (slow, never wrong)
        out.records = None
    return out


def manifest_json(stamp: str, records: list[dict], rbcodes: dict) -> str:
    return json.dumps({"stamp": stamp, "records": records, "rbcodes": rbcodes}, separators=(",", ":"))


def read_manifest(text: str | None, stamp: str) -> dict | None:
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("stamp") != stamp or not isinstance(data.get("records"), list):
        return None
    return data
