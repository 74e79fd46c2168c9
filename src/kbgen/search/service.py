"""Keep a search index per audience outside the site, rebuilt only when the
content changed, and answer queries with the ranking agents rely on."""
from __future__ import annotations

import itertools
import os
import re
import shutil
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import __version__
from ..config import Config
from ..diagnostics.problems import Report
from ..kinds import Kind, Kinds, default_kinds
from ..load.cache import RACY_NS, SourceCache
from ..text.anchors import normalize_code
from . import incremental as inc
from .analysis import QUERY_WORD, Query
from .engine import DB_NAME, INDEX_FORMAT, Conflict, Hit, SqliteEngine, order
from .ranking import EXACT_CODES, EXACT_SCORE
from .ranking import pool as text_pool
from .synonyms import SynonymError, kb_synonyms_file, vocabulary

ENGINE = SqliteEngine  # the one place that names the engine

_PLAIN = Kind()  # the weights of a type no kind of this KB has (an index made with other kinds)


def kind_of(kinds: Kinds, type_: str) -> Kind:
    """The kind whose weights rank a document of this type (plain weights for a type no kind has)."""
    return kinds.get(type_) or _PLAIN

# Each kind's weights after text scoring (agents want procedures and codes
# first) and its rank among exact code matches: kbgen.kinds (search_weight,
# part_weight, exact_rank).


@dataclass
class SearchResult:
    query: str
    results: list[Hit] = field(default_factory=list)
    suggestion: str | None = None
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        # scores are compared unrounded (ranking.py); 4 decimals are enough to read
        return {"query": self.query, "results": [{**asdict(h), "score": round(h.score, 4)} for h in self.results],
                "suggestion": self.suggestion}


def index_dir(cfg: Config, audience: str) -> Path:
    # KBGEN_SEARCH_DIR overrides the plugin option (read-only checkouts, tests)
    base = os.environ.get("KBGEN_SEARCH_DIR") or cfg.options.search_dir
    return cfg.root / base / f"search-{audience}"


class SearchError(Exception):
    """The index cannot be made or read (a read-only checkout, say): exit code 2."""


# The index folder's stamp: the fingerprint of the sources its documents were
# made from, then the files that fingerprint checks by content ("digest") or
# that pages include from outside the sources ("dep"), one "kind<TAB>rel" a line.
STAMP = "kbgen-fingerprint"


def _stamp(path: Path) -> tuple[str, list[tuple[str, str]]] | None:
    try:
        lines = (path / STAMP).read_text().split("\n")
    except OSError:
        return None
    extras = []
    for line in lines[1:]:
        kind, tab, rel = line.partition("\t")
        if tab:
            extras.append((kind, rel))
    return lines[0], extras


def _settled(extras: list[tuple[str, str]], files: list) -> bool:
    """Has a file checked by content since changed long enough ago for its time to
    tell? Then the index is brought up to date once more, to stop reading it."""
    racy = {rel for kind, rel in extras if kind == "digest"}
    if not racy:
        return False
    old = time.time_ns() - RACY_NS
    return any(mtime < old for _, rel, _, _, mtime in files if rel in racy)


def _write_stamp(path: Path, fp: str, extras: list[tuple[str, str, str]]) -> None:
    tmp = path / f".{STAMP}.{os.getpid()}"
    tmp.write_text("\n".join([fp, *(f"{k}\t{rel}" for k, rel, _ in extras)]) + "\n")
    os.replace(tmp, path / STAMP)  # written last: a stamped index is complete


def _format(audience: str) -> str:
    return f"{__version__}/{INDEX_FORMAT}/{audience}"


_keyed = inc.keyed


@dataclass
class UpdateStats:
    documents: int = 0      # documents made (all of them, or those of the files an edit affects)
    changed: int = 0        # ... written because they are new or differ from the index
    removed: int = 0
    rebuilt: bool = False   # the whole index written afresh (another format or kbgen version)
    incremental: bool = False  # only the changed files read (else the whole KB was loaded)
    files_read: int = 0
    affected: int = 0       # files whose documents were made again
    files_changed: int = 0  # changed, added and deleted files (when incremental)
    errors: int = 0         # load and model errors in the KB (what changes what is searched)
    reason: str = ""        # why the whole KB was loaded
    load_seconds: float = 0.0   # reading the sources and making their documents
    index_seconds: float = 0.0  # comparing fingerprints and writing the changed documents


def update_index(engine, docs: list[dict], audience: str, meta: dict, expect: dict | None = None) -> UpdateStats:
    """Bring an open index in line with these documents (all of the KB's):
    only changed ones are written (a full rebuild when the index format or
    kbgen changed)."""
    stats = UpdateStats(documents=len(docs))
    new = _keyed(docs)
    old = engine.fingerprints() if engine.meta("format") == _format(audience) else None
    if old is None:
        stats.rebuilt = True
        old = engine.fingerprints()  # an old format: everything goes
        upsert, delete = list(new.values()), [k for k in old if k not in new]
    else:
        upsert = [d for k, d in new.items() if old.get(k) != d["fp"]]
        delete = [k for k in old if k not in new]
    stats.changed, stats.removed = len(upsert), len(delete)
    engine.apply(upsert, delete, {"format": _format(audience), **meta}, expect)
    return stats


