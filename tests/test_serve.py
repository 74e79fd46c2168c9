"""`kbgen serve` really reloads: edit a YAML runbook, see the served page change;
a content error is a page in the browser (file:line:column) until it is fixed;
kb.json and llms.txt are served."""
from __future__ import annotations

import concurrent.futures
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from kbfactory import write_kb


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    """The body, whatever the status (the problem page answers 404); None when
    the server does not answer within 2 s (a hung request)."""
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.read().decode("utf-8")
    except OSError:
        return None


def _start(kb, port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "kbgen.cli", "serve", str(kb), "--audience", "internal",
                             "--dev-addr", f"127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _stop(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out or ""


def _wait_for(url: str, text: str, seconds: float = 120) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        body = _get(url)
        if body and text in body:
            return True
        time.sleep(0.5)
    return False


def test_serve_rebuilds_when_yaml_changes(tmp_path):
    kb = write_kb(tmp_path / "kb")
    port = _free_port()
    proc = _start(kb, port)
    try:
        url = f"http://127.0.0.1:{port}/runbooks/public-rb/"
        assert _wait_for(url, "Gateway timeouts"), "the served runbook page never appeared"
        rb = kb / "runbooks" / "public-rb.yaml"
        rb.write_text(rb.read_text().replace("title: Gateway timeouts", "title: Gateway timeouts, revised"))
        assert _wait_for(url, "Gateway timeouts, revised"), "the page did not change after the YAML edit"
        # livereload is on: the page carries MkDocs' reload script
        assert "livereload" in (_get(url) or "")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


BROKEN = re.compile(r"runbooks/public-rb\.yaml:14:18: error KB306 tier &#x27;tier9&#x27; does not exist")


def test_serve_shows_problems_in_the_browser_and_comes_back(tmp_path):
    kb = write_kb(tmp_path / "kb")
    port = _free_port()
    proc = _start(kb, port)
    base = f"http://127.0.0.1:{port}"
    try:
        url = f"{base}/runbooks/public-rb/"
        assert _wait_for(url, "Gateway timeouts"), "the served runbook page never appeared"
        # kb.json and llms.txt are served, for the previewed (internal) audience
        data = json.loads(_get(f"{base}/kb.json") or "{}")
        assert data["audience"] == "internal"
        assert {"public-rb", "internal-rb"} <= {e["id"] for e in data["entities"]}
        assert "Gateway timeouts" in (_get(f"{base}/llms.txt") or "")
        # a content error: every URL answers at once with the problems, file:line:column
        rb = kb / "runbooks" / "public-rb.yaml"
        good = rb.read_text()
        rb.write_text(good.replace("escalation: {to: tier2, after: 30m}", "escalation: {to: tier9, after: 30m}"))
        assert _wait_for(url, "kbgen-problem-list"), "the problem page never appeared"
        for path in ("/runbooks/public-rb/", "/", "/no/such/page/"):
            started = time.time()
            body = _get(base + path)
            assert body is not None and time.time() - started < 2, f"{path} hung"
            assert BROKEN.search(body), body[:500]
            assert "hint: did you mean" in body
            assert "/livereload/" in body  # it reloads by itself once the site is back
        # fixed: the site comes back
        rb.write_text(good)
        assert _wait_for(url, "Gateway timeouts"), "the site did not come back after the fix"
        assert "kbgen-problem-list" not in (_get(url) or "")
    finally:
        out = _stop(proc)
    assert "runbooks/public-rb.yaml:14:18: error KB306" in out  # the terminal says it too
    assert "Traceback" not in out


@pytest.mark.browser
def test_serve_problem_page_reloads_to_the_site_in_a_browser(tmp_path):
    """Headless Chromium on the problem page: fixing the file brings the page
    back without touching the browser."""
    from playwright.sync_api import sync_playwright

    from browser.conftest import CHROMIUM_ARGS, chromium_path
    kb = write_kb(tmp_path / "kb")
    bad = kb / "runbooks" / "broken.yaml"
    bad.write_text("kind: runbook\nid: broken\ntitle: Broken page\nseverity: P9\nresolution: [a]\n")
    port = _free_port()
    proc = _start(kb, port)
    try:
        url = f"http://127.0.0.1:{port}/runbooks/broken/"
        assert _wait_for(url, "kbgen-problem-list")

        def in_browser():
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
                page = browser.new_page()
                page.goto(url)
                items = page.locator("#kbgen-problem-list li").all_inner_texts()
                assert len(items) == 1 and items[0].startswith("runbooks/broken.yaml:4:11: error KB307")
                bad.write_text(bad.read_text().replace("severity: P9\n", ""))
                page.wait_for_selector("h1:has-text('Broken page')", timeout=120_000)
                assert page.locator("#kbgen-problem-list").count() == 0
                browser.close()
        # its own thread: a full run's browser tests hold a sync Playwright (an event loop) in this one
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(in_browser).result()
    finally:
        _stop(proc)
