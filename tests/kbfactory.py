"""Write small knowledge bases to disk for tests: a base that validates clean,
plus the files a test adds or replaces."""
from __future__ import annotations

import gzip
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KBGEN = [sys.executable, "-m", "kbgen.cli"]


def run_kbgen(*args, cwd=None, env=None, check=False) -> subprocess.CompletedProcess:
    """The real command line, in a subprocess."""
    full_env = dict(os.environ, **(env or {}))
    proc = subprocess.run([*KBGEN, *map(str, args)], cwd=cwd, env=full_env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"kbgen {' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc

MKDOCS = """\
site_name: Test KB
site_url: https://kb.test/
docs_dir: content
theme:
  name: material
plugins:
  - search
  - tags
  - kbgen:
      default_audience: internal
      today: 2026-06-01
      review_every: 365d
      products:
        - {id: prod, name: Product}
        - {id: other, name: Other product}
"""

BASE = {
    "content/index.md": """\
        ---
        audience: public
        ---
        # Home

        Start at [errors](reference/errors.yaml#qt-001) or the [public runbook](../runbooks/public-rb.yaml).
        """,
    "content/reference/errors.yaml": """\
        kind: error-codes
        id: errors
        title: Errors
        audience: public
        last_reviewed: 2026-05-01
        codes:
          - code: QT-001
            message: Gateway timeout
            severity: P2
            runbook: public-rb
          - code: 429
            message: Too many requests
        """,
    "content/sla.yaml": """\
        kind: sla
        id: sla
        title: SLA
        audience: public
        priorities:
          - {id: P1, name: Critical}
          - {id: P2, name: High}
          - {id: P3, name: Medium}
        channels:
          - {id: phone, name: Phone}
          - {id: email, name: Email}
        targets:
          - {priority: P1, channel: phone, response: 15m, resolution: 4h}
          - {priority: P2, channel: phone, response: 1h, resolution: 8h}
          - {priority: P3, channel: phone, response: 4h, resolution: n/a}
        """,
    "content/tiers.yaml": """\
        kind: tiers
        id: tiers
        audience: internal
        tiers:
          - {id: tier1, name: Frontline, escalates_to: tier2}
          - {id: tier2, name: Specialists, escalates_to: tier3}
          - {id: tier3, name: Engineering}
        """,
    "runbooks/public-rb.yaml": """\
        kind: runbook
        id: public-rb
        title: Gateway timeouts
        summary: What to do about QT-001.
        audience: public
        products: [prod]
        severity: P2
        error_codes: [QT-001]
        last_reviewed: 2026-05-01
        diagnostics:
          - title: Check health
            run: curl https://gw.example/health
            expect: HTTP 200
        escalation: {to: tier2, after: 30m}
        """,
    "runbooks/internal-rb.yaml": """\
        kind: runbook
        id: internal-rb
        title: Internal procedure
        audience: internal
        resolution:
          - Restart the gateway
        """,
}


def write_kb(root: Path, files: dict[str, str | None] | None = None, base: bool = True,
             mkdocs: str | None = MKDOCS) -> Path:
    """Write a KB: the base files (unless base=False), then `files` on top.
    A value of None deletes that base file."""
    root.mkdir(parents=True, exist_ok=True)
    all_files: dict[str, str | None] = dict(BASE) if base else {}
    all_files.update(files or {})
    if mkdocs is not None:
        (root / "mkdocs.yml").write_text(mkdocs, encoding="utf-8")
    for rel, text in all_files.items():
        if text is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def site_texts(site: Path, names: bool = False) -> dict[str, str]:
    """Every file of a built site as text (gzip files decompressed), keyed by
    path; with names=True, each file and folder name as an entry too."""
    out = {}
    for p in site.rglob("*"):
        rel = str(p.relative_to(site))
        if p.is_file():
            data = p.read_bytes()
            if p.suffix == ".gz":
                data = gzip.decompress(data)
            out[rel] = data.decode("utf-8", errors="replace")
        if names:
            out[rel + " (name)"] = p.name
    return out


def json_problems(proc) -> list[dict]:
    """The problems of a `kbgen validate --format json` run."""
    import json
    return json.loads(proc.stdout)["problems"]


def tree(root: Path) -> set[str]:
    """Every file and folder under root, as relative paths."""
    return {p.relative_to(root).as_posix() + ("/" if p.is_dir() else "") for p in root.rglob("*")}
