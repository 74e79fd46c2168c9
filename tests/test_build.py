"""Real MkDocs + Material builds of the example KB and of small fixture KBs,
and the guard: a renderer that writes elsewhere or nothing never replaces
the last good site."""
from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kbfactory import KBGEN, MKDOCS, run_kbgen, site_texts, tree, write_kb

TODAY = {"KBGEN_TODAY": "2026-06-01"}


def html(site: Path, url: str) -> BeautifulSoup:
    path = site / url / "index.html" if not url.endswith(".html") else site / url
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_runbook_page(example_internal):
    soup = html(example_internal, "runbooks/quantum-gateway-unreachable")
    assert soup.find("h1").get_text(strip=True).startswith("Agents cannot connect to the quantum gateway")
    for anchor in ("symptoms", "diagnostics", "causes", "escalation", "certificate-expiration", "firewall-port-9443",
                   "entropy-depletion", "network-mtu"):
        assert soup.find(id=anchor), anchor
    code = soup.find("code", string=lambda s: s and "mwrasp-cli cert renew --type quantum" in s) or \
        next(c for c in soup.find_all("code") if "mwrasp-cli cert renew --type quantum" in c.get_text())
    assert code is not None
    assert "Internal" in soup.get_text()  # the internal badge
    links = [a["href"] for a in soup.find_all("a", href=True)]
    assert any("mwrasp-error-codes/#qt-001" in h for h in links)  # its error codes
    assert any("mwrasp-support-tiers/#tier3" in h for h in links)  # its escalation tier


def test_error_code_anchor_and_lookup_url(example_public):
    soup = html(example_public, "reference/mwrasp-error-codes")
    assert soup.find(id="qt-001") and soup.find(id="sys-002")
    redirect = (example_public / "e" / "qt-001" / "index.html").read_text()
    assert 'url=../../reference/mwrasp-error-codes/#qt-001' in redirect
    assert (example_public / "e" / "429" / "index.html").exists()
    assert (example_public / "e" / "enospc" / "index.html").exists()


def test_sla_table(example_public):
    soup = html(example_public, "sla/mwrasp-sla")
    table = soup.find("table", string=None)
    cells = [td.get_text(" ", strip=True) for td in soup.find_all("td")]
    assert any("Response: 15 minutes" in c and "Resolution: 4 hours" in c for c in cells), cells[:20]
    assert any("Resolution: 5 days" in c for c in cells)
    assert table is not None


def test_tiers_mermaid_source(example_internal):
    soup = html(example_internal, "support/mwrasp-support-tiers")
    diagram = soup.find(class_="mermaid")
    assert diagram is not None
    text = diagram.get_text()
    assert "flowchart TD" in text and "n_tier1" in text and "-->" in text
    assert (example_internal / "assets" / "kbgen" / "mermaid.min.js").exists()


def test_internal_content_absent_from_public_build(example_public, example_internal):
    assert (example_internal / "runbooks" / "quantum-gateway-unreachable" / "index.html").exists()
    assert not (example_public / "runbooks" / "quantum-gateway-unreachable").exists()
    files = site_texts(example_public)
    for marker in ("quantum-gateway-unreachable", "Agents cannot connect to the quantum gateway",
                   "Maria Garcia", "+1-555-0112", "mwrasp-support-tiers", "ops-tier2"):
        hits = [f for f, t in files.items() if marker in t]
        assert not hits, f"{marker!r} leaked into {hits[:5]}"


def _fragments(site: Path) -> list[dict]:
    # what each result of the site's search box shows (kbgen.search.browser)
    return [json.loads(p.read_text()) for p in (site / "search" / "d").glob("*.json")]


def test_search_finds_codes_as_written(example_public):
    """The browser test types codes into the search box; here, the index side:
    the results' texts hold the codes as written, each linked to its own
    section. No lunr index is built (Material's search plugin is off)."""
    assert not (example_public / "search" / "search_index.json").exists()
    fragments = _fragments(example_public)
    code = next(f for f in fragments if f["id"] == "mwrasp-error-codes:QT-001")
    assert code["url"] == "reference/mwrasp-error-codes/#qt-001" and code["title"].startswith("QT-001")
    text = " ".join(f["title"] + " " + f["body"] for f in fragments)
    for c in ("QT-001", "429", "ENOSPC"):
        assert c in text


