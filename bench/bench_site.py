"""Build time and size of the site, against a plain MkDocs + Material build.

    .venv/bin/python bench/bench_site.py [--sizes 1000 3000]

For each size N it generates a KB of N/2 articles and N/2 YAML runbooks
(bench/gen_kb.py), then times:
  - `kbgen build --audience internal` (validation, pages, MkDocs, kb.json);
  - a plain `mkdocs build` of the same pages written out as Markdown files,
    with Material's defaults (automatic navigation listing every page).
Targets (issue 4): kbgen <= 0.5x the plain build at 1,000 pages, <= 80 KB
per page on average, and 3,000 pages <= 3.5x the 1,000-page time.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_kb import generate  # noqa: E402

BIN = Path(sys.executable).parent
PLAIN_MKDOCS = "site_name: Plain\ntheme:\n  name: material\nmarkdown_extensions: [attr_list, admonition, tables, toc]\n"


def size_of(site: Path) -> tuple[int, int]:
    """Total bytes of the site (every file: assets, search index, kb.json...)
    and its number of pages (HTML files that are not redirect stubs)."""
    files = [p for p in site.rglob("*") if p.is_file()]
    pages = sum(1 for p in files if p.suffix == ".html" and b'http-equiv="refresh"' not in p.read_bytes()[:1000])
    return sum(p.stat().st_size for p in files), pages


def timed(cmd: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    return time.perf_counter() - start


def plain_docs(kb_root: Path, out: Path) -> None:
    """The same pages kbgen renders, as plain Markdown files for plain MkDocs."""
    from kbgen.model.audience import for_audience
    from kbgen.pages.render import render_pages, write_pages
    from kbgen.validate import validate
    kb, _ = validate(kb_root)
    write_pages(render_pages(for_audience(kb, "internal")), out / "docs")
    (out / "mkdocs.yml").write_text(PLAIN_MKDOCS)


def run(n: int, tmp: Path, plain_build: bool = True, repeat: int = 1) -> dict:
    root = tmp / f"kb-{n}"
    generate(root, articles=n // 2, runbooks=n // 2, seed=0)
    site = tmp / f"site-{n}"
    # the best of `repeat` runs: other work on a shared machine only ever adds time
    t_kbgen = min(timed([str(BIN / "kbgen"), "build", str(root), "--audience", "internal", "--site-dir", str(site), "-q"])
                  for _ in range(repeat))
    kb_bytes, kb_pages = size_of(site)
    if not plain_build:
        return {"n": n, "kbgen_s": t_kbgen, "kbgen_pages": kb_pages, "kbgen_kb_per_page": kb_bytes / kb_pages / 1024,
                "kbgen_mb": kb_bytes / 1e6, "plain_s": float("nan"), "plain_pages": 0, "plain_kb_per_page": float("nan"),
                "plain_mb": float("nan")}
    plain = tmp / f"plain-{n}"
    plain_docs(root, plain)
    t_plain = timed([str(BIN / "mkdocs"), "build", "-q", "-d", str(plain / "site")], cwd=plain)
    pl_bytes, pl_pages = size_of(plain / "site")
    return {"n": n, "kbgen_s": t_kbgen, "kbgen_pages": kb_pages, "kbgen_kb_per_page": kb_bytes / kb_pages / 1024,
            "kbgen_mb": kb_bytes / 1e6, "plain_s": t_plain, "plain_pages": pl_pages,
            "plain_kb_per_page": pl_bytes / pl_pages / 1024, "plain_mb": pl_bytes / 1e6}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000])
    ap.add_argument("--plain-all", action="store_true",
                    help="also build the plain baseline at every size (quadratic: ~5 min at 3,000 pages)")
    ap.add_argument("--repeat", type=int, default=1, help="time kbgen builds this many times, keep the best")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as d:
        for i, n in enumerate(args.sizes):
            r = run(n, Path(d), plain_build=(i == 0 or args.plain_all), repeat=args.repeat)
            results.append(r)
            print(f"{n} pages: kbgen {r['kbgen_s']:.1f} s, {r['kbgen_mb']:.0f} MB, {r['kbgen_kb_per_page']:.0f} KB/page "
                  f"({r['kbgen_pages']} pages) | plain mkdocs {r['plain_s']:.1f} s, {r['plain_mb']:.0f} MB, "
                  f"{r['plain_kb_per_page']:.0f} KB/page | ratio {r['kbgen_s'] / r['plain_s']:.2f}x", flush=True)
    if len(results) >= 2:
        print(f"scaling {results[-1]['n']}/{results[0]['n']} pages: kbgen {results[-1]['kbgen_s'] / results[0]['kbgen_s']:.2f}x")


if __name__ == "__main__":
    main()
