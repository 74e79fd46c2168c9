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

HERE = Path(__file__).parent / "relevance"
QUERIES = yaml.safe_load((HERE / "queries.yaml").read_text())
# New behaviours (issues 11, 12, 14): a tuning half, and a held-out half committed
# before any tuning on it (never tuned against; its score is reported as measured).
TUNING = yaml.safe_load((HERE / "tuning.yaml").read_text())
HELDOUT = yaml.safe_load((HERE / "heldout.yaml").read_text())
SETS = {"original": QUERIES, "new, tuning half": TUNING, "new, held-out half": HELDOUT}
RECALL_AT_3_FLOOR = 0.97  # measured 1.000 (80 queries)
MRR_AT_10_FLOOR = 0.95  # measured 0.979 with Whoosh, 0.967 with FTS5; the issue asks for at least 0.85
# (recall@3, MRR@10), set from measurement: tuning 1.000/0.867, held-out 1.000/0.822 (15 queries each)
NEW_FLOORS = {"new, tuning half": (0.95, 0.80), "new, held-out half": (0.9, 0.8)}


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


@pytest.mark.parametrize("name", list(NEW_FLOORS))
def test_new_behaviour_queries(searcher, name):
    queries = SETS[name]
    assert len(queries) >= 15
    recall, mrr, misses = evaluate(searcher, queries)
    print(f"\n{name}: recall@3 = {recall:.3f}, MRR@10 = {mrr:.3f} over {len(queries)} queries")
    for q, rank, top in misses:
        print(f"  not first: {q!r} (rank {rank}) top: {top}")
    floor_recall, floor_mrr = NEW_FLOORS[name]
    assert recall >= floor_recall and mrr >= floor_mrr
