"""Keep a search index per audience outside the site, rebuilt only when the
content changed, and answer queries with the ranking agents rely on."""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .. import __version__
from ..audience import for_audience
from ..config import Config
from ..load import discover
from ..model import normalize_code
from .documents import documents
from .engine import INDEX_FORMAT, Hit, SearchEngine, WhooshEngine
from .synonyms import expand

ENGINE = WhooshEngine  # the one place that names the engine

# Whole-entity multipliers after text scoring: agents want procedures and codes first.
TYPE_WEIGHT = {"runbook": 1.25, "error-code": 1.15, "faq": 1.1, "article": 1.0, "sla": 1.0, "tiers": 1.0,
               "error-table": 0.7, "contacts": 0.8, "templates": 0.8, "alerts": 0.8}


@dataclass
class SearchResult:
    query: str
    results: list[Hit] = field(default_factory=list)
    suggestion: str | None = None
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"query": self.query, "results": [asdict(h) for h in self.results], "suggestion": self.suggestion}


def index_dir(cfg: Config, audience: str) -> Path:
    # KBGEN_SEARCH_DIR overrides the plugin option (read-only checkouts, tests)
    base = os.environ.get("KBGEN_SEARCH_DIR") or cfg.options.search_dir
    return cfg.root / base / f"search-{audience}"


def fingerprint(cfg: Config, audience: str) -> str:
    """Changes whenever a source, the config or kbgen itself changes."""
    h = hashlib.sha256(f"{__version__}\0{INDEX_FORMAT}\0{audience}\0".encode())
    for name in ("mkdocs.yml", "mkdocs.yaml"):
        p = cfg.root / name
        if p.exists():
            h.update(p.read_bytes())
    for path, rel, _ in discover(cfg):
        st = path.stat()
        h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


class SearchError(Exception):
    """The index cannot be made or read (a read-only checkout, say): exit code 2."""


def _current(path: Path, fp: str) -> bool:
    stamp = path / "kbgen-fingerprint"
    try:
        return stamp.read_text() == fp
    except OSError:
        return False


def _swap(tmp: Path, path: Path, old: Path, fp: str) -> None:
    """Put the new index in place; readers that opened the old one keep their open files.
    Two processes may race here: the second one to arrive retries once."""
    for attempt in (1, 2):
        shutil.rmtree(old, ignore_errors=True)
        try:
            os.rename(path, old)
        except FileNotFoundError:
            pass
        try:
            os.rename(tmp, path)
            return
        except OSError:
            if _current(path, fp):
                return  # another process installed this same index meanwhile
            if attempt == 2:
                raise


def ensure_index(cfg: Config, audience: str, force: bool = False) -> tuple[Path, list[str]]:
    """The index for an audience, rebuilt (atomically) if the content changed."""
    path = index_dir(cfg, audience)
    fp = fingerprint(cfg, audience)
    if not force and _current(path, fp):
        return path, []
    from ..validate import validate_config
    kb, report = validate_config(cfg)
    warnings = []
    if report.errors:
        warnings.append(f"the knowledge base has {report.errors} validation error(s); "
                        "searching what could be loaded (run `kbgen validate`)")
    docs = documents(for_audience(kb, audience))
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    old = path.parent / f".{path.name}.old-{os.getpid()}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
        ENGINE().build(docs, tmp)
        (tmp / "codes.json").write_text(json.dumps(sorted({c for d in docs for c in d["codes"]})))
        (tmp / "kbgen-fingerprint").write_text(fp)  # written last: a stamped index is complete
        _swap(tmp, path, old, fp)
    except OSError as exc:
        raise SearchError(f"cannot write the search index in {path.parent}: {exc.strerror or exc}; "
                          "point the plugin option search_dir (or KBGEN_SEARCH_DIR) at a writable folder") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return path, warnings


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

    def __init__(self, path: Path):
        self.engine: SearchEngine = ENGINE().open(path)
        self.known = set(json.loads((path / "codes.json").read_text()))

    def close(self) -> None:
        self.engine.close()

    def query(self, q: str, limit: int = 10, type_: str | None = None, product: str | None = None) -> SearchResult:
        filters = {"type": type_, "product": product}
        result = SearchResult(q)
        seen: dict[str, Hit] = {}
        codes = code_candidates(q, self.known)
        if codes:
            exact = self.engine.exact_codes(codes, limit=100, filters=filters)
            order = {"error-code": 0, "runbook": 1}
            exact.sort(key=lambda h: (order.get(h.type, 2), -h.score, h.id))
            for rank, h in enumerate(exact):
                h.score = round(1000.0 - rank, 4)  # exact codes outrank any text match
                seen[h.id] = h
        if seen and not _rest(q, codes):
            # the query is only a code: its entry and runbooks are the answer
            result.results = list(seen.values())[:limit]
            self.engine.add_snippets(result.results)
            return result
        wide = expand(q)
        pool = max(limit * 3, 30)
        hits = self.engine.text(wide, limit=pool, fuzzy=False, filters=filters)
        corrected = self.engine.suggest(q) if self.engine.unknown_words(wide) else None
        if corrected:
            # a likely typo: search the corrected query too ("autentication" -> "authentication"),
            # and say so: `suggestion` is what the agent may want to search for next time
            hits += self.engine.text(expand(corrected), limit=pool, fuzzy=False, filters=filters)
            result.suggestion = corrected
        if len({h.id for h in hits}) < limit:
            ids = {h.id for h in hits}
            # typo tolerance: fuzzy matches rank below every exact word match
            fuzzy = [h for h in self.engine.text(q, limit=pool, fuzzy=True, filters=filters) if h.id not in ids]
            floor = min((h.score for h in hits), default=0.0)
            for h in fuzzy:
                h.score = min(h.score, floor) * 0.5 if hits else h.score
            hits += fuzzy
        for h in hits:
            h.score = round(h.score * TYPE_WEIGHT.get(h.type, 1.0), 4)
        for h in sorted(hits, key=lambda h: (-h.score, h.id)):
            seen.setdefault(h.id, h)  # one result per entity: its best-scoring document
        result.results = list(seen.values())[:limit]
        self.engine.add_snippets(result.results)
        return result


def open_searcher(cfg: Config, audience: str) -> tuple[Searcher, list[str]]:
    """An up-to-date index, opened; a damaged one is rebuilt once."""
    path, warnings = ensure_index(cfg, audience)
    try:
        return Searcher(path), warnings
    except Exception:  # noqa: BLE001 - files removed or truncated by hand, a crash mid-copy...
        path, warnings = ensure_index(cfg, audience, force=True)
        try:
            return Searcher(path), warnings
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
