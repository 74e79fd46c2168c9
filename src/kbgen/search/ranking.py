"""The ranking's numbers, in one place. Agent search (engine.py, service.py)
ranks with them, and the browser index (kbgen.search.browser) writes them
into its manifest, where the site's search box reads them: the two rank
alike because they read the same numbers, not copies of them.

Ties are broken the same way everywhere: by the entity id, then the
document's key (a document's "order"), never by where a row sits in a table.
"""
from __future__ import annotations

# SQLite FTS5's bm25() (fts5_aux.c): fixed there; repeated here for the browser.
BM25_K1 = 1.2
BM25_B = 0.75
# below this IDF (a term in more than half of the documents) FTS5 uses 1e-6
BM25_MIN_IDF = 1e-6

# Field weights: a match in a title or a symptom says more than one in body text.
WEIGHTS = {"title": 4.0, "tags": 2.0, "title_idents": 2.0, "symptoms": 2.5, "idents": 2.0, "body": 1.0, "hints": 1.0}
# Full-text tables scored separately and summed (like BM25F): SQLite's bm25()
# normalises by the length of the whole row, so one table would let a long body
# (or a long list of symptoms) bury a match in a short title.
TABLES = {"ftitle": ("title", "tags", "title_idents"), "fsym": ("symptoms", "idents"), "fbody": ("body", "hints")}
# word pairs as phrases count in short fields only
PHRASES = {"ftitle": True, "fsym": True, "fbody": False}
# BM25 saturates: inside one table a field weight changes little once a word
# matches, so each table's score is weighted too (a title match says more than
# a body match).
TABLE_WEIGHT = {"ftitle": 2.0, "fsym": 1.5, "fbody": 1.0}
EXACT_IDENTIFIER = 2.0  # an identifier typed whole counts again, twice (on top of its plain match)
COMMON = 1 / 3  # share of a table's documents above which a term is left out of its query
PRUNE_FROM = 2000  # ... in indexes of at least this many documents
CANDIDATES = 150  # documents each table proposes per query
EXACT_CODES = 100  # documents an exact code match proposes
EXACT_SCORE = 1000.0  # exact codes score 1000, 999, ...: above any text match
TYPO_MIN = 4  # query words shorter than this are never corrected
TYPO_SHORT = 6  # up to this many letters one edit corrects a word, longer ones two


POOL_FACTOR, POOL_MIN = 3, 30  # text hits weighed by kind: max(limit * 3, 30)


def pool(limit: int) -> int:
    """How many text hits the service weighs by kind before it keeps `limit`."""
    return max(limit * POOL_FACTOR, POOL_MIN)


def typo_edits(word: str) -> int:
    return 1 if len(word) <= TYPO_SHORT else 2


def manifest() -> dict:
    """The numbers the browser's ranking needs (kbgen.search.browser)."""
    return {"k1": BM25_K1, "b": BM25_B, "min_idf": BM25_MIN_IDF, "weights": WEIGHTS,
            "tables": {t: list(cols) for t, cols in TABLES.items()}, "phrases": PHRASES,
            "table_weight": TABLE_WEIGHT, "exact_identifier": EXACT_IDENTIFIER, "common": COMMON,
            "prune_from": PRUNE_FROM, "candidates": CANDIDATES, "exact_codes": EXACT_CODES,
            "exact_score": EXACT_SCORE, "typo_min": TYPO_MIN, "typo_short": TYPO_SHORT,
            "pool_factor": POOL_FACTOR, "pool_min": POOL_MIN}
