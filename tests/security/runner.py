"""Run one batch of hostile cases for real: write the KB, `kbgen validate
--format json`, build the public site with the real CLI, then open every
page of it in headless Chromium. Returns a verdict per case.

A case passes when validate reports it (an error at its file and line), or
when it is built and comes out inert: no dialog, no live handler or
dangerous element or URL carrying its token, no click on any link that
navigates to javascript:/vbscript:/data:, none of its leak markers in any
file or file name of the site (gzip decompressed), and its token present
in the site (so a case that fell out of the KB cannot pass unseen).

Reported cases are neutralized (their value replaced, their files
dropped) before the build, as the writer would have to; a build that still
fails is bisected to the cases that break it."""
from __future__ import annotations

import contextlib
import functools
import json
import re
import shutil
import threading
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path

from cases import Case, build_field_files, mkdocs_for
from kbfactory import run_kbgen, site_texts, write_kb
from playwright.sync_api import Error as PlaywrightError

TAGS_PAGE = "---\naudience: public\n---\n# Tags\n\n<!-- material/tags -->\n"

# Runs in each page: every attribute and element that could run script or
# load a foreign document, attributed to the tokens in or around it; then a
# click on every link, recording where it would navigate.
SCAN_JS = r"""
(tokens) => {
  const has = (s) => tokens.filter((t) => s.includes(t));
  const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'background', 'poster',
                             'lowsrc', 'dynsrc', 'codebase', 'ping', 'cite', 'srcset']);
  const BAD = /^(javascript|vbscript|data):/;
  const ALWAYS = new Set(['iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'base']);
  const IF_TOKEN = new Set(['script', 'style', 'link', 'form']);
  const LOADS = /stylesheet|import|preload|prefetch|modulepreload|manifest|icon/i;  // rel=canonical/prev/next load nothing
  const hits = [];
  const BIG = new Set(['html', 'body', 'main', 'article', 'header', 'nav', 'div', 'table', 'ul', 'ol', 'details']);
  const where = (el) => {
    let own = has(Array.from(el.attributes, (a) => a.value).join(' '));
    if (!own.length && !BIG.has(el.tagName.toLowerCase())) own = has((el.textContent || '').slice(0, 2000));
    if (own.length) return own;
    const box = el.closest('p, li, td, th, dd, dt, h1, h2, h3, h4, h5, h6, summary, figure, pre, blockquote') ||
                el.closest('article') || document.body;
    return has(box.outerHTML.slice(0, 20000));
  };
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    for (const a of el.attributes) {
      const n = a.name.toLowerCase();
      let why = null;
      if (n.startsWith('on')) why = 'event handler ' + n;
      else if (n === 'srcdoc') why = 'srcdoc';
      else if (URL_ATTRS.has(n)) {
        const v = a.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
        const image = tag === 'img' && n === 'src' && /^data:image\/(png|gif|jpe?g|webp)[;,]/.test(v);
        if (BAD.test(v) && !image) why = n + '=' + v.slice(0, 30);
      } else if (n === 'style' && /expression|javascript:|url\s*\(/i.test(a.value)) why = 'style ' + a.value.slice(0, 40);
      if (why) hits.push([why + ' on <' + tag + '>', where(el), el.outerHTML.slice(0, 160)]);
    }
    const script = tag === 'script' && !/json|template/i.test(el.getAttribute('type') || '');
    // kbgen's own redirect pages carry a meta refresh to a relative URL in <head>;
    // one in the body, or to an absolute URL (another site, javascript:, data:) is a finding
    const equiv = tag === 'meta' && /refresh|set-cookie/i.test(el.getAttribute('http-equiv') || '') &&
      (!el.closest('head') || /url\s*=\s*['"]?\s*([a-z][a-z0-9+.-]*:|\/\/)/i.test(el.getAttribute('content') || ''));
    if (ALWAYS.has(tag) || equiv) {
      hits.push(['element <' + tag + '>', where(el), el.outerHTML.slice(0, 160)]);
    } else if (IF_TOKEN.has(tag) && (tag !== 'script' || script) && (tag !== 'link' || LOADS.test(el.rel || '')) &&
               has(el.outerHTML.slice(0, 4000)).length) {
      hits.push(['element <' + tag + '>', where(el), el.outerHTML.slice(0, 160)]);
    }
  }
  const clicked = [];
  const grab = (e) => {
    const a = e.target.closest && e.target.closest('a, area');
    if (a) {
      const h = a.href && a.href.baseVal !== undefined ? a.href.baseVal : a.getAttribute('href');
      let proto = '';
      try { proto = new URL(h, location.href).protocol; } catch (err) { proto = String(h).trim().split(':')[0] + ':'; }
      if (/^(javascript|vbscript|data):$/i.test(proto)) clicked.push(['click navigates to ' + proto, where(a), a.outerHTML.slice(0, 160)]);
    }
    e.preventDefault();
  };
  window.addEventListener('click', grab, true);
  for (const a of document.querySelectorAll('a, area')) {
    try { a.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, view: window})); } catch (err) {}
  }
  window.removeEventListener('click', grab, true);
  for (const f of document.querySelectorAll('form')) {
    const act = (f.getAttribute('action') || '').replace(/[\u0000-\u0020]/g, '').toLowerCase();
    if (BAD.test(act)) clicked.push(['form submits to ' + act.slice(0, 30), where(f), f.outerHTML.slice(0, 160)]);
  }
  const article = document.querySelector('article');
  return {hits: hits.concat(clicked), pageTokens: has(article ? article.outerHTML : document.body.outerHTML)};
}
"""


