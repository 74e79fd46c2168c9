"""`kbgen serve`: a live preview for writers, on MkDocs' LiveReloadServer.

kbgen drives the rebuilds itself instead of `mkdocs serve`, so that:
- a content or configuration error becomes a page in the browser (every URL
  shows the problems with file:line:column) instead of requests that hang
  until the file is fixed; when it is fixed, the browser reloads to the site;
- kb.json, kb.schema.json and llms.txt are served, as a build writes them;
- content/, runbooks/, mkdocs.yml and overrides/ are watched.
"""
from __future__ import annotations

import html
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from ..config import Config, ConfigError, load_config

log = logging.getLogger("mkdocs.kbgen.serve")

DEFAULT_ADDR = "127.0.0.1:8000"


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
    """One rebuild: validate, then build the site as `kbgen build` does (the
    same staging and renderer, kb.json and llms.txt included), or keep the
    problems for the error page. Never raises for a problem the writer can fix."""

    def __init__(self, cfg: Config, audience: str, site_dir: Path):
        self.cfg, self.audience, self.site_dir = cfg, audience, Path(site_dir)
        self.server = None
        self.problem_page: bytes | None = None  # set while the preview shows problems

    def _epoch(self) -> int:
        # the epoch this build becomes visible as (MkDocs' LiveReloadServer)
        return int(getattr(self.server, "_wanted_epoch", 0) or 0)

    def _show_problems(self, title: str, lines: list[tuple[str, str | None]]) -> None:
        for line, hint in lines:
            print(line + (f"\n  hint: {hint}" if hint else ""), file=sys.stderr)
        print(f"kbgen serve: {title}; the browser shows them until they are fixed", file=sys.stderr)
        # no site at all: every URL is a 404, answered with the problem page
        shutil.rmtree(self.site_dir, ignore_errors=True)
        self.problem_page = error_page(title, lines, self._epoch()).encode("utf-8")

    def __call__(self) -> None:
        from ..diagnostics import Severity
        from ..site import BuildFailed, build_site
        from ..validate import validate_config
        log.info("Building documentation...")
        try:
            cfg = load_config(self.cfg.root)
        except ConfigError as exc:
            self._show_problems("kbgen: configuration error", [(str(exc), None)])
            return
        _, report = validate_config(cfg)
        if report.errors:
            lines = [(f"{p.file}:{p.line}:{p.column}: {p.severity.value} {p.code} {p.message}", p.hint)
                     for p in report.sorted() if p.severity is Severity.ERROR]
            n = len(lines)
            self._show_problems(f"kbgen: {n} error{'s' if n != 1 else ''} in the knowledge base", lines)
            return
        for p in report.sorted():
            log.warning(f"{p.file}:{p.line}:{p.column}: {p.code} {p.message}")
        try:
            build_site(cfg, self.audience, self.site_dir, quiet=True, echo=lambda text: None)
        except BuildFailed as exc:
            self._show_problems("kbgen: the site could not be built", [(str(exc), None)])
            return
        except Exception as exc:  # a theme or renderer problem: shown, the server keeps running
            self._show_problems("kbgen: the site could not be built", [(f"{type(exc).__name__}: {exc}", None)])
            return
        self.problem_page = None

    def not_found(self, code: int) -> bytes | None:
        if code != 404:
            return None
        if self.problem_page is not None:
            return self.problem_page
        page = self.site_dir / "404.html"
        return page.read_bytes() if page.is_file() else None


def _watched(cfg: Config) -> list[Path]:
    paths = [cfg.content_dir, cfg.runbooks_dir, cfg.root / "overrides"]
    paths += list(cfg.config_files)  # the config file and the files it INHERITs
    return [p for p in paths if p.exists()]


def serve(cfg: Config, audience: str, dev_addr: str | None, open_browser: bool = False) -> None:
    from mkdocs.livereload import LiveReloadServer
    host, port = parse_addr(dev_addr or cfg.raw.get("dev_addr") or DEFAULT_ADDR)
    mount_path = urlsplit(cfg.site_url or "/").path or "/"
    if not mount_path.endswith("/"):
        mount_path += "/"
    workdir = Path(tempfile.mkdtemp(prefix="kbgen-serve-"))
    site_dir = workdir / "site"
    preview = Preview(cfg, audience, site_dir)
    server = LiveReloadServer(builder=preview, host=host, port=port, root=str(site_dir), mount_path=mount_path)
    preview.server = server
    server.error_handler = preview.not_found
    os.environ["KBGEN_AUDIENCE"] = audience
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
        shutil.rmtree(workdir, ignore_errors=True)
