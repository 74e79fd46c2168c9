"""`kbgen serve` on a large KB: time from saving one file to the served page showing the edit.

    .venv/bin/python bench/bench_serve.py [--sizes 1000 10000] [--shape folders] [--edits 5] [--gap 3]
                                          [--tags] [--out results.jsonl]

For each size N it generates a KB (bench/gen_kb.py: 70% articles, 30% YAML
runbooks, in the shape's folders, as bench/bench_scale.py does), starts
`kbgen serve` on it and measures:

- start: from starting the server to the home page being served, and to the
  search index (search/manifest.json) being served;
- edit to reload, for several kinds of edit, each made --edits times on
  different files: a sentence added to an article's body, a runbook's summary
  changed (YAML), an article's title changed, a new article added. The clock starts just before
  the file is written and stops when the served HTML of the edited page
  holds the new text (polled every 50 ms): it includes the file watcher
  noticing the change (kbgen serve's file notifications; MkDocs' server then
  waits 0.1 s for more changes), validation, staging, rendering. Medians reported;
- the server's resident memory after start and after the edits (and its peak);
- where the time of each rebuild went, from the server's own log line
  ("kbgen serve: quick rebuild, 1 page rendered in ... (validate ..., stage
  ..., render ...)").

--tags adds Material's tags plugin to the KB's mkdocs.yml (many KBs use it; it
keeps state over every page, so added pages and titles take MkDocs' dirty build).

--gap is the pause between two edits (a writer reads the page before the
next change). Nothing is asserted: the machine is shared, times vary.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_kb import SHAPES, _folder, generate  # noqa: E402

BIN = Path(sys.executable).parent
LINE = re.compile(r"kbgen serve: (\w+) rebuild, (\d+) pages? rendered in ([\d.]+) s \(validate ([\d.]+) s, "
                  r"stage ([\d.]+) s, (\d+) files? written, render ([\d.]+) s\)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.read().decode("utf-8", "replace")
    except OSError:
        return None


def wait_for(url: str, text: str, timeout: float, every: float = 0.05) -> float | None:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        body = get(url)
        if body is not None and text in body:
            return time.perf_counter() - start
        time.sleep(every)
    return None


def load() -> float:
    return os.getloadavg()[0]


def memory(pid: int) -> dict[str, int]:
    """Resident memory of the server now and at its peak (MB; Linux /proc)."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1]) // 1024
    except OSError:
        pass
    return {"rss_mb": out.get("VmRSS"), "peak_mb": out.get("VmHWM")}


class Server:
    def __init__(self, root: Path, log_path: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen([str(BIN / "kbgen"), "serve", str(root), "--dev-addr", f"127.0.0.1:{self.port}"],
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)

    def lines(self) -> list[tuple]:
        return LINE.findall(Path(self.log_path).read_text(errors="replace"))

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def article(root: Path, i: int, shape: str) -> tuple[Path, str]:
    folder = _folder(i, shape)
    rel = f"{folder}/article-{i:05d}" if folder else f"article-{i:05d}"
    return root / "content" / f"{rel}.md", f"{rel}/"


def runbook(root: Path, i: int, shape: str) -> tuple[Path, str]:
    folder = _folder(i, shape, sections=False)
    return root / "runbooks" / folder / f"rb-{i:05d}.yaml", f"runbooks/rb-{i:05d}/"


def new_page(root: Path, i: int, shape: str) -> tuple[Path, str]:
    folder = _folder(i, shape)
    rel = f"{folder}/new-{i:05d}" if folder else f"new-{i:05d}"
    return root / "content" / f"{rel}.md", f"{rel}/"


def edit_body(path: Path, marker: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n## Steps\n", f"\nThe {marker} note was added by the bench.\n\n## Steps\n", 1),
                    encoding="utf-8")


def edit_summary(path: Path, marker: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^summary: .*$", f"summary: The {marker} summary, changed by the bench.", text,
                           count=1, flags=re.M), encoding="utf-8")


def add_page(path: Path, marker: str) -> None:
    path.write_text(f"---\ntitle: New page {marker}\n---\n# New page {marker}\n\nA page the bench added.\n",
                    encoding="utf-8")