LIMIT_DIALOGS_JS = """
for (const name of ['alert', 'confirm', 'prompt']) {
  const real = window[name];
  let calls = 0;
  window[name] = function (...args) { calls += 1; if (calls <= 2) return real.apply(this, args); };
}
"""


@dataclass
class Verdict:
    how: str = ""                                     # "reported" or "inert" when it passed
    problems: list[str] = field(default_factory=list)  # why it failed

    def as_dict(self):
        return {"how": self.how, "problems": self.problems}


def _materialize(kb: Path, outside: Path, cases: list[Case], neutral: set[str]) -> dict[str, tuple]:
    """Write the batch's KB from scratch; return {case id: alternatives of (file, lines)}."""
    for d in (kb, outside):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    field_cases = [c for c in cases if c.sink]
    files: dict[str, str] = {"content/tags.md": TAGS_PAGE}
    locs: dict[str, tuple] = {}
    mk = next((c.mkdocs for c in cases if c.mkdocs), None) or mkdocs_for()
    if field_cases:
        ffiles, mk, flocs = build_field_files(field_cases, neutral)
        files.update(ffiles)
        locs = {cid: (loc,) for cid, loc in flocs.items()}
    for c in cases:
        if c.sink:
            continue
        locs[c.id] = c.where
        if c.id not in neutral:
            files.update(c.files)
    write_kb(kb, files, mkdocs=mk)
    for c in cases:
        if c.setup and c.id not in neutral:
            c.setup(kb, outside, c.tok)
    return locs


def _problems(kb: Path) -> tuple[list[dict], str]:
    proc = run_kbgen("validate", ".", "--format", "json", cwd=kb)
    try:
        return json.loads(proc.stdout)["problems"], ""
    except (ValueError, KeyError):
        return [], f"validate gave no JSON (exit {proc.returncode}): {(proc.stdout + proc.stderr).strip()[-300:]}"


def _matches(p: dict, alts) -> bool:
    for path, lines in alts or ():
        if (p.get("file") == path or str(p.get("file", "")).startswith(path + "/")) and \
                (lines is None or p.get("line") in lines) and int(p.get("line") or 0) >= 1 and \
                int(p.get("column") or 0) >= 1:
            return True
    return False


def _owner(p: dict, cases: list[Case], locs) -> list[Case]:
    """The cases an error belongs to: the one at its line, else every case of its file."""
    exact = [c for c in cases if _matches(p, locs.get(c.id))]
    if exact:
        return exact
    return [c for c in cases if any(p.get("file") == path or str(p.get("file", "")).startswith(path + "/")
                                    for path, _ in locs.get(c.id) or ())]


def _tail(proc) -> str:
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    worst = [x for x in lines if "rror" in x] or lines[-3:]
    return " | ".join(worst)[-400:]


def _build(kb: Path, site: Path):
    shutil.rmtree(site, ignore_errors=True)
    return run_kbgen("build", ".", "--audience", "public", "--site-dir", site, "-q", cwd=kb)


