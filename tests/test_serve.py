"""`kbgen serve` really reloads: edit a YAML runbook, see the served page change."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

from kbfactory import write_kb


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.read().decode("utf-8")
    except OSError:
        return None


def _wait_for(url: str, text: str, seconds: float = 60) -> bool:
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
    proc = subprocess.Popen([sys.executable, "-m", "kbgen.cli", "serve", str(kb), "--dev-addr", f"127.0.0.1:{port}"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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