def test_kb_json_and_llms_txt_in_site(example_public):
    kb = json.loads((example_public / "kb.json").read_text())
    assert kb["audience"] == "public" and kb["schema_version"] == 1
    assert all(e["audience"] == "public" for e in kb["entities"])
    assert (example_public / "kb.schema.json").exists()
    assert (example_public / "llms.txt").read_text().startswith("# Support Knowledge Base")


def test_alias_and_alert_redirects(example_internal):
    for path in ("runbooks/gateway-down", "runbooks/QuantumGatewayDown"):
        page = (example_internal / path / "index.html").read_text()
        assert "runbooks/quantum-gateway-unreachable/" in page, path
    # one redirect per name whatever its case: the lower-cased twin would
    # overwrite it on a case-insensitive file system
    assert not (example_internal / "runbooks" / "quantumgatewaydown").exists()
    folded = [str(p.relative_to(example_internal)).casefold() for p in example_internal.rglob("*")]
    assert len(folded) == len(set(folded))


def test_build_refuses_invalid_kb_and_keeps_last_site(tmp_path):
    kb = write_kb(tmp_path / "kb")
    site = tmp_path / "site"
    run_kbgen("build", kb, "--site-dir", site, "-q", check=True)
    before = {p: h for p, h in _hashes(site).items()}
    (kb / "runbooks" / "public-rb.yaml").write_text("kind: runbook\nid: public-rb\nseverity: P9\nresolution: [a]\n")
    proc = run_kbgen("build", kb, "--site-dir", site, "-q")
    assert proc.returncode == 1
    assert "KB307" in proc.stderr
    assert _hashes(site) == before


def test_mkdocs_failure_keeps_last_site(tmp_path):
    kb = write_kb(tmp_path / "kb")
    site = tmp_path / "site"
    run_kbgen("build", kb, "--site-dir", site, "-q", check=True)
    before = _hashes(site)
    # A broken theme setting makes MkDocs itself fail after validation passed.
    mk = (kb / "mkdocs.yml").read_text().replace("name: material", "name: no-such-theme")
    (kb / "mkdocs.yml").write_text(mk)
    proc = run_kbgen("build", kb, "--site-dir", site, "-q")
    assert proc.returncode == 2 and "no-such-theme" in proc.stderr and "Traceback" not in proc.stderr
    assert _hashes(site) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]  # no temp dirs left


def test_strict_fails_on_warnings(tmp_path):
    kb = write_kb(tmp_path / "kb", {"runbooks/old.yaml": "kind: runbook\nid: old\nlast_reviewed: 2020-01-01\nresolution: [a]\n"})
    assert run_kbgen("build", kb, "--site-dir", tmp_path / "s1", "-q").returncode == 0
    proc = run_kbgen("build", kb, "--site-dir", tmp_path / "s2", "-q", "--strict", "--fail-on-overdue")
    assert proc.returncode == 1 and "KB601" in proc.stderr
    assert not (tmp_path / "s2").exists()


def test_builds_are_byte_identical(tmp_path):
    kb = write_kb(tmp_path / "kb", {"runbooks/internal-rb.yaml": "kind: runbook\nid: internal-rb\n"
                                    "last_reviewed: 2026-05-20\nresolution: [Restart]\n"})
    a, b = tmp_path / "a", tmp_path / "b"
    env = {"SOURCE_DATE_EPOCH": ""}  # kbgen picks the date itself
    run_kbgen("build", kb, "--audience", "public", "--site-dir", a, "-q", env=env, check=True)
    time.sleep(1.1)  # a clock-based date or gzip mtime would now differ
    run_kbgen("build", kb, "--audience", "public", "--site-dir", b, "-q", env=env, check=True)
    assert _hashes(a) == _hashes(b)
    # dates come from the newest review of the public content, not the clock nor internal pages
    lastmods = set(re.findall(r"<lastmod>([^<]+)</lastmod>", (a / "sitemap.xml").read_text()))
    assert lastmods == {"2026-05-01"}


