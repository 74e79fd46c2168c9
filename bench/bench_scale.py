"""kbgen against plain MkDocs + Material and Zensical, at scale, in one run.

    .venv/bin/python bench/bench_scale.py [--sizes 1000 3000 10000] [--shapes flat folders deep]
                                          [--tools kbgen mkdocs zensical] [--stop-at 13:45] [--out results.jsonl]
                                          [--reuse bench/scale-2026-11-23.jsonl]

For each size N and shape it generates one KB (bench/gen_kb.py: 70% articles,
30% YAML runbooks, in the shape's folders) and builds the same content with:
  - kbgen: `kbgen build --audience internal` (validation, pages, MkDocs +
    Material, kb.json, the search box's index: kbgen.search.browser);
  - mkdocs: the pages kbgen renders, written as plain Markdown files, built by
    `mkdocs build` with Material, its `navigation.prune` (each page carries
    only its own branch of the navigation: the strongest plain setup) and its
    lunr search;
  - zensical: the same Markdown files and mkdocs.yml, built by `zensical build`.
It reports, per build: wall time; peak memory (the resident memory of the
build's whole process tree, sampled every 50 ms; the JSON lines also keep the
peaks of the build's own process and of its children apart); KB per page
(HTML pages, redirect stubs left out: average and largest) and the site's
total size; and what a browser downloads for one search query, from headless
Chromium's network log (every response whose path names search: Material's
search_index.json and worker, Zensical's search.json and worker, kbgen's box,
its engine and its index files), served as static hosts serve them (text
gzipped; the size of the files themselves beside it). For kbgen, the time to the first
result on screen, the median over FRESH_PAGES fresh pages (one page's figure
varies by 100 ms from run to run): the query set at once a second after the
box was focused (the page's first query), then three more on each page; and
the query typed at once after clicking the box (100 ms between keys), from
the last keystroke.

--reuse takes the rows of an earlier run (its --out file): the builds it has
are not run again, and its rows are shown and used for the "vs mkdocs"
ratio. The plain MkDocs build at 10,000 pages takes five minutes and does not
change with kbgen. bench/scale-2026-11-23.jsonl holds the plain MkDocs rows of
the 23 November 2026 run (docs/site.md).

Goals (issue 12) are in docs/site.md beside the measured figures. Nothing here
is asserted: the machine is shared, so times vary from run to run.
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_kb import generate  # noqa: E402

BIN = Path(sys.executable).parent
TOOLS = ("kbgen", "mkdocs", "zensical")
SHAPES = ("flat", "folders", "deep")
# the extensions kbgen's pages use, so the plain builds render the same HTML
PLAIN_MKDOCS = """\
site_name: Plain
site_url: https://kb.example.test/
theme:
  name: material
  font: false
  features: [navigation.prune, content.code.copy]
plugins: [search]
markdown_extensions:
  - attr_list
  - md_in_html
  - admonition
  - def_list
  - tables
  - toc: {permalink: true}
  - pymdownx.details
  - pymdownx.highlight
  - pymdownx.inlinehilite
  - pymdownx.superfences
"""


# -- measuring a build -------------------------------------------------------

def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _kids(pid: int) -> list[int]:
    out = []
    try:
        for task in os.scandir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task.name}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def tree_rss(pid: int) -> int:
    """Resident bytes of pid and all its descendants, now (Linux /proc; the
    children lists are cheap to read, so sampling does not load the machine)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _rss(p)
        todo.extend(_kids(p))
    return total


DEADLINE: float | None = None  # time.time() after which builds are stopped (--stop-at)


PEAKS: dict[str, int] = {}  # of the last measure(): the command's own process, and its children together