def run_batch(cases: list[Case], work: Path, browser) -> dict[str, dict]:
    kb, outside, site = work / "kb", work / "outside", work / "site"
    verdicts = {c.id: Verdict() for c in cases}
    locs = _materialize(kb, outside, cases, set())
    problems, trouble = _problems(kb)
    errors = [p for p in problems if p.get("severity") == "error"]
    neutral: set[str] = set()
    for c in cases:
        got = [p for p in errors if _matches(p, locs.get(c.id))]
        if got:
            p = got[0]
            verdicts[c.id].how = f"reported {p['file']}:{p['line']}:{p['column']} {p.get('code')}"
            neutral.add(c.id)
    # build what is left; errors elsewhere, or a build that fails, point at cases
    active = [c for c in cases if c.id not in neutral]
    culprits: dict[str, str] = {}

    def attempt(exclude: set[str]):
        _materialize(kb, outside, cases, neutral | exclude)
        return _build(kb, site)

    proc = attempt(set())
    for _ in range(3):
        if proc.returncode == 0:
            break
        probs, _ = _problems(kb)
        bad = [p for p in probs if p.get("severity") == "error"]
        owners = {c.id: p for p in bad for c in _owner(p, active, locs) if c.id not in culprits}
        if not owners:
            break
        for cid, p in owners.items():
            if _matches(p, locs.get(cid)):
                # reported at its place once the other cases were fixed: the writer still
                # sees it before anything ships
                verdicts[cid].how = f"reported {p['file']}:{p['line']}:{p['column']} {p.get('code')} (second pass)"
                neutral.add(cid)
                active = [c for c in active if c.id != cid]
            else:
                culprits[cid] = (f"reported at the wrong place: {p['file']}:{p['line']}:{p['column']} {p.get('code')} "
                                 f"{p.get('message', '')[:120]} (expected {locs.get(cid)})")
        proc = attempt(set(culprits))
    if proc.returncode != 0:
        rest = [c for c in active if c.id not in culprits]
        base = attempt({c.id for c in rest} | set(culprits))
        if base.returncode != 0:
            # not the cases: the KB with every case neutralized does not build either
            for c in rest:
                culprits.setdefault(c.id, f"the batch's KB does not build even without the cases: {_tail(base)}")
            rest = []

        def bisect(group: list[Case], depth=0):
            # the cases that make the build fail, each with its own message
            others = {c.id for c in rest if c not in group} | set(culprits)
            got = attempt(others)
            if got.returncode == 0:
                return
            if len(group) == 1 or depth > 7:
                for c in group:
                    culprits[c.id] = f"the build fails with it: {_tail(got)}"
                return
            half = len(group) // 2
            bisect(group[:half], depth + 1)
            bisect(group[half:], depth + 1)

        if rest:
            bisect(rest)
        proc = attempt(set(culprits))
        for c in rest:
            if proc.returncode != 0:
                culprits.setdefault(c.id, f"no build could be made: {_tail(proc)}")
    for cid, why in culprits.items():
        verdicts[cid].problems.append(why)
    built = [c for c in active if c.id not in culprits]
    if proc.returncode != 0 or not built:
        return _finish(verdicts, trouble)

    texts = site_texts(site, names=True)
    blob = "\n".join(texts.values())
    for c in built:
        for m in c.markers:
            leaked = sorted({f.replace(" (name)", "") for f, t in texts.items() if m in t})
            if leaked:
                verdicts[c.id].problems.append(f"leak marker {m} in {', '.join(leaked[:5])}")
        if c.witness and c.tok not in blob:
            verdicts[c.id].problems.append("its token is not in the public site: the case did not reach the build")
    for why, toks in _browse(site, [c.tok for c in built], browser):
        for c in built:
            if c.tok in toks:
                verdicts[c.id].problems.append(why)
    return _finish(verdicts, trouble)


def _finish(verdicts: dict[str, Verdict], trouble: str) -> dict[str, dict]:
    out = {}
    for cid, v in verdicts.items():
        if not v.how and not v.problems:
            v.how = "inert"
        if trouble and v.problems:
            v.problems.append(trouble)
        # a reported case passed; its neutralized stand-in was still built and browsed
        out[cid] = v.as_dict() if not v.how.startswith("reported") else {"how": v.how, "problems": []}
    return out


def _serve(site: Path):
    from browser.conftest import _Quiet as Handler
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    server.handle_error = lambda *args: None  # a page that navigates away drops its requests
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _serve_text(body: str):
    def handler(route):
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)
    return handler


def _browse(site: Path, tokens: list[str], browser):
    """Open every page; yield (what happened, tokens it is attributed to)."""
    server = _serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # a handler that re-fires (autofocus + onfocus=alert) would show dialogs
    # forever: after two per document, further calls only count
    context.add_init_script(LIMIT_DIALOGS_JS)
    page = context.new_page()
    page.set_default_timeout(8000)
    events: list[tuple[str, str]] = []
    def dialog(d):
        events.append(("dialog", d.message))
        with contextlib.suppress(PlaywrightError):  # the page went away meanwhile
            d.dismiss()

    page.on("dialog", dialog)

    def navigated(frame):
        if frame == page.main_frame and not frame.url.startswith(base):
            events.append(("navigation", frame.url))

    page.on("framenavigated", navigated)
    try:
        for html in sorted(site.rglob("*.html")):
            rel = html.relative_to(site).as_posix()
            url = f"{base}/{rel.removesuffix('index.html')}"
            events.clear()
            text = html.read_text(encoding="utf-8", errors="replace")
            head = text.split("</head>", 1)[0]
            redirect = re.search(r'<meta http-equiv="refresh"', head) is not None
            if redirect:
                # kbgen's own redirect pages (e/<code>/, aliases) leave at once: scan them in place
                body = head.replace('http-equiv="refresh"', 'http-equiv="x-kbgen-refresh"', 1) + text[len(head):]
                page.route(url, _serve_text(body))
            try:
                page.goto(url, wait_until="load")
                result = page.evaluate(SCAN_JS, tokens)
            except PlaywrightError as exc:  # the page navigated away or hung: that is a finding too
                result = {"hits": [[f"page did not stay put: {str(exc)[:120]}", [], ""]], "pageTokens": []}
            if redirect:
                page.unroute(url)
            around = result["pageTokens"] or [t for t in tokens if t in text]
            for why, toks, snippet in result["hits"]:
                yield f"{why} in {rel}: {snippet}", (toks or around)
            for kind, text in events:
                named = [t for t in tokens if t in text]
                yield f"{kind} {text[:80]!r} in {rel}", (named or around)
    finally:
        context.close()
        server.shutdown()
        server.server_close()
