"""`kbgen serve`: a live preview for writers, on MkDocs' LiveReloadServer.

kbgen drives the rebuilds itself instead of `mkdocs serve`, so that:
- a content or configuration error becomes a page in the browser (every URL
  shows the problems with file:line:column) instead of requests that hang
  until the file is fixed; when it is fixed, the browser reloads to the site;
- kb.json, kb.schema.json and llms.txt are served, as a build writes them;
- content/, runbooks/, mkdocs.yml and overrides/ are watched;
- an edit re-renders only the pages it changes (kbgen.mkdocs.incremental),
  and the search index is refreshed in the background once edits pause.
"""
from __future__ import annotations

import gc
import hashlib
import html
import logging
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..config import Config, ConfigError, find_plugin_options, load_config
from ..diagnostics.problems import Severity
from ..errors import BuildFailed, StageError
from ..load.cache import SourceCache
from ..model.audience import for_audience
from ..outputs import write_outputs
from ..pages.cache import PageCache
from ..search.browser import filter_choices
from ..site.build import log_to_stderr, source_date_epoch
from ..site.searchbox import Boxes, offline_site
from ..site.stage import stage
from ..site.swap import signals_interrupt
from ..site.writer import SyncWriter
from ..validate import validate_config
from .build import epoch_env, staged_edit_root
from .incremental import Renderer
from .refresh import Refresher

log = logging.getLogger("mkdocs.kbgen.serve")

DEFAULT_ADDR = "127.0.0.1:8000"
REFRESH_QUIET = 10.0  # seconds without a rebuild before kb.json, llms.txt and the search index are made again
COLLECT_EVERY = 10    # rebuilds between two full garbage collections while edits do not pause


def parse_addr(value: str) -> tuple[str, int]:
    host, _, port = str(value).rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"'{value}' is not HOST:PORT (e.g. {DEFAULT_ADDR})")
    return host.strip("[]"), int(port)


def error_page(title: str, lines: list[tuple[str, str | None]], epoch: int) -> str:
    """A self-contained page listing the problems. Its script long-polls the
    server's livereload endpoint and reloads once a newer build is visible."""
    items = "\n".join(
        f"<li><code>{html.escape(line)}</code>" + (f"<br><small>hint: {html.escape(hint)}</small>" if hint else "")
        + "</li>" for line, hint in lines)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}}
