"""Time `kbgen validate` on a generated KB of 1,000 YAML runbooks and 1,000 articles.

    .venv/bin/python bench/bench_validate.py [--articles 1000] [--runbooks 1000] [--runs 5]

Target (issue 2): at most 1 s on a 2-core machine, for the whole command
(process start, imports, loading, all rules). Prints the median and best of
the runs, in wall-clock seconds, and the files checked.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_kb import generate  # noqa: E402  (bench/gen_kb.py: the shared KB generator)

KBGEN = Path(sys.executable).with_name("kbgen")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--runbooks", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"
        generate(root, articles=args.articles, runbooks=args.runbooks, seed=0)
        times = []
        out = ""
        for _ in range(args.runs):
            start = time.perf_counter()
            proc = subprocess.run([str(KBGEN), "validate", str(root), "--format", "text", "--no-color"],
                                  capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            out = proc.stdout.strip().splitlines()[-1]
        print(f"kbgen validate: {args.runbooks} runbooks + {args.articles} articles")
        print(f"  result: {out} (exit {proc.returncode})")
        print(f"  wall time over {args.runs} runs: median {statistics.median(times):.2f} s, best {min(times):.2f} s")


if __name__ == "__main__":
    main()
