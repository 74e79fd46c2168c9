"""Issue 22, smaller items: `kbgen serve` drops a page that turned internal
from kb.json and llms.txt on the same rebuild (item 14) and never redirects
off the site (item 15); the Markdown readings cache cannot run code when
read, and is not used from a folder others can write."""
from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import pickle
import stat
import subprocess
import sys
import time
from pathlib import Path

from kbfactory import run_kbgen, write_kb

MARK = "LEAKPREVIEW"
GUIDE = f"---\naudience: public\nsummary: {MARK} summary\n---\n# {MARK} guide\n\nText.\n"


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(port: int, path: str) -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read().decode("utf-8", "replace")
    finally:
        conn.close()


def _until(check, seconds: float = 120.0):
    """Poll the server until check() holds (the state, not a time, is what is awaited)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            got = check()
        except OSError:
            got = None
        if got:
            return got
        time.sleep(0.2)
    raise AssertionError("the server never reached the state")


@contextlib.contextmanager
def _serving(kb: Path):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "kbgen.cli", "serve", str(kb), "--audience", "public",
                             "--dev-addr", f"127.0.0.1:{port}"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        _until(lambda: _request(port, "/guide/")[0] == 200)
        yield port
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_preview_outputs_follow_a_page_that_turns_internal(tmp_path):
    """Item 14: once the page is gone, kb.json and llms.txt no longer name it."""
    kb = write_kb(tmp_path / "kb", {"content/guide.md": GUIDE})
    with _serving(kb) as port:
        _until(lambda: MARK in _request(port, "/kb.json")[2] and MARK in _request(port, "/llms.txt")[2])
        (kb / "content/guide.md").write_text(GUIDE.replace("audience: public", "audience: internal"))
        _until(lambda: _request(port, "/guide/")[0] == 404)
        for path in ("/kb.json", "/llms.txt"):
            status, _, body = _request(port, path)
            assert status == 200 and MARK not in body, (path, body[:300])


def test_preview_never_redirects_off_the_site(tmp_path):
    """Item 15: an encoded slash must not turn the trailing-slash redirect into a link to another host."""
    kb = write_kb(tmp_path / "kb", {"content/guide.md": GUIDE})
    with _serving(kb) as port:
        for path in ("/%2frunbooks", "/%2f%2frunbooks", "/%2fevil.example", "/%5crunbooks", "//runbooks"):
            status, headers, _ = _request(port, path)
            location = headers.get("Location", "")
            assert not location.startswith(("//", "/\\", "\\")) and "://" not in location, (path, status, location)
        assert _request(port, "/runbooks")[1].get("Location") == "/runbooks/"  # the redirect itself still works


class _Boom:
    """A pickle that runs code when loaded: it creates the file named."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def _cache_name(kb: Path) -> str:
    return hashlib.sha1(str(kb.resolve()).encode()).hexdigest()[:16]


def test_reading_the_cache_runs_no_code(tmp_path):
    kb = write_kb(tmp_path / "kb")
    cache = tmp_path / "cache"
    folder = cache / "markdown"
    folder.mkdir(parents=True, mode=0o700)
    cache.chmod(0o700)
    ran = tmp_path / "ran"
    for suffix in (".pickle", ".json"):
        (folder / (_cache_name(kb) + suffix)).write_bytes(pickle.dumps(_Boom(ran)))
    proc = run_kbgen("validate", kb, env={"KBGEN_CACHE_DIR": str(cache)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not ran.exists()
    # what kbgen writes instead is data
    import json
    assert json.loads((folder / (_cache_name(kb) + ".json")).read_text())


def test_a_cache_folder_others_can_write_is_not_used(tmp_path):
    kb = write_kb(tmp_path / "kb")
    cache = tmp_path / "cache"
    (cache / "markdown").mkdir(parents=True)
    for d in (cache, cache / "markdown"):
        d.chmod(0o777)
    proc = run_kbgen("validate", kb, env={"KBGEN_CACHE_DIR": str(cache)})
    assert proc.returncode == 0
    assert "the Markdown cache is not used" in proc.stderr and "writable by others" in proc.stderr
    assert not list((cache / "markdown").iterdir())  # nothing written there either
    # the user's own folder, writable only by them, is used
    for d in (cache, cache / "markdown"):
        d.chmod(0o700)
    proc = run_kbgen("validate", kb, env={"KBGEN_CACHE_DIR": str(cache)})
    assert "not used" not in proc.stderr and list((cache / "markdown").iterdir())
    assert not stat.S_IMODE(os.stat(next((cache / "markdown").iterdir())).st_mode) & 0o077
