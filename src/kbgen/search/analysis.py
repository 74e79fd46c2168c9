"""How text and queries are cut into words, the same way on both sides.

The engine's tokenizer keeps `_` inside words (pg_stat_activity is one
token) and splits on everything else that is not a letter or a digit. On top
of that, identifiers (CamelCase, snake_case) are also indexed as their words,
so "node filesystem almost out of space" finds NodeFilesystemAlmostOutOfSpace
while the exact name, a rarer token, still ranks first."""
from __future__ import annotations

import re

from .synonyms import FILLER, STOP, Vocabulary

WORD = re.compile(r"\w+")
# a query word as readers type it: keeps "on-call", "can't" whole for synonym look-up
QUERY_WORD = re.compile(r"[\w'-]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def identifier_parts(token: str) -> list[str]:
    """NodeFilesystemAlmostOutOfSpace -> node filesystem almost out of space;
    pg_stat_activity -> pg stat activity; plain words -> []."""
    parts = []
    for piece in token.split("_"):
        parts += [p for p in _CAMEL.split(piece) if p]
    return [p.lower() for p in parts] if len(parts) > 1 else []


def identifier_words(*texts: str) -> str:
    """The words of every identifier in these texts, each identifier once."""
    seen: dict[str, None] = {}
    for text in texts:
        for tok in WORD.findall(text or ""):
            if ("_" in tok or not (tok.islower() or tok.isupper())) and tok not in seen:
                parts = identifier_parts(tok)
                if parts:
                    seen[tok] = None
    return " ".join(" ".join(identifier_parts(t)) for t in seen)


def _quote(term: str) -> str:
    return '"' + term.replace('"', " ") + '"'


class Query:
    """A reader's query, analysed: the words to search (the reader's own, minus
    filler), identifier parts, and synonym alternatives (phrases)."""

    def __init__(self, q: str, vocab: Vocabulary | None = None):
        raw = QUERY_WORD.findall(q)
        words = [w.strip("'-").lower() for w in raw]
        words = [w for w in words if w]
        topical = [w for w in words if w not in FILLER]
        self.words = [w for w in topical if w not in STOP] or topical or words
        # identifiers keep their case for splitting (NodeFilesystem...); matching ignores case
        self._raw_idents = [t for w in raw for t in WORD.findall(w) if identifier_parts(t)]
        self.sequence = topical or words  # as typed, stop words kept: phrases are made from it
        self.parts: list[str] = []
        for w in raw:
            for tok in WORD.findall(w):
                for p in identifier_parts(tok):
                    if p not in self.parts and p not in self.words and p not in STOP:
                        self.parts.append(p)
        # synonyms look at the whole query (with stop words: "out of disk"), only ever adding
        alts = vocab.alternatives(topical or words) if vocab else {}
        self.alternatives = {a: w for a, w in alts.items() if a not in self.words}

    def terms(self) -> list[str]:
        return [*self.words, *self.parts, *self.alternatives]

    def user_terms(self, phrases: bool = True) -> list[str]:
        """The reader's words and identifier parts, each quoted (query syntax is
        just text), plus adjacent word pairs as phrases (for short fields)."""
        terms = [_quote(t) for t in dict.fromkeys([*self.words, *self.parts]) if WORD.search(t)]
        seq = self.sequence
        pairs = [_quote(a + " " + b) for a, b in zip(seq, seq[1:])
                 if not (a in STOP and b in STOP)] if phrases and terms else []
        return terms + pairs

    def identifier_terms(self) -> list[str]:
        """Identifiers typed whole (pg_stat_activity, NodeFilesystemAlmostOutOfSpace):
        searched once more, so the page that names them ranks above pages that
        only hold their words."""
        return [_quote(t.lower()) for t in dict.fromkeys(self._raw_idents)]

    def alternative_terms(self, weight: float | None = None) -> list[str]:
        """The synonyms (those of one weight, or all): searched separately, so a
        loose alternative never outranks what the reader typed."""
        return [_quote(t) for t, w in self.alternatives.items()
                if WORD.search(t) and (weight is None or w == weight)]

    def match(self, phrases: bool = True) -> str | None:
        return " OR ".join(self.user_terms(phrases)) or None

    def match_alternatives(self, weight: float | None = None) -> str | None:
        return " OR ".join(self.alternative_terms(weight)) or None

    def match_all(self, phrases: bool = True) -> str | None:
        """Everything, for snippets: the passage may show the reader's words or a synonym."""
        return " OR ".join(self.user_terms(phrases) + self.alternative_terms()) or None
