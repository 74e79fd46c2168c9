"""The search engine behind a small interface, so it can change.

`SqliteEngine` implements it with SQLite's FTS5 (in Python's standard
library): BM25 over title, symptoms, body, tags, hints and identifier words,
weighted per field, in C. We moved from Whoosh to FTS5 because a one-document
update is a row change inside a transaction (incremental indexing), and a
query, even of common words over 10k entities, is answered in milliseconds.
Typo suggestions use rapidfuzz's edit distance over the indexed words.

One SQLite file per audience: `doc` holds what results show, `code` the
normalised error codes (exact look-up), `ftitle`, `fsym` and `fbody` the searchable text, `words`
the words as written (for "did you mean")."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import extractOne

from .analysis import WORD, Query, identifier_words
from .ranking import CANDIDATES, COMMON, EXACT_IDENTIFIER, PHRASES, PRUNE_FROM, TABLE_WEIGHT, TABLES, WEIGHTS

# Bump when the schema or the documents change: a different format means a full rebuild.
INDEX_FORMAT = 6
DB_NAME = "index.sqlite"
_MARK = "\x02"  # marks matched words inside engine snippets; never shown


@dataclass
class Hit:
    id: str
    type: str
    title: str
    url: str
    score: float
    snippet: str


class _Hit(Hit):
    """A hit with its row and key in the index, for the engine's own use (not
    dataclass fields: never serialised). The key breaks ties (ranking.py)."""
    _rowid: int
    _key: str


def order(h: Hit) -> tuple:
    """The tie-break of equal scores (kbgen.search.ranking): entity id, then document key."""
    return h.id, getattr(h, "_key", "")


class Conflict(Exception):
    """Another process changed the index since this one read what `apply` expects."""


class SearchEngine(Protocol):
    """What the ranking rules (service.py) need from an engine. Documents are
    the plain dicts of documents.py; filters are {"type": ..., "product": ...}."""

    def open(self, path: Path) -> "SearchEngine": ...
    def close(self) -> None: ...
    def meta(self, k: str) -> str | None: ...
    def fingerprints(self, ids=None) -> dict[str, str]: ...
    def apply(self, upsert: list[dict], delete: list[str], meta: dict, expect: dict | None = None) -> None: ...
    def known_codes(self) -> set[str]: ...
    def exact_codes(self, codes: list[str], limit: int, filters: dict | None = None) -> list[Hit]: ...
    def text(self, q: Query, limit: int, filters: dict) -> list[Hit]: ...
    def unknown_words(self, q: Query) -> list[str]: ...
    def suggest(self, words: list[str]) -> dict[str, str]: ...
    def add_snippets(self, hits: list[Hit], q: Query | None) -> None: ...


_TOKENIZE = "tokenize=\"porter unicode61 remove_diacritics 2 tokenchars '_'\""
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS doc(rowid INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, id TEXT NOT NULL,
    type TEXT NOT NULL, title TEXT, url TEXT, products TEXT, fp TEXT);
CREATE TABLE IF NOT EXISTS code(code TEXT NOT NULL, rowid INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS code_code ON code(code);
CREATE INDEX IF NOT EXISTS code_rowid ON code(rowid);
CREATE INDEX IF NOT EXISTS doc_id ON doc(id);
CREATE VIRTUAL TABLE IF NOT EXISTS ftitle USING fts5({", ".join(TABLES["ftitle"])}, {_TOKENIZE});
CREATE VIRTUAL TABLE IF NOT EXISTS fsym USING fts5({", ".join(TABLES["fsym"])}, {_TOKENIZE});
CREATE VIRTUAL TABLE IF NOT EXISTS fbody USING fts5({", ".join(TABLES["fbody"])}, {_TOKENIZE});
CREATE VIRTUAL TABLE IF NOT EXISTS words USING fts5(text, tokenize="unicode61 remove_diacritics 2 tokenchars '_'",
    detail=none);
CREATE VIRTUAL TABLE IF NOT EXISTS words_vocab USING fts5vocab(words, row);
"""