h1{{color:#b00020;font-size:1.4rem}}li{{margin:.6rem 0}}code{{font-size:.95rem}}small{{color:#555}}</style>
</head><body>
<h1 id="kbgen-problems">{html.escape(title)}</h1>
<p>kbgen did not rebuild the preview. Fix these and save: this page reloads to the site by itself.</p>
<ol id="kbgen-problem-list">
{items}
</ol>
<script>
(function () {{
  var epoch = {int(epoch)};
  function poll() {{
    fetch("/livereload/" + epoch + "/0").then(function (r) {{ return r.text(); }}).then(function (t) {{
      if (parseInt(t, 10) > epoch) {{ location.reload(); }} else {{ poll(); }}
    }}).catch(function () {{ setTimeout(poll, 1000); }});
  }}
  poll();
}})();
</script>
</body></html>
"""


class Preview:
    """One rebuild: validate, stage only what changed, and render only the
    pages that need it (kbgen.mkdocs.incremental); or keep the problems for
    the error page. kb.json, llms.txt and the search index are refreshed in
    the background once the edits pause. Never raises for a problem the
    writer can fix."""

    def __init__(self, cfg: Config, audience: str, workdir: Path):
        self.cfg, self.audience, self.workdir = cfg, audience, Path(workdir)
        self.site_dir = self.workdir / "site"
        self.hidden = self.workdir / "site.hidden"  # the site, set aside while problems are shown
        self.project = self.workdir / "project"
        self.writer = SyncWriter(self.project)
        self.renderer: Renderer | None = None
        self.kept: SourceCache | None = None  # the loaded source files, kept between rebuilds
        self.kept_count = 0
        self.page_cache: Any = None  # kbgen.pages.cache.PageCache: pages of entities an edit did not reach
        self.page_cache_for: tuple | None = None
        self.built_from: tuple | None = None  # the sources the site shows (no rebuild when they are the same)
        self.lock = threading.Lock()  # the site folder: rebuilds and the Refresher's renames
        self.refresher = Refresher(self.site_dir, self.lock, REFRESH_QUIET)
        self.server: Any = None  # MkDocs' LiveReloadServer
        self.problem_page: bytes | None = None  # set while the preview shows problems
        self.uncollected = 0  # rebuilds since the last full garbage collection
        self.shown: dict[str, str] | None = None  # what kb.json and llms.txt were last made from (_shown)

    def _epoch(self) -> int:
        # the epoch this build becomes visible as (MkDocs' LiveReloadServer)
        return int(getattr(self.server, "_wanted_epoch", 0) or 0)

    def _show_problems(self, title: str, lines: list[tuple[str, str | None]]) -> None:
        for line, hint in lines:
            print(line + (f"\n  hint: {hint}" if hint else ""), file=sys.stderr)
        print(f"kbgen serve: {title}; the browser shows them until they are fixed", file=sys.stderr)
        # every URL is a 404, answered with the problem page; the site is kept
        # aside, so the fix renders only what changed
        if self.site_dir.is_dir():
            shutil.rmtree(self.hidden, ignore_errors=True)
            os.rename(self.site_dir, self.hidden)
        self.problem_page = error_page(title, lines, self._epoch()).encode("utf-8")

    def _unhide(self) -> None:
        if self.hidden.is_dir() and not self.site_dir.exists():
            os.rename(self.hidden, self.site_dir)

    def __call__(self) -> None:
        self.refresher.cancel()  # a running search indexing would compete with this rebuild
        with self.lock:
            self._rebuild()
        # What the server keeps between rebuilds (the loaded KB, kept pages,
        # MkDocs' objects: millions of objects at 10,000 pages) is moved out of
        # the garbage collector's sight: otherwise a full collection may fall in
        # the middle of the next rebuild and cost it 0.4-0.5 s. The Refresher
        # collects everything once the edits pause (Refresher.collect); edits
        # that never pause (an editor saving every second) get a full
        # collection every COLLECT_EVERY rebuilds, so memory stays bounded.
        self.uncollected += 1
        if self.uncollected >= COLLECT_EVERY:
            self.refresher.collect()
            self.uncollected = 0
        else:
            gc.freeze()

    def _rebuild(self) -> None:
        log.info("Building documentation...")
        started = time.perf_counter()
        try:
            cfg = load_config(self.cfg.root)
        except ConfigError as exc:
            self._show_problems("kbgen: configuration error", [(str(exc), None)])
            return
        if find_plugin_options(cfg.raw)[0] is None:
            self._show_problems("kbgen: configuration error",
                                [("mkdocs.yml does not enable the kbgen plugin (add `- kbgen` under plugins)", None)])
            return
        if self.kept is None or self.kept.cfg.raw != cfg.raw:
            self.kept = SourceCache(cfg)  # a new configuration reads every file again
            self.kept_count += 1
        kb, report = validate_config(cfg, self.kept)
        if report.errors:
            lines = [(f"{p.file}:{p.line}:{p.column}: {p.severity.value} {p.code} {p.message}", p.hint)
                     for p in report.sorted() if p.severity is Severity.ERROR]
            n = len(lines)
            self._show_problems(f"kbgen: {n} error{'s' if n != 1 else ''} in the knowledge base", lines)
            return
        for p in report.sorted():
            log.warning(f"{p.file}:{p.line}:{p.column}: {p.code} {p.message}")
        sources = (self.kept_count, self.kept.generation, _theme_state(cfg))
        if sources == self.built_from and self.problem_page is None and not self.writer.pending:
            # an event for a file kbgen does not read (an editor's swap file), or a save
            # without a change: the site is current, and the browser need not reload
            log.info(f"kbgen serve: no source changed; nothing rebuilt ({time.perf_counter() - started:.2f} s)")
            if hasattr(self.server, "_visible_epoch"):
                self.server._wanted_epoch = self.server._visible_epoch
            return
        view = for_audience(kb, self.audience)
        if self.page_cache is None or self.page_cache_for != (self.kept_count, sources[2]):
            self.page_cache = PageCache()  # new settings or templates: every page is rendered again
            self.page_cache_for = (self.kept_count, sources[2])
        validated = time.perf_counter()
        self.writer.begin()
        try:
            with log_to_stderr(quiet=True):
                plan = stage(cfg, view, self.project, own_search=True, writer=self.writer, page_cache=self.page_cache)
        except StageError as exc:
            self._show_problems("kbgen: the site could not be built", [(str(exc), None)])
            return
        staged = time.perf_counter()
        self._unhide()
        if self.renderer is None:
            self.renderer = Renderer(self.project, self.site_dir, staged_edit_root(cfg))
        offline = offline_site(plan.config)  # a site for file://: its search index is made of scripts
        try:
            with epoch_env(source_date_epoch(view)):
                result = self.renderer.render(plan, set(self.writer.pending), self.writer.files(self.project / "docs"),
                                              Boxes(*filter_choices(view), offline))
        except Exception as exc:  # a theme or renderer problem: shown, the server keeps running
            self.renderer.settings = None  # whatever MkDocs had half done, the next render is whole
            what = str(exc) if isinstance(exc, BuildFailed) else f"{type(exc).__name__}: {exc}"
            self._show_problems("kbgen: the site could not be built", [(what, None)])
            return
        self.writer.pending.clear()
        self.problem_page = None
        self.built_from = sources
        shown, narrowed = _shown(view), False
        if self.shown is not None:
            narrowed = any(eid not in shown or shown[eid] != digest for eid, digest in self.shown.items())
        self.shown = shown
        if result.way == "full" or narrowed:
            # served at once: what left the view (a page turned internal, a draft, an internal
            # entry) leaves kb.json and llms.txt with this rebuild, and the search index
            # until it is made again; otherwise the index follows in the background
            write_outputs(view, self.site_dir)
            if narrowed:
                self.refresher.drop_index()
        self.refresher.schedule(view, offline=offline, now=result.way == "full" or narrowed)
        log.info(f"kbgen serve: {result.way} rebuild, {result.pages} page{'s' if result.pages != 1 else ''} rendered "
                 f"in {time.perf_counter() - started:.2f} s (validate {validated - started:.2f} s, stage "
                 f"{staged - validated:.2f} s, {self.writer.writes} file{'s' if self.writer.writes != 1 else ''} "
                 f"written, render {result.seconds:.2f} s)")

    def not_found(self, code: int) -> bytes | None:
        if code != 404:
            return None
        if self.problem_page is not None:
            return self.problem_page
        page = self.site_dir / "404.html"
        return page.read_bytes() if page.is_file() else None


def _shown(view) -> dict[str, str]:
    """Each entity of the view, with a digest of what is left of it where its
    kind filters it for the audience (a contacts file without its internal
    entries): a rebuild whose view lost an entity, or changed a filtered one,
    narrowed what the outputs may show."""
    out = {}
    for eid, e in view.entities.items():
        filtered = e.doc is not None and e.obj is not None and e.obj is not e.doc.obj
        out[eid] = hashlib.sha1(e.obj.model_dump_json().encode()).hexdigest() if filtered else ""
    return out


def _same_origin(path: str) -> str:
    """A request path that stays on this server: `//host` and `/\\host` (which
    `GET /%2fhost` decodes to) would make the server's trailing-slash
    redirect a link to another site; the path is read with one slash."""
    return "/" + path.lstrip("/\\") if path[1:2] in ("/", "\\") else path


def _server_class():
    """MkDocs' LiveReloadServer, with every request path kept on this server
    (_same_origin) and no redirect answered off it."""
    from mkdocs.livereload import LiveReloadServer

    class Server(LiveReloadServer):
        def _serve_request(self, environ, start_response):
            raw = environ["PATH_INFO"].encode("latin-1").decode("utf-8", "ignore")
            environ["PATH_INFO"] = _same_origin(raw).encode("utf-8").decode("latin-1")

            def respond(status, headers, *args):
                for name, value in headers:
                    if name.lower() == "location" and _same_origin(value) != value:
                        raise ValueError(f"refused an off-site redirect to {value!r}")
                return start_response(status, headers, *args)
            return super()._serve_request(environ, respond)

    return Server


class _Noise(logging.Filter):
    """MkDocs lines that say nothing to a writer in kbgen serve: kbgen picks
    what a rebuild renders (the dirty-build warning is about MkDocs' own
    --dirty, which does not fix the navigation), and the temporary folders
    are kbgen's."""
    LINES = ("A 'dirty' build is being performed", "Building documentation to directory", "Cleaning site directory",
             "The directory contains stale files", "The following pages exist in the docs directory")

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.LINES)


def _theme_state(cfg: Config) -> tuple:
    """The files of overrides/ (theme templates, kbgen's page templates) as
    sizes and times: they are not sources the loader keeps."""
    base = cfg.root / "overrides"
    if not base.is_dir():
        return ()
    out = []
    for p in sorted(base.rglob("*")):
        try:
            st = p.stat()
        except OSError:
            continue
        out.append((p.relative_to(base).as_posix(), st.st_size, st.st_mtime_ns))
    return tuple(out)


def _watched(cfg: Config) -> list[Path]:
    paths = [cfg.content_dir, cfg.runbooks_dir, cfg.root / "overrides"]
    paths += list(cfg.config_files)  # the config file and the files it INHERITs
    return [p for p in paths if p.exists()]


def _port_free(host: str, port: int) -> None:
    """Fail before the first build (minutes on a large KB) when the address is
    taken, not after it; raises OSError as the server's own bind would."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            s.bind((host, port))
        except OSError as exc:
            raise OSError(exc.errno, f"cannot serve on {host}:{port} ({exc.strerror}); "
                                     "choose another address with --dev-addr") from None


class Watcher:
    """The file watcher the LiveReloadServer uses (its `observer`): the
    system's own notifications (watchdog's Observer: inotify, FSEvents,
    ReadDirectoryChangesW) instead of MkDocs' PollingObserver, which lists
    every watched file twice a second: 70 ms a round at 10,000 files, taken
    from the rebuild it runs beside, and up to half a second before an edit
    is seen. Reads (opened, closed without writing: kbgen's own, while it
    validates) are not changes. When notifications cannot be had (the
    system's limit on watches, a file system without them) it polls, as
    MkDocs does; KBGEN_SERVE_POLL=1 asks for polling (a folder shared from
    another machine or a container's host, whose edits the system may not
    report)."""

    def __init__(self, interval: float = 0.5):
        self.interval = interval
        self.schedules: dict = {}
        native = None if os.environ.get("KBGEN_SERVE_POLL") else self._native()
        self.way = "notifications" if native is not None else "polling"
        self.observer: Any = native if native is not None else self._polling()

    @staticmethod
    def _native():
        try:
            from watchdog.observers import Observer
        except ImportError:
            return None
        return Observer()

    def _polling(self):
        from watchdog.observers.polling import PollingObserver
        return PollingObserver(timeout=self.interval)

    def schedule(self, handler, path, recursive=True):
        from watchdog.events import EVENT_TYPE_CLOSED_NO_WRITE, EVENT_TYPE_OPENED, FileSystemEventHandler
        reads = {EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE}

        class Changes(FileSystemEventHandler):
            def dispatch(self, event):
                if event.event_type not in reads:
                    handler.dispatch(event)
        changes = Changes()
        watch = self.observer.schedule(changes, path, recursive=recursive)
        self.schedules[watch] = (changes, path, recursive, watch)  # the caller's watch -> the current one
        return watch

    def unschedule(self, watch) -> None:
        entry = self.schedules.pop(watch, None)
        if entry is not None:
            self.observer.unschedule(entry[3])

    def start(self) -> None:
        try:
            self.observer.start()
        except OSError as exc:  # no more watches to be had, or none on this file system
            log.info(f"kbgen serve: file notifications unavailable ({exc}); watching by polling")
            self.observer = self._polling()
            self.way = "polling"
            for key, (changes, path, recursive, _) in list(self.schedules.items()):
                self.schedules[key] = (changes, path, recursive, self.observer.schedule(changes, path, recursive=recursive))
            self.observer.start()

    def stop(self) -> None:
        self.observer.stop()

    def join(self, timeout=None) -> None:
        self.observer.join(timeout)


def serve(cfg: Config, audience: str, dev_addr: str | None, open_browser: bool = False) -> None:
    host, port = parse_addr(dev_addr or cfg.raw.get("dev_addr") or DEFAULT_ADDR)
    mount_path = urlsplit(cfg.site_url or "/").path or "/"
    if not mount_path.endswith("/"):
        mount_path += "/"
    _port_free(host, port)
    workdir = Path(tempfile.mkdtemp(prefix="kbgen-serve-"))
    preview = Preview(cfg, audience, workdir)
    server = _server_class()(builder=preview, host=host, port=port, root=str(preview.site_dir), mount_path=mount_path)
    watcher = Watcher()
    server.observer = watcher  # what the server calls of it, Watcher has
    log.info(f"kbgen serve: edits are seen by {watcher.way}")
    preview.server = server
    server.error_handler = preview.not_found
    os.environ["KBGEN_AUDIENCE"] = audience
    noise = _Noise()
    for name in ("mkdocs.commands.build", "mkdocs.structure.nav"):
        logging.getLogger(name).addFilter(noise)
    # SIGTERM and SIGHUP stop it like Ctrl-C, so its temporary folder goes too
    with signals_interrupt():
        try:
            preview()
            for path in _watched(cfg):
                server.watch(str(path))
            try:
                server.serve(open_in_browser=open_browser)
            except KeyboardInterrupt:
                log.info("Shutting down...")
            finally:
                server.shutdown()
        finally:
            preview.refresher.stop()
            for name in ("mkdocs.commands.build", "mkdocs.structure.nav"):
                logging.getLogger(name).removeFilter(noise)
            shutil.rmtree(workdir, ignore_errors=True)
