"""Issue 22 beyond the built pages: every surface applies the audience the
build applies (items 6, 5: `kbgen search`, `kbgen mcp`, `kbgen export`),
llms.txt and kb.json carry no link a title could inject (item 16), and plain
`mkdocs build` with the kbgen plugin gets the same policy, and never writes
an internal site where public deploys look (items 3, 4)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import markdown
import pytest
from bs4 import BeautifulSoup

from kbfactory import MKDOCS, run_kbgen, site_texts, write_kb

MARK = "LEAKSURFACE"
DEFAULTS = '      defaults:\n        - {path: "content/help/**", audience: public}\n'
KB_MKDOCS = MKDOCS.replace("      today:", DEFAULTS + "      today:")
# writers' markings that say internal, in forms kbgen reads or refuses: none may be public anywhere
MARKED = {
    "content/help/capital.md": f"---\naudience: Internal\n---\n# {MARK}1 capital\n\n{MARK}1 body.\n",
    "content/help/unknown.md": f"---\naudience: staff\n---\n# {MARK}2 unknown\n\n{MARK}2 body.\n",
    "content/help/dup.md": f"---\naudience: internal\naudience: public\n---\n# {MARK}3 dup\n\n{MARK}3 body.\n",
    "content/help/key.md": f"---\nAudience: internal\n---\n# {MARK}4 key\n\n{MARK}4 body.\n",
    "content/help/blank.md": f"\n---\naudience: internal\n---\n# {MARK}5 blank\n\n{MARK}5 body.\n",
    "content/help/toml.md": f'+++\naudience = "internal"\n+++\n# {MARK}6 toml\n\n{MARK}6 body.\n',
    "content/help/draft.md": f"+++\ndraft = true\n+++\n# {MARK}7 draft\n\n{MARK}7 body.\n",
    "content/contacts.yaml": f"kind: contacts\nid: contacts\naudience: public\nchannels:\n"
                             f"  - {{name: Public email, email: help@example.com}}\n"
                             f"  - {{name: {MARK}8 pager, phone: '555', audience: Internal}}\n",
    "runbooks/yaml-key.yaml": f"kind: runbook\nid: yaml-key\ntitle: {MARK}9 runbook\nAudience: internal\n"
                              "resolution:\n  - Restart\n",
}


@pytest.fixture(scope="module")
def marked_kb(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("surfaces")
    return write_kb(tmp / "kb", MARKED, mkdocs=KB_MKDOCS), {"KBGEN_SEARCH_DIR": str(tmp / "index")}


def test_validate_refuses_every_marking(marked_kb):
    kb, _ = marked_kb
    problems = json.loads(run_kbgen("validate", kb, "--format", "json").stdout)["problems"]
    errors = {p["file"] for p in problems if p["severity"] == "error" and p["line"] >= 1 and p["column"] >= 1}
    assert errors >= set(MARKED) - {"content/help/draft.md"}, errors


def test_search_and_export_apply_the_audience(marked_kb):
    kb, env = marked_kb
    for word in ("capital", "unknown", "dup", "key", "blank", "toml", "draft", "pager", "runbook", MARK + "1"):
        proc = run_kbgen("search", word, "--root", kb, "--audience", "public", "--json", env=env)
        results = json.loads(proc.stdout)["results"]
        assert MARK not in json.dumps(results), (word, results)
    proc = run_kbgen("export", kb, "--audience", "public", env=env)  # refuses, or exports nothing marked
    assert MARK not in proc.stdout and (proc.returncode != 0 or proc.stdout)


def test_mcp_applies_the_audience(marked_kb):
    from test_mcp import call, session
    kb, env = marked_kb

    async def work(s):
        out = [await call(s, "search", query=w) for w in ("capital", "unknown", "dup", "key", "pager", "runbook")]
        out += [await call(s, "get", id=i) for i in ("capital", "unknown", "dup", "key", "blank", "contacts", "yaml-key")]
        out.append(await call(s, "list"))
        for uri in ("kb://kb.json", "kb://llms.txt"):
            res = await s.read_resource(uri)
            out.append("".join(getattr(c, "text", "") for c in res.contents))
        return out

    answers = session("public", env["KBGEN_SEARCH_DIR"], work, root=kb)
    assert MARK not in json.dumps(answers, default=str)


HOSTILE_TITLES = {
    "content/a.md": "---\naudience: public\ntitle: 'Reset password](https://evil.example/phish) [x'\n"
                    "summary: 'See [here](javascript:alert(1)) or <a href=\"https://evil.example\">this</a>'\n---\n# A\n",
    "content/b.md": "---\naudience: public\ntitle: 'Login](javascript:alert(1)) ['\n---\n# B\n",
    "content/c.md": "---\naudience: public\ntitle: '<img src=x onerror=alert(1)> `code](javascript:x)`'\n---\n# C\n",
    "content/javascript:alert(1)/index.md": "---\naudience: public\n---\n# Folder with a scheme\n",
    "content/paren) [x](https:/evil.example/index.md": "---\naudience: public\n---\n# Parenthesis folder\n",
}


@pytest.mark.parametrize("site_url", ["https://kb.test/", None])
def test_llms_txt_and_kb_json_carry_no_injected_link(tmp_path, site_url):
    mk = MKDOCS if site_url else MKDOCS.replace("site_url: https://kb.test/\n", "")
    kb = write_kb(tmp_path / "kb", HOSTILE_TITLES, mkdocs=mk)
    site = tmp_path / "site"
    proc = run_kbgen("build", kb, "--audience", "public", "--site-dir", site, "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rendered = BeautifulSoup(markdown.markdown((site / "llms.txt").read_text()), "html.parser")
    links = [a.get("href", "") for a in rendered.find_all("a")]
    assert links and len(links) == len(rendered.find_all("li")) + 0, links  # one link a page, no more
    for href in links:
        assert not re.match(r"^\s*(javascript|vbscript|data):", href, re.I), href
        assert urlsplit(href).netloc in ("", "kb.test"), href  # a folder may be named like a URL: still a path here
        if site_url:
            assert href.startswith(site_url), href
    assert not rendered.find_all(["img", "script"])
    titles = [li.get_text() for li in rendered.find_all("li")]
    assert any("Reset password](https://evil.example/phish) [x" in t for t in titles), titles
    for ent in json.loads((site / "kb.json").read_text())["entities"]:
        assert not re.match(r"^\s*[a-zA-Z][a-zA-Z0-9+.-]*:", ent["url"]) or ent["url"].startswith("https://kb.test/"), ent


def _mkdocs(kb: Path, *args, env=None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mkdocs", *args], cwd=cwd or kb, capture_output=True, text=True,
                          env={**{k: v for k, v in os.environ.items() if k != "KBGEN_AUDIENCE"}, **(env or {})})


def test_plain_mkdocs_build_is_public_by_default_with_the_policy(tmp_path):
    """Items 3 and 4: no audience given is the public site, with the same
    policy as `kbgen build` first in every page's <head> and _headers."""
    kb = write_kb(tmp_path / "kb")
    proc = _mkdocs(kb, "build", "-q")
    assert proc.returncode == 0, proc.stderr
    site = kb / "site"
    texts = site_texts(site)
    assert not [f for f, t in texts.items() if "Internal procedure" in t]  # the internal runbook's title
    assert (site / "runbooks/public-rb/index.html").is_file()
    headers = (site / "_headers").read_text()
    assert "Content-Security-Policy: default-src 'none'" in headers and "frame-ancestors 'none'" in headers
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        head = BeautifulSoup(page.read_text(), "html.parser").head
        first = [el for el in head.find_all(True, recursive=False)][:2]
        policy = [el for el in first if el.name == "meta" and el.get("http-equiv") == "Content-Security-Policy"]
        assert policy and (first[0] is policy[0] or first[0].get("charset")), (page, first)
        assert "script-src 'self'" in policy[0]["content"] and "'unsafe-inline'" not in policy[0]["content"].split(
            "script-src", 1)[1].split(";", 1)[0]


def test_plain_mkdocs_never_writes_an_internal_site_where_deploys_look(tmp_path):
    kb = write_kb(tmp_path / "kb")
    proc = _mkdocs(kb, "build", "-q", env={"KBGEN_AUDIENCE": "internal"})
    assert proc.returncode != 0 and "refusing to build the internal audience into site/" in proc.stderr
    assert not (kb / "site").exists()
    # elsewhere, on purpose, it builds
    proc = _mkdocs(kb, "build", "-q", "-d", str(tmp_path / "site-internal"), env={"KBGEN_AUDIENCE": "internal"})
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site-internal" / "runbooks/internal-rb/index.html").is_file()
    # and gh-deploy, which publishes what it built, refuses it before building anything
    subprocess.run(["git", "init", "-q", str(kb)], check=True)
    proc = _mkdocs(kb, "gh-deploy", "--no-history", env={"KBGEN_AUDIENCE": "internal"})
    assert proc.returncode != 0 and "refusing to deploy the internal audience" in proc.stderr
    assert not (kb / "site").exists()
    branches = subprocess.run(["git", "-C", str(kb), "branch", "--list", "gh-pages"], capture_output=True, text=True)
    assert not branches.stdout.strip()