def _remove_db(path: Path) -> None:
    for name in (DB_NAME, DB_NAME + "-wal", DB_NAME + "-shm"):
        (path / name).unlink(missing_ok=True)


def _open_engine(path: Path):
    try:
        return ENGINE().open(path)
    except sqlite3.DatabaseError:  # a damaged file (truncated, overwritten): start again
        _remove_db(path)
        return ENGINE().open(path)


def ensure_index(cfg: Config, audience: str, force: bool = False) -> tuple[Path, list[str]]:
    """The index for an audience, updated in place (only changed documents) if the content changed."""
    path, warnings, _ = refresh_index(cfg, audience, force)
    return path, warnings


def refresh_index(cfg: Config, audience: str, force: bool = False,
                  sources: SourceCache | None = None) -> tuple[Path, list[str], UpdateStats | None]:
    """Bring the audience's index up to date; stats None when it already was.
    Only the changed files are read, and only the documents they affect are
    made again (kbgen.search.incremental); the whole KB is loaded when there
    is no index yet or the change cannot be bounded. sources: loaded files
    kept by a long-running caller (kbgen mcp), reused when unchanged."""
    path = index_dir(cfg, audience)
    stamp = inc.kb_stamp(cfg, audience)
    scan_report = Report()
    files = inc.scan(cfg, scan_report)
    if not force:
        listed = _stamp(path)
        if listed and not _settled(listed[1], files) and \
                listed[0] == inc.fingerprint(stamp, files, inc.current_extras(cfg.root, listed[1])):
            return path, [], None
    cache = sources if sources is not None else SourceCache(cfg)
    scan_report.apply(cfg.rule_settings())
    syn = kb_synonyms_file(cfg)
    try:
        if force:
            shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)
        engine = _open_engine(path)
        if engine.meta("format") not in (None, _format(audience)):
            # another kbgen version or index format: its tables may differ, start from an empty file
            engine.close()
            _remove_db(path)
            engine = _open_engine(path)
        try:
            for attempt in range(3):
                try:  # the last attempt writes whatever another process did meanwhile
                    stats, extras = _update(engine, cfg, audience, stamp, files, scan_report.errors, cache,
                                            str(syn) if syn else "", check=attempt < 2)
                    break
                except Conflict:
                    continue
        finally:
            engine.close()
        _write_stamp(path, inc.fingerprint(stamp, files, extras), extras)
    except (OSError, sqlite3.OperationalError) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise SearchError(f"cannot write the search index in {path}: {why}; "
                          "point the plugin option search_dir (or KBGEN_SEARCH_DIR) at a writable folder") from None
    if stats.incremental and not (stats.files_changed or stats.changed or stats.removed):
        return path, [], None  # only files checked by content have settled: nothing changed
    warnings = []
    if stats.errors:
        warnings.append(f"the knowledge base has {stats.errors} error(s) in files it could not load in full; "
                        "searching what could be loaded (run `kbgen validate`)")
    return path, warnings, stats


def _update(engine, cfg: Config, audience: str, stamp: str, files: list, scan_errors: int, cache: SourceCache,
            synonyms: str, check: bool) -> tuple[UpdateStats, list]:
    """One attempt: plan from the manifest the index holds, or load everything; write in one transaction."""
    generation = engine.meta("generation")
    expect = {"generation": generation} if check else None
    meta = {"generation": str(int(generation or 0) + 1), "synonyms": synonyms}
    manifest = None
    if engine.meta("format") == _format(audience):
        manifest = inc.read_manifest(engine.meta("manifest"), stamp)
    started = time.perf_counter()
    reason = "no manifest of the sources in the index" if manifest is None else ""
    p = None
    if manifest is not None:
        try:
            p = inc.plan(cfg, audience, files, scan_errors, manifest, cache)
        except inc.NeedFull as why:
            reason = str(why)
    if p is not None:
        loaded = time.perf_counter()
        new = _keyed(p.docs)
        old = engine.fingerprints(ids=p.touched)
        upsert = [d for k, d in new.items() if old.get(k) != d["fp"]]
        delete = [k for k in old if k not in new]
        stats = UpdateStats(documents=len(new), changed=len(upsert), removed=len(delete), incremental=True,
                            files_read=p.files_read, affected=p.affected, errors=p.errors,
                            files_changed=p.files_changed)
        if upsert or delete or p.dirty:
            meta["manifest"] = inc.manifest_json(stamp, p.records, p.rbcodes)
            engine.apply(upsert, delete, meta, expect)
        records = p.records
    else:
        f = inc.full(cfg, audience, files, scan_errors, cache)
        loaded = time.perf_counter()
        meta["manifest"] = inc.manifest_json(stamp, f.records, f.rbcodes) if f.records is not None else ""
        stats = update_index(engine, f.docs, audience, meta, expect)
        stats.files_read, stats.affected, stats.errors, stats.reason = f.files_read, len(files), f.errors, reason
        records = f.records or []
    stats.load_seconds, stats.index_seconds = loaded - started, time.perf_counter() - loaded
    return stats, inc.manifest_extras(records)