class SqliteEngine:
    def __init__(self):
        self._db: sqlite3.Connection | None = None
        self._dfs: dict[tuple[str, str], int] = {}
        self._sizes: dict[str, int] = {}

    # --- the index file -------------------------------------------------------------

    def open(self, path: Path) -> "SqliteEngine":
        path.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path / DB_NAME), timeout=30, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        return self

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise sqlite3.ProgrammingError("the index is not open")
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def meta(self, k: str) -> str | None:
        row = self.db.execute("SELECT v FROM meta WHERE k=?", (k,)).fetchone()
        return row[0] if row else None

    def fingerprints(self, ids=None) -> dict[str, str]:
        """key -> fingerprint of every document, or of the documents of these entity ids."""
        if ids is None:
            return dict(self.db.execute("SELECT key, fp FROM doc"))
        wanted, out = sorted(ids), dict[str, str]()
        for i in range(0, len(wanted), 500):  # under SQLite's limit on parameters
            chunk = wanted[i:i + 500]
            out.update(self.db.execute(f"SELECT key, fp FROM doc WHERE id IN ({','.join('?' * len(chunk))})", chunk))
        return out

    def apply(self, upsert: list[dict], delete: list[str], meta: dict, expect: dict | None = None) -> None:
        """Remove and (re)insert documents by key, and set meta, in one transaction:
        readers see the old index or the new one, never half of it. expect:
        meta values the change was planned from; another value raises Conflict
        (another process updated the index meanwhile) and nothing is written."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            for k, v in (expect or {}).items():
                if self.meta(k) != v:
                    raise Conflict(k)
            gone = [r[0] for k in [*delete, *(d["key"] for d in upsert)]
                    for r in db.execute("SELECT rowid FROM doc WHERE key=?", (k,))]
            for rowid in gone:
                for t in (*TABLES, "words", "code", "doc"):
                    db.execute(f"DELETE FROM {t} WHERE rowid=?", (rowid,))
            for d in upsert:
                cur = db.execute("INSERT INTO doc(key, id, type, title, url, products, fp) VALUES (?,?,?,?,?,?,?)",
                                 (d["key"], d["id"], d["type"], d["title"], d["url"],
                                  "," + ",".join(d["products"]) + ",", d["fp"]))
                rowid = cur.lastrowid
                db.execute("INSERT INTO ftitle(rowid, title, tags, title_idents) VALUES (?,?,?,?)",
                           (rowid, d["title"], d["tags"], identifier_words(d["title"])))
                db.execute("INSERT INTO fsym(rowid, symptoms, idents) VALUES (?,?,?)",
                           (rowid, d["symptoms"], identifier_words(d["symptoms"], d["body"], d["tags"])))
                db.execute("INSERT INTO fbody(rowid, body, hints) VALUES (?,?,?)",
                           (rowid, d["body"], d.get("hints", "")))
                db.execute("INSERT INTO words(rowid, text) VALUES (?,?)",
                           (rowid, " ".join((d["title"], d["symptoms"], d["body"], d["tags"]))))
                db.executemany("INSERT INTO code(code, rowid) VALUES (?,?)", [(c, rowid) for c in d["codes"]])
            for k, v in meta.items():
                db.execute("INSERT OR REPLACE INTO meta(k, v) VALUES (?,?)", (k, v))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        if len(upsert) + len(delete) > 1000:
            for t in (*TABLES, "words"):  # fewer segments: faster queries
                db.execute(f"INSERT INTO {t}({t}) VALUES ('optimize')")

    def known_codes(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT DISTINCT code FROM code")}

    def stored(self) -> list[dict]:
        """Every document's stored fields (the bench counts entities with it)."""
        cols = ("key", "id", "type", "title", "url")
        return [dict(zip(cols, r)) for r in self.db.execute(f"SELECT {', '.join(cols)} FROM doc")]

    # --- queries --------------------------------------------------------------------

    @staticmethod
    def _filter(filters: dict) -> tuple[str, list]:
        sql, args = "", []
        if filters.get("type"):
            sql += " AND doc.type = ?"
            args.append(filters["type"])
        if filters.get("product"):
            # a page that names no product is about every product
            sql += " AND (doc.products = ',,' OR instr(doc.products, ?) > 0)"
            args.append("," + filters["product"] + ",")
        return sql, args

    def _hits(self, rows) -> list[_Hit]:
        out = []
        for rowid, key, id_, type_, title, url, score in rows:
            h = _Hit(id_, type_, title, url, float(score), "")
            h._rowid, h._key = rowid, key
            out.append(h)
        return out

    def exact_codes(self, codes: list[str], limit: int, filters: dict | None = None) -> list[Hit]:
        where, args = self._filter(filters or {})
        marks = ",".join("?" * len(codes))
        rows = self.db.execute(
            f"SELECT DISTINCT doc.rowid, doc.key, doc.id, doc.type, doc.title, doc.url, 1.0 FROM code "
            f"JOIN doc ON doc.rowid = code.rowid WHERE code.code IN ({marks}){where} "
            f"ORDER BY doc.id, doc.key LIMIT ?", [*codes, *args, limit])
        hits: list[Hit] = [*self._hits(rows)]
        return hits

    def text(self, q: Query, limit: int, filters: dict) -> list[Hit]:
        """The reader's words in each table, plus synonyms at their weight
        (synonyms.py): an alternative adds to a document's score, never
        outranks the words typed. Each table gives its best CANDIDATES
        documents; a document missing from a table's list scores 0 there
        (it is below that table's best, so its share would be small)."""
        parts = [(self._useful(q.user_terms(PHRASES[t]), t), t, 1.0) for t in TABLES]
        if not any(p[0] for p in parts):  # only words that are everywhere: rank by titles
            parts = [(" OR ".join(q.user_terms()), "ftitle", 1.0)]
        parts += [(self._useful(q.identifier_terms(), t), t, EXACT_IDENTIFIER) for t in TABLES]
        for weight in sorted(set(q.alternatives.values())):
            parts += [(self._useful(q.alternative_terms(weight), t), t, weight) for t in TABLES]
        parts = [p for p in parts if p[0]]
        hits: dict[int, _Hit] = {}
        for match, table, weight in parts:
            # one statement per table: SQLite computes a term's IDF once per statement
            weight *= TABLE_WEIGHT[table]
            for h in self._text(match, table, max(limit, CANDIDATES), filters):
                if h._rowid in hits:
                    hits[h._rowid].score += h.score * weight
                else:
                    h.score *= weight
                    hits[h._rowid] = h
        found: list[Hit] = sorted(hits.values(), key=lambda h: (-h.score, *order(h)))
        return found[:limit]

    def _df(self, table: str, term: str) -> int:
        """How many documents of a table hold a term (cached for this open index)."""
        key = (table, term)
        if key not in self._dfs:
            try:
                self._dfs[key] = self.db.execute(f"SELECT count(*) FROM {table} WHERE {table} MATCH ?",
                                                 (term,)).fetchone()[0]
            except sqlite3.OperationalError:
                self._dfs[key] = 0
        return self._dfs[key]

    def _useful(self, terms: list[str], table: str) -> str | None:
        """The terms worth searching in a table. BM25 gives a term found in more
        than half of the documents no weight at all (SQLite clamps its IDF to
        ~0), and one found in a third of them little (IDF log 2, against 5-8
        for a rare word), yet matching it costs a pass over a large part of
        the index. Leaving such terms out keeps common-word queries fast at 10k
        pages; when every term is that common, titles alone are searched."""
        if table not in self._sizes:
            self._sizes[table] = self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        if self._sizes[table] < PRUNE_FROM:  # small KBs are fast anyway: every term counts
            return " OR ".join(terms) or None
        most = self._sizes[table] * COMMON
        kept = [t for t in terms if 0 < self._df(table, t) <= most]
        return " OR ".join(kept) or None

    def _text(self, match: str | None, table: str, limit: int, filters: dict) -> list[_Hit]:
        if not match:
            return []
        where, args = self._filter(filters)
        weights = ", ".join(str(WEIGHTS[c]) for c in TABLES[table])
        try:
            rows = self.db.execute(
                f"SELECT doc.rowid, doc.key, doc.id, doc.type, doc.title, doc.url, -bm25({table}, {weights}) AS s "
                f"FROM {table} JOIN doc ON doc.rowid = {table}.rowid WHERE {table} MATCH ?{where} "
                f"ORDER BY s DESC, doc.id, doc.key LIMIT ?", [match, *args, limit]).fetchall()
        except sqlite3.OperationalError:  # a query string FTS5 will not parse: no match, not a crash
            return []
        return self._hits(rows)

    def _seen(self, word: str) -> bool:
        try:
            return any(self.db.execute(f"SELECT 1 FROM {t} WHERE {t} MATCH ? LIMIT 1",
                                       ('"' + word.replace('"', " ") + '"',)).fetchone() for t in TABLES)
        except sqlite3.OperationalError:
            return True

    def unknown_words(self, q: Query) -> list[str]:
        """Query words the index has never seen (likely typos)."""
        return [w for w in q.words if len(w) >= 4 and WORD.fullmatch(w) and not self._seen(w)]

    def suggest(self, words: list[str]) -> dict[str, str]:
        """Closest indexed word, as written, for each unknown word: same first
        letter, at most 1 edit (up to 6 letters) or 2; the more frequent wins a tie."""
        out = {}
        for w in words:
            rows = self.db.execute("SELECT term, doc FROM words_vocab WHERE term >= ? AND term < ?",
                                   (w[0], chr(ord(w[0]) + 1))).fetchall()
            if not rows:
                continue
            limit = 1 if len(w) <= 6 else 2
            freq = dict(rows)
            cands = [t for t in freq if abs(len(t) - len(w)) <= limit and t != w]
            best = extractOne(w, cands, scorer=Levenshtein.distance, score_cutoff=limit)
            if best:
                dist = best[1]
                ties = [t for t in cands if Levenshtein.distance(w, t, score_cutoff=dist) <= dist]
                out[w] = max(ties, key=lambda t: (freq[t], t))
        return out

    def add_snippets(self, hits: list[Hit], q: Query | None) -> None:
        """A short passage with the matched words (plain text: no markup), for
        the final results only. Symptoms first, then body; the page's own start
        when the words matched only the title or hidden fields."""
        want = {h._rowid: h for h in hits if isinstance(h, _Hit) and not h.snippet}
        if not want:
            return
        match = q.match_all(phrases=False) if q else None
        found: dict[int, str] = {}
        if match:
            for table, col in (("fsym", 0), ("fbody", 0)):  # symptoms, then body
                todo = [r for r in want if r not in found]
                if not todo:
                    break
                try:
                    rows = self.db.execute(
                        f"SELECT rowid, snippet({table}, {col}, '{_MARK}', '', ' … ', 28) FROM {table} "
                        f"WHERE {table} MATCH ? AND rowid IN ({','.join('?' * len(todo))})",
                        [match, *todo]).fetchall()
                except sqlite3.OperationalError:
                    rows = []
                for rowid, text in rows:
                    if _MARK in (text or ""):
                        found[rowid] = text
        missing = [r for r in want if r not in found]
        if missing:
            ms = ",".join("?" * len(missing))
            for rowid, body in self.db.execute(f"SELECT rowid, body FROM fbody WHERE rowid IN ({ms})", missing):
                found[rowid] = _start(body or "")
            for rowid, symptoms in self.db.execute(f"SELECT rowid, symptoms FROM fsym WHERE rowid IN ({ms})",
                                                   missing):
                if not found.get(rowid):
                    found[rowid] = _start(symptoms or "")
        for rowid, h in want.items():
            h.snippet = " ".join(found.get(rowid, "").replace(_MARK, "").split())


def _start(text: str, n: int = 200) -> str:
    text = " ".join(text.split())
    if len(text) <= n:
        return text
    return text[:n].rsplit(" ", 1)[0] + " …"


def dumps(obj) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False)
