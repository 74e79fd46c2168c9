"""The site's search index: agent search's documents and statistics, written
as static files that the search box in the site's header (assets/kbgen-search.js)
ranks exactly as `kbgen search` does (docs/index-and-search.md, "The site's search box").

The documents are agent search's (documents.py), put through the same
SQLite FTS5 engine (engine.py) in a temporary index; what the browser needs
is read back from that index, so the browser sees FTS5's own tokens:

- per term (a porter-stemmed token) and full-text table: how many documents
  hold it, and per document its size in tokens and the term's count per
  column: what bm25() computes with;
- per pair of adjacent tokens, the same with the pair's positions, so the
  browser can match phrases ("log in", "no space left on device");
- per normalised error code, its documents (exact codes first);
- the words as written, by first letter and length (typo correction);
- per document, what a result shows (title, link, text for the excerpt);
- a manifest: the ranking's numbers (ranking.py), the tables' sizes, each
  document's type, products and kind, the synonyms, stop and filler words.

Terms and pairs are spread over shards by a hash of the key, so a query
downloads the shards of its own words only; a posting list too long to sit
in a shard has a file of its own, fetched only when the query searches that
term (a term on more than a third of a big index's documents needs only its
count: ranking.COMMON). An offline build (file://, where fetch() is refused)
writes each file as a script that hands its data to the box.

Documents are numbered in ranking order (entity id, then key), so the
browser breaks ties as agent search does.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..text.anchors import page_url
from .documents import documents
from .engine import SqliteEngine
from .incremental import keyed
from .ranking import TABLES
from .ranking import manifest as ranking_manifest
from .service import kind_of
from .synonyms import FILLER, STOP, kb_synonyms_file, vocabulary

FOLDER = "search"            # the index's folder at the site's root
FORMAT = 1                   # the files' layout; the box checks it
SHARD_BYTES = 12_000         # a term shard's target size (JSON, before the host's gzip)
OWN_FILE = 1_500             # numbers in a posting list from which it gets a file of its own
CODE_BYTES = 4_000           # a code shard's target size
EXCERPT_CHARS = 1_500        # text kept per document for the excerpt the box shows
CALLBACK = "kbgenSearchData"  # offline files call it: kbgenSearchData("s/3", {...})


@dataclass
class Written:
    documents: int
    files: int
    bytes: int
    folder: Path


def fnv1a(text: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes: which shard holds a key (the box computes the same)."""
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def search_documents(view) -> list[dict]:
    """The documents agent search indexes for this audience, keyed as its index keys them."""
    return list(keyed(documents(view)).values())


def _doc_path(view, doc: dict, directory_urls: bool) -> str:
    """The site-relative link of a document: its page (as the renderer names
    it) and the entry's anchor."""
    anchor = doc["url"].split("#", 1)[1] if "#" in doc["url"] else ""
    ent = view.entities.get(doc["id"])
    page = getattr(ent, "page", None)
    if not page:  # no page of its own: the link agent search gives, made site-relative
        base = (view.config.site_url or "").rstrip("/") + "/"
        url = doc["url"][len(base):] if doc["url"].startswith(base) else doc["url"]
        return "" if url == "./" else url
    path = page_url(page) if directory_urls else page[: page.rfind(".")] + ".html"
    return path + (f"#{anchor}" if anchor else "")


def _context(view, doc: dict) -> str:
    """The page a result is on, when the result is an entry of it (an error
    code of a table, an FAQ question, an alert of a catalogue)."""
    ent = view.entities.get(doc["id"])
    if ent is None:
        return ""
    if ent.parent and ent.parent in view.entities:
        return view.entities[ent.parent].title
    return ent.title if ent.title != doc["title"] else ""


