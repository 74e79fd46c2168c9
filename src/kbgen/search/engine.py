"""The search engine behind a small interface, so it can change.

`WhooshEngine` implements it with whoosh-reloaded: BM25F over title,
symptoms, body and tags (stemmed), plus an exact keyword field of
normalised error codes."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from whoosh import fields, highlight, index, qparser, query, scoring
from whoosh.analysis import StemmingAnalyzer

# Bump when the schema or the documents change: the fingerprint includes it.
INDEX_FORMAT = 3
# Field weights: a match in a title or a symptom says more than one in body text.
WEIGHTS = {"title": 4.0, "symptoms": 2.5, "tags": 2.0, "body": 1.0, "hints": 1.0}
TEXT_FIELDS = tuple(WEIGHTS)


@dataclass
class Hit:
    id: str
    type: str
    title: str
    url: str
    score: float
    snippet: str


class SearchEngine(Protocol):
    """What the ranking rules (service.py) need from an engine. Documents are
    the plain dicts of documents.py; filters are {"type": ..., "product": ...}."""

    def build(self, docs: list[dict], path: Path) -> None: ...
    def open(self, path: Path) -> "SearchEngine": ...
    def close(self) -> None: ...
    def exact_codes(self, codes: list[str], limit: int, filters: dict | None = None) -> list[Hit]: ...
    def text(self, q: str, limit: int, fuzzy: bool, filters: dict) -> list[Hit]: ...
    def unknown_words(self, q: str) -> list[str]: ...
    def suggest(self, q: str) -> str | None: ...
    def add_snippets(self, hits: list[Hit]) -> None: ...


class _Snippet(highlight.Formatter):
    """Matched words in **bold** (plain text otherwise): readable in a terminal and in JSON."""

    def format_token(self, text, token, replace=False):
        return "**" + highlight.get_text(text, token, replace) + "**"


def _schema() -> fields.Schema:
    ana = StemmingAnalyzer()
    return fields.Schema(
        key=fields.ID(unique=True),  # entity id, or id#anchor for a part of a page
        id=fields.ID(stored=True),
        type=fields.ID(stored=True),
        title=fields.TEXT(analyzer=ana, stored=True, field_boost=WEIGHTS["title"], spelling=True),
        symptoms=fields.TEXT(analyzer=ana, stored=True, field_boost=WEIGHTS["symptoms"], spelling=True),
        body=fields.TEXT(analyzer=ana, stored=True, field_boost=WEIGHTS["body"]),
        tags=fields.TEXT(analyzer=ana, field_boost=WEIGHTS["tags"]),
        hints=fields.TEXT(analyzer=ana, field_boost=WEIGHTS["hints"]),
        codes=fields.KEYWORD(stored=True, commas=True, lowercase=True),
        products=fields.KEYWORD(stored=True, commas=True),
        url=fields.STORED(),
    )


class WhooshEngine:
    def __init__(self):
        self.ix = None

    def build(self, docs: list[dict], path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        ix = index.create_in(str(path), _schema())
        # two processes: the machines this runs on have at least two cores
        writer = ix.writer(limitmb=128, procs=2, multisegment=True) if len(docs) > 2000 else ix.writer(limitmb=128)
        for d in docs:
            writer.add_document(key=d["key"], id=d["id"], type=d["type"], title=d["title"], symptoms=d["symptoms"],
                                body=d["body"], tags=d["tags"], hints=d.get("hints", ""), codes=",".join(d["codes"]),
                                products=",".join(d["products"]), url=d["url"])
        writer.commit()

    def open(self, path: Path) -> "WhooshEngine":
        self.ix = index.open_dir(str(path))
        self.searcher = self.ix.searcher(weighting=scoring.BM25F())
        return self

    def close(self) -> None:
        if self.ix is not None:
            self.searcher.close()
            self.ix.close()

    def _hit(self, h, q) -> Hit:
        # the snippet is made later, only for the results actually returned
        hit = Hit(h["id"], h["type"], h["title"], h["url"], round(float(h.score), 4), "")
        hit._raw = h  # not a dataclass field: never serialised
        return hit

    def add_snippets(self, hits: list[Hit]) -> None:
        """Snippets with the matched words, for the final results only
        (highlighting re-reads the stored text: too slow for every candidate)."""
        for hit in hits:
            h = hit.__dict__.pop("_raw", None)
            if h is not None and not hit.snippet:
                hit.snippet = self._snippet(h)

    def _snippet(self, h) -> str:
        snippet = ""
        for field in ("symptoms", "body"):
            try:
                h.results.fragmenter = highlight.ContextFragmenter(maxchars=160, surround=50)
                h.results.formatter = _Snippet()
                snippet = h.highlights(field, top=2)
            except Exception:  # a field with no stored text
                snippet = ""
            if snippet:
                break
        if not snippet:
            snippet = (h.get("body") or "")[:160]
        return " ".join(snippet.split())

    def _filter(self, filters: dict):
        parts = []
        if filters.get("type"):
            parts.append(query.Term("type", filters["type"]))
        if filters.get("product"):
            parts.append(query.Term("products", filters["product"]))
        return query.And(parts) if parts else None

    def exact_codes(self, codes: list[str], limit: int, filters: dict | None = None) -> list[Hit]:
        q = query.Or([query.Term("codes", c) for c in codes])
        results = self.searcher.search(q, limit=limit, filter=self._filter(filters or {}))
        return [self._hit(h, q) for h in results]

    def text(self, q: str, limit: int, fuzzy: bool, filters: dict) -> list[Hit]:
        if fuzzy:
            parsed = self._fuzzy(q)
        else:
            parser = qparser.MultifieldParser(["title", "symptoms", "body", "tags", "hints"], self.ix.schema,
                                              group=qparser.OrGroup)
            # queries are words, not Whoosh syntax: lower case turns AND/OR/NOT into plain words
            q = " ".join("".join(ch if ch.isalnum() or ch in "-'" else " " for ch in q.lower()).split())
            parsed = parser.parse(q) if q else None
            if parsed is not None:
                parsed = self._with_phrases(parsed, q)
        if parsed is None:
            return []
        results = self.searcher.search(parsed, limit=limit, filter=self._filter(filters))
        return [self._hit(h, parsed) for h in results]

    def _with_phrases(self, parsed, q: str):
        """Words that appear together, as a phrase, in a title or symptom say
        more than the same words scattered through the body."""
        words = [t.text for t in self.ix.schema["title"].analyzer(q)]
        if len(words) < 2:
            return parsed
        extra = []
        for i in range(len(words) - 1):
            pair = words[i:i + 2]
            extra.append(query.Phrase("title", pair, boost=2.0))
            extra.append(query.Phrase("symptoms", pair, boost=1.5))
        return query.Or([parsed, *extra])

    def unknown_words(self, q: str) -> list[str]:
        """Query words the index has never seen (likely typos)."""
        reader = self.searcher.reader()
        out = []
        for token in self.ix.schema["body"].analyzer(q):
            if len(token.text) >= 4 and not any(reader.doc_frequency(f, token.text)
                                                for f in TEXT_FIELDS):
                out.append(token.text)
        return out

    def _fuzzy(self, q: str):
        """Typo tolerance for longer words: each word is stemmed like the index,
        then matched within edit distance 1 (4-6 letters) or 2 (7 or more)."""
        analyzer = self.ix.schema["body"].analyzer
        terms = []
        for token in analyzer(q):
            stem = token.text
            if len(stem) < 4:
                continue
            dist = 2 if len(stem) >= 7 else 1
            for field in ("title", "symptoms", "body"):
                terms.append(query.FuzzyTerm(field, stem, maxdist=dist, prefixlength=1,
                                             boost=WEIGHTS[field]))
        return query.Or(terms) if terms else None

    def suggest(self, q: str) -> str | None:
        """The query with unknown words replaced by the closest indexed words
        (compared as written, not stemmed: "autentication" -> "authentication")."""
        reader = self.searcher.reader()
        stem = self.ix.schema["body"].analyzer
        out, changed = [], False
        for w in re.findall(r"[\w'-]+", q):
            stems = [t.text for t in stem(w)]
            known = not stems or any(reader.doc_frequency(f, t) for t in stems for f in TEXT_FIELDS)
            if known or len(w) < 4:
                out.append(w)
                continue
            best = None
            for field in ("title", "symptoms"):
                found = self.searcher.corrector(field).suggest(w.lower(), limit=1, maxdist=2, prefix=1)
                if found:
                    best = found[0]
                    break
            out.append(best or w)
            changed = changed or bool(best)
        return " ".join(out) if changed else None