def test_site_dir_cannot_be_the_sources(tmp_path):
    kb = write_kb(tmp_path / "kb")
    for bad in (kb / "content", kb, tmp_path, kb / "runbooks" / "site"):
        proc = run_kbgen("build", kb, "--site-dir", bad, "-q")
        assert proc.returncode == 2 and "refusing" in proc.stderr, bad
    assert run_kbgen("build", kb, "--site-dir", kb / "mkdocs.yml", "-q").returncode == 2  # a file
    assert (kb / "content" / "index.md").exists() and (kb / "mkdocs.yml").exists()


def test_offline_build_has_no_directory_urls(tmp_path):
    kb = write_kb(tmp_path / "kb")
    site = tmp_path / "site"
    run_kbgen("build", kb, "--site-dir", site, "--offline", "-q", check=True)
    assert (site / "runbooks" / "public-rb.html").exists()
    assert (site / "e" / "qt-001.html").read_text().count("../reference/errors.html#qt-001") >= 1
    text = "\n".join(site_texts(site)[p] for p in ("index.html", "runbooks/public-rb.html"))
    assert "unpkg.com" not in text


def test_user_templates_folder_is_published(tmp_path):
    kb = write_kb(tmp_path / "kb", {"content/templates/replies.yaml":
                                    "kind: templates\nid: replies\naudience: public\ntemplates:\n"
                                    "  - {id: hi, title: Hi, body: 'Hello [Name]', placeholders: [Name]}\n"})
    site = tmp_path / "site"
    run_kbgen("build", kb, "--site-dir", site, "-q", check=True)
    assert (site / "templates" / "replies" / "index.html").exists()


def _hashes(site: Path) -> dict[str, str]:
    return {str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


def test_code_in_two_tables_gets_a_chooser_page(tmp_path):
    kb = write_kb(tmp_path / "kb", {
        "content/more.yaml": "kind: error-codes\nid: more\naudience: public\ncodes:\n  - {code: QT-001, message: Other meaning}\n",
        "runbooks/public-rb.yaml": None, "content/index.md": "---\naudience: public\n---\n# Home\n",
        "content/reference/errors.yaml": "kind: error-codes\nid: errors\naudience: public\ncodes:\n"
                                         "  - {code: QT-001, message: Gateway timeout}\n"})
    site = tmp_path / "site"
    run_kbgen("build", kb, "--site-dir", site, "-q", check=True)
    page = (site / "e" / "qt-001" / "index.html").read_text()
    assert "../../reference/errors/#qt-001" in page and "../../more/#qt-001" in page
    assert "http-equiv=\"refresh\"" not in page  # a list to choose from, not a redirect


def test_prometheus_rule_files_are_not_published(example_internal):
    assert not list(example_internal.rglob("*.rules"))


def test_build_needs_mkdocs_yml_with_the_plugin(tmp_path):
    kb = write_kb(tmp_path / "kb", mkdocs=None)
    proc = run_kbgen("build", kb, "--site-dir", tmp_path / "s", "-q")
    assert proc.returncode == 2 and "no mkdocs.yml" in proc.stderr
    (kb / "mkdocs.yml").write_text("site_name: x\ndocs_dir: content\ntheme: {name: material}\n")
    proc = run_kbgen("build", kb, "--site-dir", tmp_path / "s", "-q")
    assert proc.returncode == 2 and "does not enable the kbgen plugin" in proc.stderr
    assert "Traceback" not in proc.stderr


EDIT_MKDOCS = MKDOCS.replace("theme:\n  name: material\n", "repo_url: https://git.example/kb/\n"
                             "edit_uri: edit/main/content/\ntheme:\n  name: material\n  features: [content.action.edit]\n")


def test_edit_links_point_at_source_files(tmp_path):
    kb = write_kb(tmp_path / "kb", mkdocs=EDIT_MKDOCS)
    site = tmp_path / "site"
    run_kbgen("build", kb, "--audience", "public", "--site-dir", site, "-q", check=True)

    def edit_link(url):
        return html(site, url).find("a", title=lambda t: t and "Edit" in t)["href"]
    assert edit_link("runbooks/public-rb") == "https://git.example/kb/edit/main/runbooks/public-rb.yaml"
    assert edit_link("reference/errors") == "https://git.example/kb/edit/main/content/reference/errors.yaml"
    assert edit_link("") == "https://git.example/kb/edit/main/content/index.md"


def test_relative_site_dir_is_relative_to_the_working_directory(tmp_path):
    kb = write_kb(tmp_path / "kb")
    run_kbgen("build", "kb", "--site-dir", "out", "-q", cwd=tmp_path, check=True)
    assert (tmp_path / "out" / "runbooks" / "public-rb" / "index.html").exists()
    assert not [p.name for p in kb.iterdir() if p.name.startswith(".out")]


def test_strict_fails_on_a_mkdocs_warning_and_keeps_the_site(tmp_path):
    # A nav entry to a missing page: a MkDocs warning, not a kbgen validation problem.
    mk = MKDOCS + "nav:\n  - Home: index.md\n  - Gone: no-such-page.md\n"
    kb = write_kb(tmp_path / "kb", mkdocs=mk)
    site = tmp_path / "site"
    proc = run_kbgen("build", kb, "--site-dir", site, "-q", check=True)
    assert "no-such-page.md" in proc.stderr  # a warning, the build still succeeds
    before = _hashes(site)
    proc = run_kbgen("build", kb, "--site-dir", site, "-q", "--strict")
    assert proc.returncode == 1 and "strict mode" in proc.stderr and "Traceback" not in proc.stderr
    assert _hashes(site) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]