def code_candidates(q: str, known: set[str]) -> list[str]:
    """Error codes the query names, in any spelling: QT-001, qt001, "QT 001", 429, enospc."""
    tokens = [t for t in re.split(r"[\s,;]+", q.strip()) if t]
    cands = [q] + tokens + [a + b for a, b in itertools.pairwise(tokens)]
    found = []
    for c in cands:
        n = normalize_code(c)
        if n and n in known and n not in found:
            found.append(n)
    return found


def _rest(q: str, codes: list[str]) -> str:
    """What the query says besides the codes it names."""
    words = [w for w in re.split(r"[\s,;]+", q) if w]
    left = [w for w in words if normalize_code(w) not in codes]
    joined = "".join(normalize_code(w) for w in left)
    return "" if joined in codes else " ".join(left)


class Searcher:
    """An open index: query it many times (the bench and long-lived tools)."""

    def __init__(self, path: Path, synonyms: Path | None = None, kinds: Kinds | None = None):
        self.kinds = kinds or default_kinds()
        self.engine = _open_engine(path)
        self.known = self.engine.known_codes()
        syn = synonyms or (self.engine.meta("synonyms") or None)
        self.vocab = vocabulary(Path(syn) if syn else None)

    def close(self) -> None:
        self.engine.close()

    def _kind(self, type_: str) -> Kind:
        return kind_of(self.kinds, type_)

    def query(self, q: str, limit: int = 10, type_: str | None = None, product: str | None = None) -> SearchResult:
        filters = {"type": type_, "product": product}
        result = SearchResult(q)
        seen: dict[str, Hit] = {}
        codes = code_candidates(q, self.known)
        analysed = Query(q, self.vocab)
        if codes:
            exact = self.engine.exact_codes(codes, limit=EXACT_CODES, filters=filters)
            exact.sort(key=lambda h: (self._kind(h.type).exact_rank, *order(h)))
            for rank, h in enumerate(exact):
                h.score = EXACT_SCORE - rank  # exact codes outrank any text match
                seen.setdefault(h.id, h)
        if seen and not _rest(q, codes):
            # the query is only a code: its entry and runbooks are the answer
            result.results = list(seen.values())[:limit]
            self.engine.add_snippets(result.results, analysed)
            return result
        pool = text_pool(limit)
        hits = self.engine.text(analysed, limit=pool, filters=filters)
        unknown = self.engine.unknown_words(analysed)
        shown = analysed
        if unknown:
            fixes = self.engine.suggest(unknown)
            if fixes:
                # a likely typo: search the corrected query too ("autentication" -> "authentication"),
                # and say so: `suggestion` is what to search for next time
                result.suggestion = " ".join(fixes.get(w.lower(), w) for w in QUERY_WORD.findall(q))
                shown = Query(result.suggestion, self.vocab)
                hits += self.engine.text(shown, limit=pool, filters=filters)
        for h in hits:
            kind = self._kind(h.type)
            weight = kind.part_weight if "#" in h.url else None  # a part of a page, at its anchor
            h.score = h.score * (weight or kind.search_weight)
        for h in sorted(hits, key=lambda h: (-h.score, *order(h))):
            seen.setdefault(h.id, h)  # one result per entity: its best-scoring document
        result.results = list(seen.values())[:limit]
        self.engine.add_snippets(result.results, shown)
        return result


def open_searcher(cfg: Config, audience: str) -> tuple[Searcher, list[str]]:
    """An up-to-date index, opened; a damaged one is rebuilt once."""
    path, warnings = ensure_index(cfg, audience)
    try:
        return Searcher(path, kinds=cfg.kinds), warnings
    except SynonymError as exc:
        raise SearchError(str(exc)) from None
    except Exception:  # noqa: BLE001 - files removed or truncated by hand, a crash mid-copy...
        path, warnings = ensure_index(cfg, audience, force=True)
        try:
            return Searcher(path, kinds=cfg.kinds), warnings
        except Exception as exc:  # noqa: BLE001
            raise SearchError(f"cannot open the search index {path}: {exc}") from None


def search(cfg: Config, q: str, audience: str = "internal", type_: str | None = None,
           product: str | None = None, limit: int = 10) -> SearchResult:
    s, warnings = open_searcher(cfg, audience)
    try:
        result = s.query(q, limit=limit, type_=type_, product=product)
    finally:
        s.close()
    result.warnings = warnings
    return result