def measure(cmd: list[str], cwd: Path | None = None, env: dict | None = None) -> tuple[float, int]:
    """Wall seconds and peak resident bytes (children included) of one command;
    PEAKS keeps the peaks of the process itself and of its children apart."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    peak = own = kids = 0
    errors: list[str] = []
    reader = threading.Thread(target=lambda: errors.append(proc.stderr.read()), daemon=True)
    reader.start()
    while proc.poll() is None:
        mine, total = _rss(proc.pid), tree_rss(proc.pid)
        peak, own, kids = max(peak, total), max(own, mine), max(kids, total - mine)
        if DEADLINE and time.time() > DEADLINE:  # the machine is shared: stop on time, whatever is left
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise RuntimeError(f"stopped at the deadline after {time.perf_counter() - start:.0f} s")
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    PEAKS.update(own=own, children=kids)
    reader.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{''.join(errors)[-3000:]}")
    return seconds, peak


def page_sizes(site: Path) -> dict:
    """HTML pages (not redirect stubs): count, average and largest KB; the site's total MB."""
    sizes, total, largest = [], 0, ("", 0)
    for p in site.rglob("*"):
        if not p.is_file():
            continue
        n = p.stat().st_size
        total += n
        if p.suffix == ".html" and p.name != "404.html":
            with open(p, "rb") as f:
                if b'http-equiv="refresh"' in f.read(1500):
                    continue
            sizes.append(n)
            if n > largest[1]:
                largest = (p.relative_to(site).as_posix(), n)
    return {"pages": len(sizes), "avg_kb": sum(sizes) / len(sizes) / 1024, "max_kb": largest[1] / 1024,
            "largest": largest[0], "site_mb": total / 1e6}


# -- search in a browser -----------------------------------------------------

COMPRESSIBLE = (".html", ".js", ".css", ".json", ".svg", ".xml", ".txt")