def test_interrupted_build_keeps_the_previous_site(generated_kb, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("the previous site")
    (site / ".kbgen-site").write_text("built by kbgen")
    # Ctrl-C as a terminal delivers it: a runner started in the background (`cmd &` in a
    # script) ignores SIGINT, and a child inherits that; Python then never raises on it
    proc = subprocess.Popen([*KBGEN, "build", str(generated_kb), "--site-dir", str(site), "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.glob(".site.building-*")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the build ended before it could be interrupted"
        proc.send_signal(signal.SIGINT)  # Ctrl-C while MkDocs renders
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert [p.name for p in tmp_path.iterdir()] == ["site"]
    assert sorted(p.name for p in site.iterdir()) == [".kbgen-site", "index.html"]
    assert (site / "index.html").read_text() == "the previous site"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_of_a_killed_build_are_cleaned(tmp_path):
    kb = write_kb(tmp_path / "kb")
    pid = _dead_pid()
    (tmp_path / f".site.building-{pid}").mkdir()
    (tmp_path / f".site.building-{pid}" / "half.html").write_text("half a site")
    run_kbgen("build", kb, "--site-dir", tmp_path / "site", "-q", check=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kb", "site"]


def test_plain_mkdocs_build_uses_the_plugin(tmp_path):
    """`mkdocs build` on a KB works too; KBGEN_AUDIENCE picks the audience and
    the plugin option `offline` adds Material's offline plugin."""
    kb = write_kb(tmp_path / "kb", mkdocs=MKDOCS.replace("      today:", "      offline: true\n      today:"))
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(kb / "mkdocs.yml"), "-d", str(out)],
                          env=dict(os.environ, KBGEN_AUDIENCE="public"), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (out / "runbooks" / "public-rb.html").exists() and (out / "e" / "qt-001.html").exists()
    assert not (out / "runbooks" / "internal-rb.html").exists()
    assert (out / "search" / "search_index.js").exists()  # the offline plugin's inlined index
    assert not [f for f, text in site_texts(out).items() if "unpkg.com" in text and f.endswith(".html")]


def test_large_kb_builds_with_small_pages_and_progress(generated_site):
    site, stderr = generated_site.site, generated_site.stderr
    pages = [p for p in site.rglob("*.html")]
    assert len(pages) > 600
    average = sum(p.stat().st_size for p in pages) / len(pages)
    assert average < 80_000, f"average page {average / 1024:.0f} KB"
    # big sections are in parts: a runbook page lists its own part of the runbooks (at most
    # nav_limit, 60), and the other parts as one link each, not every runbook
    soup = html(site, "runbooks/rb-00001")
    nav_links = [a["href"] for a in soup.select("nav a[href]") if "rb-" in a["href"]]
    assert 0 < len(nav_links) <= 60 + 10, len(nav_links)
    assert "converted 250/" in stderr and "wrote 500/" in stderr  # progress for long builds
    assert "turned Material's navigation.prune on" in stderr  # mkdocs.yml did not ask for it
    assert any(f["title"].startswith("GEN-00007") for f in _fragments(site))


def test_home_title_and_error_code_index_and_build_log(tmp_path):
    kb = write_kb(tmp_path / "kb")
    proc = run_kbgen("build", ".", "--audience", "public", "--site-dir", "pub", cwd=kb, env=TODAY)
    assert proc.returncode == 0, proc.stderr
    # the log names the folder the user gave, never the temporary one
    assert ".building-" not in proc.stderr + proc.stdout and ".stage-" not in proc.stderr + proc.stdout
    assert "Built the public site in pub" in proc.stdout
    home = BeautifulSoup((kb / "pub" / "index.html").read_text(), "html.parser")
    assert home.title.get_text() == "Test KB"  # not "Home - Test KB"
    index = BeautifulSoup((kb / "pub" / "error-codes" / "index.html").read_text(), "html.parser")
    rows = {tr.find_all("td")[0].get_text(strip=True): tr.find_all("td")[3] for tr in index.select("article tbody tr")}
    assert rows["QT-001"].get_text(strip=True) == "Gateway timeouts"  # the runbook's title, not its id
    assert rows["QT-001"].a["href"].rstrip("/").endswith("runbooks/public-rb")
    assert rows["429"].get_text(strip=True) == ""


GUARD = textwrap.dedent("""\
    import sys, pathlib
    from kbgen.config import load_config
    from kbgen.errors import BuildFailed
    from kbgen.site.build import build_site
    mode, kb, site, elsewhere = sys.argv[1:5]

    def fake_render(*args, **kwargs):
        # args: (..., out_dir, ...): find the temporary output folder it was given
        out = next(a for a in args if isinstance(a, pathlib.Path) and ".building-" in a.name)
        if mode == "elsewhere":
            target = pathlib.Path(elsewhere)
            target.mkdir(parents=True, exist_ok=True)
            (target / "index.html").write_text("<html>home</html>")
        elif mode == "home-only":
            (out / "index.html").write_text("<html>home</html>")
        # mode "nothing": writes nothing at all

    try:
        build_site(load_config(pathlib.Path(kb)), "public", pathlib.Path(site), fake_render, quiet=True,
                   echo=lambda t: None)
    except BuildFailed as exc:
        print(exc, file=sys.stderr)
        sys.exit(exc.exit_code)
    print("built")
    """)


@pytest.mark.parametrize("mode", ["nothing", "elsewhere", "home-only"])
def test_guard_refuses_a_site_without_the_kb_pages(work, tmp_path, mode):
    kb = work / "c1"
    site = work / "pub"
    run_kbgen("build", "c1", "--site-dir", "pub", "-q", cwd=work, check=True)
    good = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert Path("index.html") in good
    before = tree(work)
    proc = subprocess.run([sys.executable, "-c", GUARD, mode, str(kb), str(site), str(tmp_path / "other")],
                          capture_output=True, text=True, cwd=work, env=dict(os.environ))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    msg = proc.stderr.strip()
    assert "the renderer wrote" in msg and "pages the knowledge base has" in msg
    assert "previous site was left untouched" in msg
    if mode != "home-only":
        assert "no home page" in msg
    # the previous site is exactly as it was; nothing left next to it
    assert {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file()} == good
    assert tree(work) == before
