"""Search index build time and query latency on a generated KB of 10,000
entities, plus the relevance figures on the example KB.

    .venv/bin/python bench/bench_search.py [--runbooks 3000 --articles 4000]

The generator makes one error code per runbook, so 3,000 runbooks + 4,000
articles + 12 code tables + SLA + tiers + index page is ~10,000 entities.
Targets (issue 5): build <= 15 s, median query <= 20 ms (in-process, index open).
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from gen_kb import VOCAB, WEIGHTS, generate  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runbooks", type=int, default=3000)
    ap.add_argument("--articles", type=int, default=4000)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    from kbgen.config import load_config
    from kbgen.search.service import Searcher, ensure_index
    with tempfile.TemporaryDirectory() as d:
        root = generate(Path(d) / "kb", articles=args.articles, runbooks=args.runbooks)
        cfg = load_config(root)
        start = time.perf_counter()
        path, _ = ensure_index(cfg, "internal")
        build = time.perf_counter() - start
        s = Searcher(path)
        stored = list(s.engine.searcher.all_stored_fields())
        n, ndocs = len({d["id"] for d in stored}), len(stored)
        import random
        rng = random.Random(1)
        queries = []
        for i in range(args.queries):
            kind = i % 4
            if kind == 0:
                queries.append(f"GEN-{rng.randrange(args.runbooks):05d}")
            elif kind == 1:
                queries.append(" ".join(rng.choices(VOCAB, WEIGHTS, k=3)))
            elif kind == 2:
                queries.append(rng.choices(VOCAB, WEIGHTS)[0] + " problem")
            else:
                w = rng.choice([w for w in VOCAB if len(w) >= 6])
                queries.append(w[:2] + w[3:])  # a typo
        times = []
        for q in queries:
            t = time.perf_counter()
            s.query(q, limit=10)
            times.append((time.perf_counter() - t) * 1000)
        s.close()
        start = time.perf_counter()
        ensure_index(cfg, "internal")  # unchanged content: fingerprint check only
        reuse = time.perf_counter() - start
        cold = []
        for q in ("GEN-00042", "gateway timeout"):
            t = time.perf_counter()
            subprocess.run([str(Path(sys.executable).with_name("kbgen")), "search", q, "--root", str(root), "--json"],
                           capture_output=True)
            cold.append(time.perf_counter() - t)
    times.sort()
    print(f"index: {n} entities ({ndocs} documents) built in {build:.1f} s "
          f"(reuse check when unchanged: {reuse * 1000:.0f} ms)")
    print(f"queries ({len(times)}): median {statistics.median(times):.1f} ms, "
          f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, max {times[-1]:.1f} ms")
    print(f"CLI `kbgen search` (process start + open index + query): {min(cold):.2f}-{max(cold):.2f} s")
    relevance()


def relevance() -> None:
    from kbgen.config import load_config
    from kbgen.search.service import Searcher, ensure_index
    from test_relevance import QUERIES, evaluate
    with tempfile.TemporaryDirectory() as d:
        cfg = load_config(HERE.parent, overrides={"search_dir": d})
        path, _ = ensure_index(cfg, "internal")
        s = Searcher(path)
        recall, mrr, _ = evaluate(s, QUERIES)
        s.close()
    print(f"relevance on the example KB ({len(QUERIES)} labelled queries): recall@3 {recall:.3f}, MRR@10 {mrr:.3f}")


if __name__ == "__main__":
    main()