class _Host(SimpleHTTPRequestHandler):
    """A static host as readers meet one (GitHub Pages, Netlify): text files
    (kbgen's search index is JSON) gzipped when the browser accepts it."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (path.suffix in COMPRESSIBLE and path.is_file()
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            body = gzip.compress(path.read_bytes(), 6, mtime=0)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


def _serve(site: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Host, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def _search_related(url: str) -> bool:
    path = urlsplit(url).path
    return "search" in path


def _body_size(request, site: Path) -> tuple[int, int]:
    """The response body's size as sent (from the network log) and as the
    file on disk. Chromium logs 0 for a worker's script: that one is counted
    as the host sends it."""
    path = site / urlsplit(request.url).path.lstrip("/")
    if path.is_dir():
        path = path / "index.html"
    raw = path.stat().st_size if path.is_file() else 0
    sent = request.sizes()["responseBodySize"]
    if sent <= 0 and raw:
        data = path.read_bytes()
        sent = len(gzip.compress(data, 6, mtime=0)) if path.suffix in COMPRESSIBLE else len(data)
    return sent, raw


FIRST_RESULT_JS = """async (q) => {
  const box = document.querySelector('.kbgen-search'), input = box.querySelector('input');
  input.focus();                                     // as a reader clicks the box...
  await new Promise(r => setTimeout(r, 1000));       // ...and starts typing a moment later
  const t0 = performance.now();
  input.value = q; input.dispatchEvent(new Event('input'));
  while (box.dataset.shown !== q || !box.querySelector('.kbgen-search__result')) {
    if (performance.now() - t0 > 60000) return -1;  // no result in a minute: reported as such
    await new Promise(r => setTimeout(r, 2));
  }
  return performance.now() - t0;
}"""


# Before typing on a fresh page: note each keystroke and when the first result
# of the whole query is drawn (box.dataset.shown names the query drawn).
TYPED_SETUP_JS = """(q) => {
  const box = document.querySelector('.kbgen-search'), input = box.querySelector('input');
  const rec = window.__typed = { keys: [], shown: 0 };
  input.addEventListener('keydown', () => rec.keys.push(performance.now()));
  new MutationObserver(() => {
    if (!rec.shown && box.dataset.shown === q && input.value.trim() === q && box.querySelector('.kbgen-search__result'))
      rec.shown = performance.now();
  }).observe(box, { attributes: true, childList: true, subtree: true });
}"""
TYPING_DELAY_MS = 100  # between keystrokes: a quick typist
FRESH_PAGES = 5        # browser timings: the median over this many fresh pages (one varies by 100 ms)


def _wait_ms(limit: float = 120) -> float:
    """A browser wait: at most `limit` seconds, and never past the deadline."""
    if DEADLINE:
        limit = min(limit, DEADLINE - time.time())
    if limit <= 0:
        raise RuntimeError("stopped at the deadline")
    return limit * 1000


def search_bytes(browser, site: Path, tool: str, query: str) -> dict:
    """Bytes downloaded for one query typed on the home page, from the network log."""
    server, url = _serve(site)
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        got = []
        page.on("requestfinished", lambda r: got.append(r))
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if tool == "kbgen":
            page.locator(".kbgen-search__input").click()
            page.keyboard.type(query, delay=30)
            first = page.locator(f".kbgen-search[data-query='{query}'] .kbgen-search__result").first
            first.wait_for(timeout=_wait_ms(60))
        elif tool == "mkdocs":
            page.locator("input.md-search__input").click()
            page.keyboard.type(query, delay=30)
            page.locator(".md-search-result__item").first.wait_for(timeout=_wait_ms())
        else:  # Zensical: a button opens its search dialog, which draws results in a shadow root
            page.locator(".md-search__button").first.click()
            page.wait_for_timeout(300)
            page.keyboard.type(query, delay=30)
            page.get_by_text(re.compile(r"^[\d,.]+\+? results?$")).first.wait_for(timeout=_wait_ms())  # "1,015 results"
        page.wait_for_load_state("networkidle")
        related = [r for r in got if _search_related(r.url)]
        sizes = [_body_size(r, site) for r in related]
        out = {"search_kb": sum(s for s, _ in sizes) / 1024, "search_raw_kb": sum(r for _, r in sizes) / 1024,
               "search_requests": len(related)}
        context.close()
        if tool == "kbgen":  # fresh pages: first result after focusing the box, then other queries
            firsts, nexts = [], []
            for _ in range(FRESH_PAGES):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.goto(url)
                page.wait_for_load_state("networkidle")
                firsts.append(page.evaluate(FIRST_RESULT_JS, query))
                nexts += [page.evaluate(FIRST_RESULT_JS, q) for q in ("gateway timeout", "replica", "rollback")]
                context.close()
            out["first_result_ms"] = statistics.median(firsts)  # the page's first query, median of fresh pages
            out["first_result_all_ms"] = [round(x) for x in firsts]
            out["next_query_ms"] = statistics.median(nexts)  # the queries after it
            typed, from_first = [], []
            for _ in range(FRESH_PAGES):  # a fresh page where the reader clicks the box and types at once
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                page.goto(url)
                page.wait_for_load_state("networkidle")
                page.evaluate(TYPED_SETUP_JS, query)
                page.locator(".kbgen-search__input").click()
                page.keyboard.type(query, delay=TYPING_DELAY_MS)
                page.wait_for_function("() => window.__typed.shown > 0", timeout=_wait_ms(60))
                keys, shown = page.evaluate("() => [window.__typed.keys, window.__typed.shown]")
                typed.append(shown - keys[-1])  # from the last keystroke
                from_first.append(shown - keys[0])
                context.close()
            out["typed_ms"] = statistics.median(typed)
            out["typed_all_ms"] = [round(x) for x in typed]
            out["typed_from_first_key_ms"] = statistics.median(from_first)
        return out
    finally:
        server.shutdown()
        server.server_close()


# -- the builds --------------------------------------------------------------

def plain_project(kb_root: Path, out: Path) -> None:
    """The pages kbgen renders for the internal audience, as a plain MkDocs project."""
    from kbgen.model.audience import for_audience
    from kbgen.pages.render import render_pages, write_pages
    from kbgen.validate import validate
    kb, _ = validate(kb_root)
    docs = out / "docs"
    write_pages(render_pages(for_audience(kb, "internal")), docs)
    for p in docs.rglob("*.md"):  # Zensical refuses an empty front matter block
        text = p.read_text(encoding="utf-8")
        if text.startswith("---\n---\n"):
            p.write_text(text[8:], encoding="utf-8")
    (out / "mkdocs.yml").write_text(PLAIN_MKDOCS, encoding="utf-8")


def build(tool: str, kb_root: Path, plain: Path, site: Path) -> tuple[float, int]:
    shutil.rmtree(site, ignore_errors=True)
    if tool == "kbgen":
        return measure([sys.executable, "-m", "kbgen.cli", "build", str(kb_root), "--audience", "internal",
                        "--site-dir", str(site), "-q"])
    if tool == "mkdocs":
        return measure([str(BIN / "mkdocs"), "build", "-q", "-d", str(site)], cwd=plain)
    # zensical writes to the site_dir of mkdocs.yml
    seconds, peak = measure([str(BIN / "zensical"), "build", "--clean"], cwd=plain)
    shutil.move(str(plain / "site"), str(site))
    return seconds, peak


def run(args) -> list[dict]:
    from playwright.sync_api import sync_playwright
    global DEADLINE
    stop_at = None
    if args.stop_at:
        h, m = map(int, args.stop_at.split(":"))
        stop_at = dt.datetime.now().replace(hour=h, minute=m, second=0, microsecond=0)
        DEADLINE = stop_at.timestamp()
    results = []
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as d, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--headless=new", "--no-sandbox", "--disable-gpu"])
        tmp = Path(d)
        for n in args.sizes:
            for shape in args.shapes:
                if stop_at and dt.datetime.now() >= stop_at:
                    print(f"stopped at {args.stop_at}: {n} {shape} and later runs not done", flush=True)
                    browser.close()
                    return results
                kb_root = tmp / f"kb-{n}-{shape}"
                articles = round(n * 0.7)
                generate(kb_root, articles=articles, runbooks=n - articles, seed=0, shape=shape)
                plain = tmp / f"plain-{n}-{shape}"
                if {t for t in args.tools if (n, shape, t) not in args.reused} - {"kbgen"}:
                    plain_project(kb_root, plain)
                for tool in args.tools:
                    if (n, shape, tool) in args.reused:
                        continue  # taken from the earlier run (--reuse)
                    if stop_at and dt.datetime.now() >= stop_at:
                        print(f"stopped at {args.stop_at}: {n} {shape} {tool} and later runs not done", flush=True)
                        browser.close()
                        return results
                    site = tmp / f"site-{n}-{shape}-{tool}"
                    row = {"n": n, "shape": shape, "tool": tool, "load": os.getloadavg()[0]}
                    try:
                        seconds, peak = build(tool, kb_root, plain, site)
                        row.update(seconds=seconds, peak_mb=peak / 1e6, peak_own_mb=PEAKS["own"] / 1e6,
                                   peak_children_mb=PEAKS["children"] / 1e6, **page_sizes(site))
                        row.update(search_bytes(browser, site, tool, args.query))
                    except Exception as exc:  # one tool failing must not lose the others' figures
                        row["error"] = str(exc)[-500:]
                    shutil.rmtree(site, ignore_errors=True)
                    results.append(row)
                    print(fmt(row), flush=True)
                    if args.out:
                        with open(args.out, "a", encoding="utf-8") as f:
                            f.write(json.dumps(row) + "\n")
                shutil.rmtree(kb_root, ignore_errors=True)
                shutil.rmtree(plain, ignore_errors=True)
        browser.close()
    return results


def fmt(r: dict) -> str:
    head = f"{r['n']:>6} {r['shape']:<8} {r['tool']:<9}"
    if "error" in r and "seconds" not in r:
        return f"{head} FAILED: {r['error'].strip().splitlines()[-1] if r['error'].strip() else ''}"
    ms = f" | first result {r['first_result_ms']:.0f} ms, next {r['next_query_ms']:.0f} ms" if "first_result_ms" in r else ""
    if "typed_ms" in r:
        ms += f", typed {r['typed_ms']:.0f} ms after the last key ({r['typed_from_first_key_ms']:.0f} ms after the first)"
    search = (f" | search {r['search_kb']:.0f} KB sent ({r.get('search_raw_kb', 0):.0f} KB of files) in "
              f"{r['search_requests']} requests" if "search_kb" in r else "")
    own = (f" (process {r['peak_own_mb']:.0f} MB, children {r['peak_children_mb']:.0f} MB)"
           if "peak_own_mb" in r else "")
    return (f"{head} load {r.get('load', 0):4.1f} {r['seconds']:7.1f} s {r['peak_mb']:6.0f} MB peak{own} | {r['pages']} pages, "
            f"{r['avg_kb']:.0f} KB avg, {r['max_kb']:.0f} KB max ({r.get('largest', '?')}), {r['site_mb']:.0f} MB site"
            f"{search}{ms}"
            + (f" | {r['error']}" if "error" in r else ""))


def table(results: list[dict]) -> str:
    """The Markdown table for docs/site.md."""
    lines = ["| pages | shape | tool | build | vs mkdocs | peak memory | KB/page avg | KB/page max | site | "
             "one search query: sent (files) | first result: focused (next) / typed | load |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    plain = {(r["n"], r["shape"]): r["seconds"] for r in results if r["tool"] == "mkdocs" and "seconds" in r}
    for r in results:
        if "seconds" not in r:
            lines.append(f"| {r['n']:,} | {r['shape']} | {r['tool']} | not done: {r.get('error', '')[:60]} "
                         "| | | | | | | | |")
            continue
        ratio = f"{r['seconds'] / plain[(r['n'], r['shape'])]:.2f}x" if (r["n"], r["shape"]) in plain else ""
        search = (f"{r['search_kb']:.0f} KB ({r['search_raw_kb']:.0f} KB)" if "search_raw_kb" in r
                  else f"{r['search_kb']:.0f} KB" if "search_kb" in r else "")
        first = f"{r['first_result_ms']:.0f} ms ({r['next_query_ms']:.0f} ms)" if "first_result_ms" in r else ""
        if "typed_ms" in r:
            first += f" / {r['typed_ms']:.0f} ms"
        load = f"{r['load']:.1f}" if "load" in r else ""
        tool = r["tool"] + (" (earlier run)" if r.get("reused") else "")
        lines.append(f"| {r['pages']:,} | {r['shape']} | {tool} | {r['seconds']:.1f} s | {ratio} | "
                     f"{r['peak_mb']:.0f} MB | {r['avg_kb']:.0f} | {r['max_kb']:.0f} | {r['site_mb']:.0f} MB | "
                     f"{search} | {first} | {load} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 3000, 10000])
    ap.add_argument("--shapes", nargs="+", choices=SHAPES, default=list(SHAPES))
    ap.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    ap.add_argument("--query", default="certificate", help="the query typed into each site's search box")
    ap.add_argument("--stop-at", help="HH:MM: start no build after this time (the machine is shared)")
    ap.add_argument("--out", type=Path, help="append each result as a JSON line to this file")
    ap.add_argument("--table", type=Path, help="only print the table of the results saved in this file (--out)")
    ap.add_argument("--reuse", type=Path, help="results of an earlier run (--out): builds it has are not run again "
                    "but shown and used for 'vs mkdocs' (e.g. the plain MkDocs baseline at 10,000 pages)")
    args = ap.parse_args()
    if args.table:
        rows = [json.loads(line) for line in args.table.read_text(encoding="utf-8").splitlines() if line.strip()]
        print(table(rows))
        return
    print(f"{dt.date.today()} on {platform.node() or 'this machine'}: {os.cpu_count()} cores, "
          f"Python {platform.python_version()}", flush=True)
    earlier = ([json.loads(line) for line in args.reuse.read_text(encoding="utf-8").splitlines() if line.strip()]
               if args.reuse else [])
    earlier = [r for r in earlier if r["n"] in args.sizes and r["shape"] in args.shapes and r["tool"] in args.tools
               and "seconds" in r]
    args.reused = {(r["n"], r["shape"], r["tool"]) for r in earlier}
    results = run(args) + [{**r, "reused": True} for r in earlier]
    print()
    print(table(results))
    for shape in args.shapes:
        kb = {r["n"]: r["seconds"] for r in results if r["tool"] == "kbgen" and r["shape"] == shape and "seconds" in r}
        if len(kb) >= 2:
            lo, hi = min(kb), max(kb)
            print(f"{shape}: kbgen {hi:,} pages / {lo:,} pages = {kb[hi] / kb[lo]:.1f}x the time")


if __name__ == "__main__":
    main()