def edit_title(path: Path, marker: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^title: .*$", f"title: Retitled {marker}", text, count=1, flags=re.M), encoding="utf-8")


def run_size(n: int, shape: str, edits: int, gap: float, work: Path, only: list[str] | None = None,
             tags: bool = False) -> dict:
    root = work / f"kb-{n}"
    shutil.rmtree(root, ignore_errors=True)
    articles = round(n * 0.7)
    generate(root, articles=articles, runbooks=n - articles, seed=0, shape=shape)
    if tags:
        conf = root / "mkdocs.yml"
        conf.write_text(conf.read_text(encoding="utf-8").replace("plugins:\n", "plugins:\n  - tags\n", 1), encoding="utf-8")
    out: dict = {"pages": n, "shape": shape, "tags_plugin": tags, "load_at_start": round(load(), 1)}
    server = Server(root, work / f"serve-{n}.log")
    try:
        started = time.perf_counter()
        home = wait_for(server.base + "/", "</html>", timeout=1800, every=0.5)
        if home is None:
            raise SystemExit(f"the server did not serve the home page; see {server.log_path}")
        out["start_to_site_s"] = round(time.perf_counter() - started, 1)
        search = wait_for(server.base + "/search/manifest.json", '"format"', timeout=1800, every=0.5)
        out["start_to_search_s"] = round(time.perf_counter() - started, 1) if search is not None else None
        out["memory_after_start"] = memory(server.proc.pid)
        print(f"{n} pages: site served after {out['start_to_site_s']} s, search after {out['start_to_search_s']} s; "
              f"memory {out['memory_after_start']}", flush=True)
        kinds = {
            "article body": (lambda i: article(root, i, shape), edit_body, articles),
            "runbook summary (YAML)": (lambda i: runbook(root, i, shape), edit_summary, n - articles),
            "article title": (lambda i: article(root, i, shape), edit_title, articles),
            "page added": (lambda i: new_page(root, i, shape), add_page, articles),
        }
        kinds = {k: v for k, v in kinds.items() if not only or k in only}
        results: dict[str, list] = {}
        for kind, (where, edit, count) in kinds.items():
            times = []
            for k in range(edits):
                i = (k * 97 + 31 + len(results) * 13) % count
                path, url = where(i)
                marker = f"zq{n}x{len(results)}x{k}"
                before = len(server.lines())
                time.sleep(gap)
                t0 = time.perf_counter()
                edit(path, marker)
                seconds = wait_for(server.base + "/" + url, marker, timeout=600)
                t = None if seconds is None else round(time.perf_counter() - t0, 3)
                time.sleep(0.3)  # the log line follows the reload signal
                lines = server.lines()[before:]
                rebuild = lines[-1] if lines else None
                times.append({"seconds": t, "load": round(load(), 1), "file": str(path.relative_to(root)),
                              "rebuild": dict(zip(("way", "pages", "total", "validate", "stage", "written", "render"),
                                                  rebuild)) if rebuild else None})
                print(f"  {kind}: {path.relative_to(root)}: {t} s; {rebuild}", flush=True)
            results[kind] = times
        out["edits"] = results
        out["memory_after_edits"] = memory(server.proc.pid)
        out["median_s"] = {kind: statistics.median([x["seconds"] for x in v if x["seconds"] is not None] or [float("nan")])
                           for kind, v in results.items()}
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000])
    ap.add_argument("--shape", choices=SHAPES, default="folders")
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--gap", type=float, default=3.0, help="seconds between two edits")
    ap.add_argument("--out", type=Path, help="append one JSON line per size")
    ap.add_argument("--only", nargs="+", metavar="KIND", help="only these kinds of edit (names as printed)")
    ap.add_argument("--tags", action="store_true", help="with Material's tags plugin in mkdocs.yml")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    try:
        for n in args.sizes:
            result = run_size(n, args.shape, args.edits, args.gap, work, args.only, args.tags)
            print(json.dumps({k: v for k, v in result.items() if k != "edits"}), flush=True)
            for kind, times in result["edits"].items():
                print(f"  {kind}: median {result['median_s'][kind]} s over {len(times)} edits", flush=True)
            if args.out:
                with open(args.out, "a") as f:
                    f.write(json.dumps(result) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
