"""Open every page of a built site in headless Chromium (Debian's, as in
tests/browser) and report what could run script or leave the site, each
finding attributed to the case tokens in or around it. Run by runner.py in
its own process: `python browse.py SITE TOKENS.json` prints a JSON list of
[finding, [tokens]]."""
from __future__ import annotations

import contextlib
import functools
import json
import re
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: kbfactory, browser.conftest

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

# Runs in each page: every attribute and element that could run script or
# load a foreign document, attributed to the tokens in or around it; then a
# click on every link, recording where it would navigate.
SCAN_JS = r"""
(arg) => {
  // arg: the tokens, or {tokens, scope}: a selector of the part of the page to scan
  const tokens = Array.isArray(arg) ? arg : arg.tokens;
  const root = Array.isArray(arg) ? document : document.querySelector(arg.scope);
  // A <style> (or other raw-text element) that one payload opens swallows the page
  // text after it: every token inside is a finding, as nothing there can be shown inert.
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
                el.closest('article') || document.body || document.documentElement;
    return has(box.outerHTML.slice(0, 20000));
  };
  for (const el of root.querySelectorAll('*')) {
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
      hits.push(['element <' + tag + '>', has(el.outerHTML.slice(0, 4000)), el.outerHTML.slice(0, 160)]);
    }
  }
  const clicked = [];
  const grab = (e) => {
    const a = e.target.closest && e.target.closest('a, area');
    if (a) {
      // an SVG link: the animated value (a <set> may have changed it), then its attributes
      const h = a.href && a.href.animVal !== undefined ? (a.href.animVal || a.getAttribute('xlink:href')) : a.getAttribute('href');
      let proto = '';
      try { proto = new URL(h, location.href).protocol; } catch (err) { proto = String(h).trim().split(':')[0] + ':'; }
      if (/^(javascript|vbscript|data):$/i.test(proto)) clicked.push(['click navigates to ' + proto, where(a), a.outerHTML.slice(0, 160)]);
    }
    e.preventDefault();
  };
  window.addEventListener('click', grab, true);
  for (const a of root.querySelectorAll('a, area')) {
    try { a.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, view: window})); } catch (err) {}
  }
  window.removeEventListener('click', grab, true);
  for (const f of root.querySelectorAll('form')) {
    const act = (f.getAttribute('action') || '').replace(/[\u0000-\u0020]/g, '').toLowerCase();
    if (BAD.test(act)) clicked.push(['form submits to ' + act.slice(0, 30), where(f), f.outerHTML.slice(0, 160)]);
  }
  const shown = document.querySelector('article') || document.body || document.documentElement;
  return {hits: hits.concat(clicked), pageTokens: has(shown.outerHTML)};
}
"""


LIMIT_DIALOGS_JS = """
for (const name of ['alert', 'confirm', 'prompt']) {
  const real = window[name];
  let calls = 0;
  window[name] = function (...args) { calls += 1; if (calls <= 2) return real.apply(this, args); };
}
"""


DOCUMENTS = {".html", ".htm", ".xhtml", ".xht", ".svg", ".xml", ".xsl"}


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


def browse(site: Path, tokens: list[str], browser):
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
        # pages, and every other document a browser opens as one (a published SVG, XML, XHTML)
        documents = [p for p in site.rglob("*") if p.suffix.lower() in DOCUMENTS and p.is_file()]
        for html in sorted(documents):
            rel = html.relative_to(site).as_posix()
            url = f"{base}/{rel.removesuffix('index.html') if rel.endswith('/index.html') or rel == 'index.html' else rel}"
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
        yield from search_box(page, base, tokens, events)
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def search_box(page, base: str, tokens: list[str], events: list):
    """The site's search box, given each token: its results show what the
    entries holding it say (titles, the pages they are on, excerpts), drawn
    from content in the page, which must stay inert there too."""
    try:
        page.goto(base + "/", wait_until="load")
    except PlaywrightError as exc:  # as a page that does not load in the loop above: a finding
        yield f"the search box's page did not load: {str(exc)[:120]}", []
        return
    box = page.locator(".kbgen-search__input")
    if not box.count():
        return
    for token in tokens:
        events.clear()
        try:
            box.fill(token)
            page.wait_for_function("(q) => document.querySelector('.kbgen-search').dataset.query === q", arg=token)
            result = page.evaluate(SCAN_JS, {"tokens": tokens, "scope": ".kbgen-search__panel"})
        except PlaywrightError as exc:
            yield f"the search box did not answer {token}: {str(exc)[:120]}", [token]
            continue
        for why, toks, snippet in result["hits"]:
            yield f"{why} in the search box's results for {token}: {snippet}", (toks or [token])
        for kind, text in events:
            yield f"{kind} {text[:80]!r} in the search box's results for {token}", [token]


def main(site: str, tokens_file: str) -> None:
    from browser.conftest import CHROMIUM_ARGS, chromium_path
    tokens = json.loads(Path(tokens_file).read_text())
    with sync_playwright() as p:
        # hosts other than localhost fail at once: nothing waits on the network
        b = p.chromium.launch(executable_path=chromium_path(),
                              args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
        try:
            found = [[why, list(toks)] for why, toks in browse(Path(site), tokens, b)]
        finally:
            b.close()
    print(json.dumps(found))


if __name__ == "__main__":
    main(*sys.argv[1:3])