class _Files:
    """Writes the index's files, as JSON or (offline) as scripts, and hashes
    everything it wrote: the build's id, which the box adds to each request
    so a browser never mixes files of two builds."""

    def __init__(self, folder: Path, offline: bool):
        self.folder, self.offline = folder, offline
        self.count = self.bytes = 0
        self.own = 0  # posting lists in files of their own
        self.digest = hashlib.sha256()

    def write(self, name: str, data) -> None:
        self.write_text(name, json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True))

    def write_text(self, name: str, text: str) -> None:
        if self.offline:
            text = f"{CALLBACK}({json.dumps(name)},{text});\n"
        raw = text.encode("utf-8")
        path = self.folder / (name + (".js" if self.offline else ".json"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        self.digest.update(name.encode() + b"\0" + raw)
        self.count += 1
        self.bytes += len(raw)


def _postings(db, t: int, table: str, n_docs: int, files: "_Files", entries: dict[str, list[str]]) -> list[int]:
    """Read one full-text table back from FTS5's own index (fts5vocab
    'instance': term, document, column, offset) and add its entries: per term,
    [table, documents, postings]; the same per pair of adjacent tokens, with
    their positions. Returns each document's size in tokens."""
    cols = {c: i for i, c in enumerate(TABLES[table])}
    ncols = len(cols)
    db.execute(f"CREATE VIRTUAL TABLE temp.kbgen_vocab USING fts5vocab(main, {table}, instance)")
    db.execute("CREATE TEMP TABLE kbgen_inst AS SELECT term, doc, col, offset AS pos FROM temp.kbgen_vocab")
    db.execute("CREATE INDEX temp.kbgen_at ON kbgen_inst(doc, col, pos)")
    size = [0] * n_docs
    for rowid, n in db.execute("SELECT doc, count(*) FROM kbgen_inst GROUP BY doc"):
        size[rowid - 1] = n

    def add(key: str, docs: int, data: list[int]) -> None:
        if len(data) >= OWN_FILE:  # a long list: a file of its own, fetched only when searched
            files.write(f"p/{files.own}", data)
            entries.setdefault(key, []).append(f"[{t},{docs},{files.own}]")
            files.own += 1
        else:
            entries.setdefault(key, []).append(f"[{t},{docs},[{','.join(map(str, data))}]]")

    # terms: [doc gap, doc size, count per column] per document
    key: str | None = None
    data: list[int] = []
    docs = 0
    last = -1
    for term, rowid, col, n in db.execute("SELECT term, doc, col, count(*) FROM kbgen_inst GROUP BY term, doc, col"):
        if term != key:
            if key is not None:
                add(key, docs, data)
            key, data, docs, last = term, [], 0, -1
        doc = rowid - 1
        if doc != last:
            data += [doc - last, size[doc], *([0] * ncols)]  # the counts, filled in below
            docs, last = docs + 1, doc
        data[len(data) - ncols + cols[col]] = n
    if key is not None:
        add(key, docs, data)
    # pairs: [doc gap, doc size, then per column: count, first position, gaps ...] per document
    rows = db.execute("SELECT a.term || ' ' || b.term AS k, a.doc, a.col, a.pos FROM kbgen_inst a JOIN kbgen_inst b "
                      "ON b.doc = a.doc AND b.col = a.col AND b.pos = a.pos + 1 ORDER BY k, a.doc, a.col, a.pos")
    key, data, docs, last = None, [], 0, -1
    positions: list[list[int]] = []
    for pair, rowid, col, pos in rows:
        doc = rowid - 1
        if pair != key or doc != last:
            _positions(data, positions)
            if pair != key:
                if key is not None:
                    add(key, docs, data)
                key, data, docs, last = pair, [], 0, -1
            data += [doc - last, size[doc]]
            positions = [[] for _ in range(ncols)]
            docs, last = docs + 1, doc
        positions[cols[col]].append(pos)
    _positions(data, positions)
    if key is not None:
        add(key, docs, data)
    db.execute("DROP TABLE temp.kbgen_inst")
    db.execute("DROP TABLE temp.kbgen_vocab")
    return size


def _positions(data: list[int], positions: list[list[int]]) -> None:
    """A document's positions of a pair, per column: count, first position, gaps."""
    for p in positions:
        data.append(len(p))
        data.extend(x - y for x, y in zip(p, [0, *p[:-1]]))


def _shards(entries: dict[str, str], files: "_Files", prefix: str, target: int) -> int:
    """Spread keyed entries (JSON text) over shards by the hash of the key; returns their number."""
    count = max(1, -(-sum(len(k) + len(v) + 4 for k, v in entries.items()) // target))
    shards: list[list[str]] = [[] for _ in range(count)]
    for key in sorted(entries):
        shards[fnv1a(key) % count].append(json.dumps(key, ensure_ascii=False) + ":" + entries[key])
    for i, shard in enumerate(shards):
        files.write_text(f"{prefix}/{i}", "{" + ",".join(shard) + "}")
    return count


def filter_choices(view) -> tuple[list[list[str]], list[list[str]]]:
    """[product id, name] and [type, label] of the audience's documents: the
    box's filters. Every entity of the view has documents of its type and
    products, so the entities tell (cheaply, on every `kbgen serve` rebuild)."""
    names = {p.id: p.name for p in getattr(view.config.options, "products", [])}
    kinds = view.config.kinds
    products = sorted({p for e in view.entities.values() for p in e.products})
    types = sorted({e.type for e in view.entities.values()})
    return [[p, names.get(p, p)] for p in products], [[t, getattr(kind_of(kinds, t), "label", t)] for t in types]


class Cancelled(Exception):
    """The caller's stop() said to give up (kbgen serve: a rebuild started)."""


def write_index(view, site: Path, offline: bool = False, directory_urls: bool = True,
                docs: list[dict] | None = None, stop=None) -> Written:
    """Write the search index of this audience's view into <site>/search/
    (replacing what is there). docs: search_documents(view), when the caller
    has them already; stop: a function asked now and then, which raises
    Cancelled when it says True."""

    def check() -> None:
        if stop is not None and stop():
            raise Cancelled
    docs = search_documents(view) if docs is None else docs
    docs.sort(key=lambda d: (d["id"], d["key"]))  # the documents' numbers: ranking order (ranking.py)
    folder = Path(site) / FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    files = _Files(folder, offline)
    entries: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory(prefix="kbgen-search-") as tmp:
        engine = SqliteEngine().open(Path(tmp))
        try:
            engine.apply(docs, [], {})
            sizes = []
            for t, table in enumerate(TABLES):
                check()
                sizes.append(_postings(engine.db, t, table, len(docs), files, entries))
            words = engine.db.execute("SELECT term, doc FROM words_vocab").fetchall()
        finally:
            engine.close()
    table_names = list(TABLES)
    check()
    n_shards = _shards({k: "[" + ",".join(v) + "]" for k, v in entries.items()}, files, "s", SHARD_BYTES)
    del entries
    check()
    codes: dict[str, list[int]] = defaultdict(list)
    for n, d in enumerate(docs):
        for c in d["codes"]:
            codes[c].append(n)
    n_codes = _shards({c: json.dumps(d) for c, d in codes.items()}, files, "c", CODE_BYTES)
    by_start: dict[str, list] = defaultdict(list)
    for term, freq in words:  # typo correction: words of the same first letter and about the same length
        by_start[f"{ord(term[0])}-{len(term)}"].append([term, freq])
    for key, items in by_start.items():
        files.write(f"w/{key}", items)
    check()
    for n, d in enumerate(docs):
        files.write(f"d/{n}", {"id": d["id"], "title": d["title"], "page": _context(view, d),
                               "url": _doc_path(view, d, directory_urls),
                               "symptoms": d["symptoms"][:EXCERPT_CHARS], "body": d["body"][:EXCERPT_CHARS]})
    kinds = view.config.kinds
    products, types = filter_choices(view)
    type_no = {t: i for i, (t, _) in enumerate(types)}
    prodsets: dict[tuple, int] = {}
    doc_type, doc_prods, doc_flags = [], [], []
    for n, d in enumerate(docs):
        doc_type.append(type_no[d["type"]])
        doc_prods.append(prodsets.setdefault(tuple(sorted(d["products"])), len(prodsets)))
        # bit 0: a part of a page (the kind's part weight); bit 1: the first document of its entity
        doc_flags.append(int("#" in d["url"]) | (2 if n == 0 or docs[n - 1]["id"] != d["id"] else 0))
    syn = kb_synonyms_file(view.config)
    manifest = {
        "format": FORMAT,
        "ranking": ranking_manifest(),
        "tables": [{"name": t, "rows": len(docs), "tokens": sum(sizes[i])} for i, t in enumerate(table_names)],
        "shards": n_shards, "code_shards": n_codes, "words": sorted(by_start),
        "types": [{"type": t, "label": label, "weight": kind_of(kinds, t).search_weight,
                   "part_weight": kind_of(kinds, t).part_weight, "exact_rank": kind_of(kinds, t).exact_rank}
                  for t, label in types],
        "products": products, "product_sets": [list(s) for s in prodsets],
        "docs": {"type": doc_type, "products": doc_prods, "flags": doc_flags},
        # lists, not objects: the order of the alternatives is the order of the phrases FTS5 sums
        "synonyms": [[k, list(map(list, alts.items()))] for k, alts in vocabulary(syn).table.items()],
        "stop": sorted(STOP), "filler": sorted(FILLER),
    }
    files.digest.update(json.dumps(manifest, sort_keys=True).encode())
    manifest["build"] = files.digest.hexdigest()[:12]  # names this build's files (the box asks for ?v=build)
    files.write("manifest", manifest)
    return Written(len(docs), files.count, files.bytes, folder)

