"""Ranking quality on the example KB: recall@3 and MRR@10 over labelled
queries (tests/relevance/queries.yaml). Floors are set from measurement;
raise them when ranking improves, never lower them to pass."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kbfactory import ROOT
from kbgen.config import load_config
from kbgen.search.service import Searcher, ensure_index

QUERIES = yaml.safe_load((Path(__file__).parent / "relevance" / "queries.yaml").read_text())
RECALL_AT_3_FLOOR = 0.97  # measured 1.000 (80 queries)
MRR_AT_10_FLOOR = 0.95  # measured 0.979; the issue asks for at least 0.85


def evaluate(searcher, queries):
    recall, rr, misses = 0.0, 0.0, []
    for item in queries:
        ids = [h.id for h in searcher.query(item["q"], limit=10).results]
        ranks = [i for i, x in enumerate(ids, 1) if x in item["expect"]]
        if ranks and ranks[0] <= 3:
            recall += 1
        rr += 1 / ranks[0] if ranks else 0.0
        if not ranks or ranks[0] > 1:
            misses.append((item["q"], ranks[0] if ranks else None, ids[:3]))
    return recall / len(queries), rr / len(queries), misses


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    cfg = load_config(ROOT, overrides={"search_dir": str(tmp_path_factory.mktemp("idx"))})
    path, _ = ensure_index(cfg, "internal")
    s = Searcher(path)
    yield s
    s.close()


def test_enough_labelled_queries():
    assert len(QUERIES) >= 40


def test_relevance_floors(searcher):
    recall, mrr, misses = evaluate(searcher, QUERIES)
    print(f"\nrecall@3 = {recall:.3f}, MRR@10 = {mrr:.3f} over {len(QUERIES)} queries")
    for q, rank, top in misses:
        print(f"  not first: {q!r} (rank {rank}) top: {top}")
    assert recall >= RECALL_AT_3_FLOOR
    assert mrr >= MRR_AT_10_FLOOR
