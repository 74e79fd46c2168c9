"""`kbgen adopt` and the conventions it writes (docs/adopting.md).

The fixtures under tests/fixtures/adopt/ are written for these tests in the
conventions of real repositories: a Hugo site of alert runbooks (hugo-site),
an alerts catalogue in one Markdown file (alert-catalogue), and an MkDocs
operations handbook with GitLab habits (ops-handbook). Each test works on a
copy, through the real command line."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kbfactory import MKDOCS, ROOT, run_kbgen, write_kb

FIXTURES = ROOT / "tests" / "fixtures" / "adopt"


def copy_fixture(name: str, tmp_path: Path) -> Path:
    dest = tmp_path / name
    shutil.copytree(FIXTURES / name, dest)
    return dest


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and ".kbgen" not in p.relative_to(root).parts}


def problems(root: Path, known: bool = False) -> list[tuple[str, int, int, str, str]]:
    """The problems validate reports (known: those the baseline knows)."""
    proc = run_kbgen("validate", root, "--format", "json")
    data = json.loads(proc.stdout)
    return sorted((p["file"], p["line"], p["column"], p["severity"], p["code"])
                  for p in data["known" if known else "problems"])


def adopt(root: Path) -> subprocess.CompletedProcess:
    return run_kbgen("adopt", root, check=True)


def kb_json(site: Path) -> dict[str, dict]:
    data = json.loads((site / "kb.json").read_text(encoding="utf-8"))
    return {e["id"]: e for e in data["entities"]}


def first_hit(root: Path, query: str) -> dict:
    proc = run_kbgen("search", "--root", root, query, "--json", "--audience", "internal")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["results"][0]


# --- the Hugo site -------------------------------------------------------------

@pytest.fixture(scope="module")
def hugo(tmp_path_factory):
    root = copy_fixture("hugo-site", tmp_path_factory.mktemp("hugo"))
    before = snapshot(root)
    proc = adopt(root)
    site = root.parent / "site"
    build = run_kbgen("build", root, "--audience", "internal", "--site-dir", site, "-q")
    return root, before, proc, site, build


def test_hugo_adopt_changes_no_file(hugo):
    root, before, proc, _, _ = hugo
    after = snapshot(root)
    assert {k: v for k, v in after.items() if k in before} == before
    # the config, and the baseline of the problems it has (kbgen.diagnostics.baseline)
    assert sorted(set(after) - set(before)) == [".kbgen-baseline.json", "mkdocs.yml"]


def test_hugo_adopt_reports_what_it_found(hugo):
    out = hugo[2].stdout
    assert "site generator: Hugo" in out
    assert ("content/runbooks/**/*.md (4 files: 4 with runbook sections as headings, 4 named like an alert; "
            "1 helper docs there stay articles)") in out
    assert "required sections: Meaning, Impact, Diagnosis, Mitigation" in out
    assert "      4  runbooks" in out and "      5  articles" in out  # 2 are _index.md section pages
    assert "      1  drafts (not published)" in out
    assert "      1  ignored: Kubernetes manifest" in out
    # the translated tree: once, clearly
    assert out.count("content.de/") == 1
    assert "content.de/: a translated tree (1 Markdown files) — translations are not supported yet" in out
    assert "severities taken as given (warning): no SLA declares them, so KB307 is a warning" in out
    assert "Validation: 0 errors, 2 warnings." in out
    assert "kbgen build" in out and "kbgen search <AlertName>" in out


def test_hugo_validates_with_only_the_real_problem(hugo):
    root = hugo[0]
    # QueueConsumerDown.md only points elsewhere: it really lacks the sections
    # a severity no SLA declares is taken as given: a warning at most
    # both were there when it was adopted: known (the baseline), not failing
    assert problems(root) == []
    assert problems(root, known=True) == [("content/runbooks/queue/QueueConsumerDown.md", 5, 1, "warning", "KB220"),
                                          ("content/runbooks/storage/DiskWillFillIn4Hours.md", 4, 11, "warning",
                                           "KB307")]


def test_hugo_builds_in_place(hugo):
    root, _, _, site, build = hugo
    assert build.returncode == 0, build.stderr
    page = (site / "runbooks/storage/DiskPressureHigh/index.html").read_text(encoding="utf-8")
    # {{< ref >}} became ordinary links to the pages
    assert 'href="../DiskWillFillIn4Hours/' in page
    assert 'href="../cleanup-guide/' in page
    assert "{{&lt;" not in page and "{{<" not in page
    assert (site / "runbooks/storage/volume-graph.png").is_file()  # images beside runbooks are published
    # the empty _index.md pages list their sections, as Hugo's do
    storage = (site / "runbooks/storage/index.html").read_text(encoding="utf-8")
    assert '<li><a href="DiskPressureHigh/">Disk Pressure High</a>' in storage and 'href="cleanup-guide/"' in storage
    listing = (site / "runbooks/index.html").read_text(encoding="utf-8")
    assert 'href="storage/"' in listing and 'href="queue/QueueBacklogGrowing/"' in listing
    guide = (site / "guides/writing-runbooks/index.html").read_text(encoding="utf-8")
    assert 'href="https://git.example.org/platform/runbooks/new/main/content/runbooks/storage"' in guide
    assert 'href="../../runbooks/storage/DiskPressureHigh/' in guide
    # alert redirects from the file names, and the Hugo alias
    assert "DiskPressureHigh" in (site / "runbooks/DiskPressureHigh/index.html").read_text(encoding="utf-8") \
        or (site / "runbooks/diskpressurehigh/index.html").is_file()
    assert (site / "runbooks/disk-pressure/index.html").is_file()
    # GitLab's [[_TOC_]] is a table of contents, not text
    backlog = (site / "runbooks/queue/QueueBacklogGrowing/index.html").read_text(encoding="utf-8")
    assert "[[_TOC_]]" not in backlog and 'class="toc"' in backlog
    names = {p.relative_to(site).as_posix() for p in site.rglob("*")}
    assert not any("QueueRebalanceStorm" in n for n in names)       # a draft
    assert not any("consumer-deployment" in n for n in names)       # a manifest
    assert not any("Festplatten" in (site / n).read_text(errors="replace")
                   for n in names if n.endswith(".html"))          # the translated tree


def test_hugo_conventions_in_kb_json(hugo):
    ents = kb_json(hugo[3])
    disk = ents["diskpressurehigh"]
    assert disk["type"] == "runbook"
    assert disk["url"].endswith("runbooks/storage/DiskPressureHigh/")
    assert disk["summary"] == "A volume on a storage node has been more than 90 percent full for ten minutes."
    assert disk["owner"] == "storage-oncall"                       # CODEOWNERS
    assert ents["queuebackloggrowing"]["owner"] == "queue-team"      # OWNERS beside it
    assert ents["cleanup-guide"]["type"] == "article"               # a helper doc, not a broken runbook
    assert ents["index"]["url"] in ("", "./") and ents["index"]["title"] == "Start here"  # content/_index.md: home
    assert ents["runbooks-storage"]["type"] == "article"  # storage/_index.md: the folder's page, listing it
    assert "writing-runbooks" in ents


def test_hugo_search_finds_each_alert_first(hugo):
    root = hugo[0]
    for alert, url in (("DiskPressureHigh", "runbooks/storage/DiskPressureHigh/"),
                       ("DiskWillFillIn4Hours", "runbooks/storage/DiskWillFillIn4Hours/"),
                       ("QueueBacklogGrowing", "runbooks/queue/QueueBacklogGrowing/"),
                       ("QueueConsumerDown", "runbooks/queue/QueueConsumerDown/")):
        assert first_hit(root, alert)["url"].endswith(url), alert


# --- the alerts catalogue ------------------------------------------------------

@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    root = copy_fixture("alert-catalogue", tmp_path_factory.mktemp("cat"))
    before = snapshot(root)
    proc = adopt(root)
    return root, before, proc


def test_catalogue_adopted(catalogue):
    root, before, proc = catalogue
    after = snapshot(root)
    assert {k: after[k] for k in before} == before and sorted(set(after) - set(before)) == ["mkdocs.yml"]
    assert "alert catalogues: alerts.md (6 alerts)" in proc.stdout
    assert "6  alert entries in catalogues (5 names)" in proc.stdout
    assert problems(root) == []


def test_catalogue_entries(catalogue):
    from kbgen.config import load_config
    from kbgen.validate import validate_config
    kb, report = validate_config(load_config(catalogue[0]))
    assert report.errors == 0
    entries = kb.alert_entries
    assert sorted(entries) == ["LedgerDiskAlmostFull", "LedgerReplicationLagging", "PaymentsApiDown",
                               "PaymentsApiErrorBudgetBurn", "PaymentsApiLatencyHigh"]
    down = entries["PaymentsApiDown"][0]
    assert (down.severity, down.runbook_url) == ("critical", "https://runbooks.example.org/payments/paymentsapidown/")
    assert down.anchor in down.entity.anchors and down.entity.page == "alerts.md"
    latency = entries["PaymentsApiLatencyHigh"][0]
    assert latency.runbook_url is None and "Compare with the database latency panel" in latency.description
    lag = entries["LedgerReplicationLagging"]
    assert [e.severity for e in lag] == ["warning", "critical"] and lag[0].anchor != lag[1].anchor


def test_catalogue_builds_and_search_finds_entries(catalogue, tmp_path):
    root = catalogue[0]
    site = tmp_path / "site"
    run_kbgen("build", root, "--audience", "internal", "--site-dir", site, "-q", check=True)
    home = (site / "alerts/index.html").read_text(encoding="utf-8")
    assert "PaymentsApiErrorBudgetBurn" in home and "https://runbooks.example.org/payments/errorbudgetburn/" in home
    assert not (site / "LICENSE").exists()
    for name in ("PaymentsApiDown", "PaymentsApiLatencyHigh", "LedgerDiskAlmostFull"):
        assert first_hit(root, name)["id"] == "alerts", name


# --- an MkDocs handbook: its own mkdocs.yml keeps working ------------------------

def _plain_mkdocs(root: Path, out: Path, config: str = "mkdocs.yml") -> set[str]:
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(root / config), "-d", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return {p.relative_to(out).as_posix() for p in out.rglob("*.html")}


def test_existing_mkdocs_site_keeps_working(tmp_path):
    root = copy_fixture("ops-handbook", tmp_path)
    pages_before = _plain_mkdocs(root, tmp_path / "before")
    before = snapshot(root)
    proc = adopt(root)
    assert "Wrote kbgen.yml (your mkdocs.yml is unchanged" in proc.stdout
    after = snapshot(root)
    assert {k: after[k] for k in before} == before and sorted(set(after) - set(before)) == ["kbgen.yml"]
    assert _plain_mkdocs(root, tmp_path / "after") == pages_before
    assert (root / "kbgen.yml").read_text().count("INHERIT: mkdocs.yml") == 1
    # kbgen reads kbgen.yml; sections with aliases count; manifests and CI files are ignored
    assert problems(root) == []
    site = tmp_path / "site"
    run_kbgen("build", root, "--audience", "internal", "--site-dir", site, "-q", check=True)
    ents = kb_json(site)
    # three README.md files: folder-qualified ids, no clash
    assert {ents[i]["url"] for i in ("databases", "databases-postgres", "networking")} == \
        {"databases/", "databases/postgres/", "networking/"}
    assert ents["postgresreplicationlag"]["owner"] == "dba-team"
    assert ents["networkpacketloss"]["owner"] == "netops"
    assert ents["connection-tuning"]["type"] == "article"
    assert "[[_TOC_]]" not in (site / "databases/index.html").read_text(encoding="utf-8")


def test_adopt_never_overwrites(tmp_path):
    root = copy_fixture("alert-catalogue", tmp_path)
    dry = run_kbgen("adopt", root, "--dry-run", check=True)
    assert "alert_catalogues:" in dry.stdout and not (root / "mkdocs.yml").exists()
    adopt(root)
    written = (root / "mkdocs.yml").read_bytes()
    again = run_kbgen("adopt", root)
    assert again.returncode == 2 and "mkdocs.yml exists already" in again.stderr
    assert (root / "mkdocs.yml").read_bytes() == written


# --- each convention, as an option -----------------------------------------------

def kb_with(tmp_path: Path, options: str, files: dict[str, str]) -> Path:
    mkdocs = MKDOCS.replace("      products:", options.rstrip("\n") + "\n      products:")
    return write_kb(tmp_path / "kb", files, mkdocs=mkdocs)


def model(root: Path):
    from kbgen.config import load_config
    from kbgen.validate import validate_config
    return validate_config(load_config(root))


RUNBOOK = """\
# {name}

## Meaning

What it means.

## {fix}

What to do.
"""


def test_sections_with_aliases_and_optional(tmp_path):
    options = """\
      runbook_sections:
        - {name: Meaning}
        - {name: Mitigation, aliases: [Mitigating, Remediation]}
        - {name: Escalation, required: false}
"""
    root = kb_with(tmp_path, options, {
        "runbooks/a.md": RUNBOOK.format(name="A", fix="Mitigating"),
        "runbooks/b.md": RUNBOOK.format(name="B", fix="Diagnosis and mitigation"),
        "runbooks/c.md": RUNBOOK.format(name="C", fix="Remediation"),
        "runbooks/d.md": RUNBOOK.format(name="D", fix="Workaround"),
    })
    got = [p for p in problems(root) if p[4] == "KB220"]
    assert got == [("runbooks/d.md", 1, 1, "error", "KB220")]


def test_runbook_paths_other_files_are_articles(tmp_path):
    options = """\
      runbook_paths: ["content/alerts/**/*.md", "!content/alerts/**/notes.md"]
      runbook_sections: [Meaning, Mitigation]
"""
    root = kb_with(tmp_path, options, {
        "content/alerts/db/DbDown.md": RUNBOOK.format(name="DbDown", fix="Mitigation"),
        "content/alerts/db/notes.md": "# Notes\n\nBackground for the database runbooks.\n",
        "content/alerts/db/README.md": "# Database alerts\n\nThe database runbooks.\n",
        "content/alerts/db/graph.png": b"\x89PNG\r\n",
    })
    kb, report = model(root)
    assert report.errors == 0, report.problems
    types = {e.source: e.type for e in kb.entities.values() if e.source.startswith("content/alerts")}
    assert types == {"content/alerts/db/DbDown.md": "runbook", "content/alerts/db/notes.md": "article",
                     "content/alerts/db/README.md": "article"}
    assert kb.by_source["content/alerts/db/DbDown.md"].url == "alerts/db/DbDown/"
    assert "content/alerts/db/graph.png" in kb.assets


def test_ids_from_the_path(tmp_path):
    files = {"content/a/README.md": "# A\n\nx\n", "content/b/README.md": "# B\n\nx\n",
             "content/a/setup.md": "# Setup A\n\nx\n", "content/b/setup.md": "# Setup B\n\nx\n"}
    root = kb_with(tmp_path, "", files)
    clash = [p for p in problems(root) if p[4] == "KB301"]
    assert [p[0] for p in clash] == ["content/a/setup.md", "content/b/setup.md"]  # README never clashes
    proc = run_kbgen("validate", root)
    assert "ids: path" in proc.stdout
    root2 = kb_with(tmp_path / "2", "      ids: path\n", files)
    kb, report = model(root2)
    assert report.errors == 0
    got = {e.source: (e.id, e.url) for e in kb.entities.values() if e.source.startswith("content/")
           and e.source != "content/index.md" and e.type == "article"}
    assert {k: v for k, v in got.items() if k in files} == {
        "content/a/README.md": ("a", "a/"), "content/b/README.md": ("b", "b/"),
        "content/a/setup.md": ("a-setup", "a/setup/"), "content/b/setup.md": ("b-setup", "b/setup/")}


def test_folder_pages_hugo_index(tmp_path):
    root = kb_with(tmp_path, "      folder_pages: [index.md, README.md, _index.md]\n", {
        "content/guides/_index.md": "---\ntitle: Guides\n---\n\nAll our guides.\n",
        "content/empty/_index.md": "---\ntitle: empty\n---\n",
        "content/empty/page.md": "# Page\n\nx\n",
    })
    kb, report = model(root)
    assert report.errors == 0
    guides = kb.by_source["content/guides/_index.md"]
    assert (guides.id, guides.page, guides.url) == ("guides", "guides/index.md", "guides/")
    # an _index.md with front matter only declares a section: kbgen writes its listing
    empty = kb.by_source["content/empty/_index.md"]
    assert empty.page == "empty/index.md" and empty.doc.body == "# empty\n\n- [Page](page.md)\n"


def test_alert_from_filename_gives_redirects(tmp_path):
    root = kb_with(tmp_path, "      alert_from_filename: true\n      runbook_sections: [Meaning]\n", {
        "runbooks/DiskAlmostFull.md": RUNBOOK.format(name="DiskAlmostFull", fix="Mitigation"),
        "runbooks/how-we-page.md": RUNBOOK.format(name="How we page", fix="Mitigation"),
    })
    kb, report = model(root)
    assert kb.entities["diskalmostfull"].obj.alerts == ["DiskAlmostFull"]
    assert kb.entities["how-we-page"].obj.alerts == []  # not an alert name
    site = tmp_path / "site"
    run_kbgen("build", root, "--audience", "internal", "--site-dir", site, "-q", check=True)
    redirect = (site / "runbooks/DiskAlmostFull/index.html")
    lower = (site / "runbooks/diskalmostfull/index.html")
    assert redirect.is_file() or lower.is_file()


def test_folder_defaults_owners_and_summary(tmp_path):
    options = """\
      summary_from_body: true
      owners_from: [CODEOWNERS]
      defaults:
        - {path: "content/billing/**", products: [prod], owner: billing-team, audience: public, tags: [billing], review_every: 90d}
        - {path: "content/billing/legacy/**", review_every: 30d}
"""
    root = kb_with(tmp_path, options, {
        "CODEOWNERS": "*.md @docs-team\n/content/ops/ @ops-team\n",
        "content/billing/refunds.md": "# Refunds\n\nHow a refund reaches the customer's card.\n\nMore.\n",
        "content/billing/legacy/old.md": "---\nowner: someone\nsummary: Given.\n---\n# Old\n\nText.\n",
        "content/ops/deploy.md": "# Deploy\n\nShip it.\n",
        "content/misc.md": "# Misc\n\n[[_TOC_]]\n\nFirst words.\n",
    })
    kb, report = model(root)
    refunds = kb.by_source["content/billing/refunds.md"]
    assert (refunds.products, refunds.owner, refunds.audience, refunds.tags, refunds.review_every.seconds // 86400) == \
        (["prod"], "billing-team", "public", ["billing"], 90)
    assert refunds.summary == "How a refund reaches the customer's card."
    old = kb.by_source["content/billing/legacy/old.md"]
    assert (old.owner, old.summary, old.review_every.seconds // 86400) == ("someone", "Given.", 30)
    assert kb.by_source["content/ops/deploy.md"].owner == "ops-team"
    misc = kb.by_source["content/misc.md"]
    assert misc.owner == "docs-team" and misc.summary == "First words."


def test_hugo_front_matter_and_refs_keep_line_numbers(tmp_path):
    options = '      front_matter: hugo\n      hugo_params: {Repo: "https://git.example.org/kb"}\n'
    root = kb_with(tmp_path, options, {
        "content/a.md": """\
            ---
            title: Page A
            weight: 10
            bookHidden: true
            ---

            # A

            See [B]({{< ref "b.md" >}}) and [source]({{< param Repo >}}/a.md).

            Broken: [C]({{< relref "./c.md" >}}).
            """,
        "content/b.md": "---\ntitle: B\ndraft: true\n---\n\n# B\n",
        "content/d.md": "---\ntitle: D\n---\n\n# D\n",
    })
    got = problems(root)
    # weight and bookHidden are Hugo's, not unknown keys; b.md is a draft, so the link to it is broken
    assert got == [("content/a.md", 9, 5, "error", "KB308"), ("content/a.md", 11, 9, "error", "KB308")]


def test_ignore_patterns(tmp_path):
    manifest = "apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n"
    files = {"content/deploy/ns.yaml": manifest, "content/.gitlab-ci.yml": "stages: [a]\n"}
    root = kb_with(tmp_path, "", files)
    assert [p[4] for p in problems(root) if p[0] == "content/deploy/ns.yaml"] == ["KB107"]
    root2 = kb_with(tmp_path / "2", '      ignore: ["content/deploy/"]\n', files)
    assert problems(root2) == []


def test_alert_runbook_url_without_condition(tmp_path):
    files = {"content/alerts.yaml": """\
        kind: alerts
        id: platform-alerts
        title: Platform alerts
        alerts:
          - name: NodeDown
            runbook_url: https://runbooks.example.org/nodedown/
          - name: NodeBad
            runbook_url: "javascript:alert(1)"
        """}
    root = kb_with(tmp_path, "", files)
    got = problems(root)
    assert [(p[0], p[1], p[4]) for p in got if p[3] == "error"] == [("content/alerts.yaml", 8, "KB105")] or \
        [(p[0], p[1]) for p in got if p[3] == "error"] == [("content/alerts.yaml", 8)]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlinks(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("---\naudience: internal\n---\n# Secret\n", encoding="utf-8")
    root = kb_with(tmp_path, "", {"content/shared/real.md": "# Real\n\n[gone](missing.md)\n"})
    os.symlink(outside, root / "content/linked")
    os.symlink(outside / "secret.md", root / "content/secret.md")
    os.symlink(root / "content/shared", root / "content/alias")
    os.symlink(root / "nowhere.md", root / "content/dangling.md")
    got = problems(root)
    assert ("content/linked", 1, 1, "error", "KB115") in got
    assert ("content/secret.md", 1, 1, "error", "KB115") in got
    assert ("content/dangling.md", 1, 1, "error", "KB115") in got
    # a link inside the KB is validated as what it points to, under its own path
    assert ("content/alias/real.md", 3, 1, "error", "KB308") in got
    assert not any("outside" in p[0] or p[0].startswith("content/linked/") for p in got)


def test_file_taking_a_pages_address(tmp_path):
    root = kb_with(tmp_path, "", {"content/guide.md": "# Guide\n\nx\n", "content/guide": "plain text\n"})
    assert [p for p in problems(root) if p[4] == "KB312"] == [("content/guide", 1, 1, "error", "KB312")]
    root2 = kb_with(tmp_path / "2", '      ignore: ["content/guide"]\n',
                    {"content/guide.md": "# Guide\n\nx\n", "content/guide": "plain text\n"})
    assert problems(root2) == []


def test_adopt_keeps_broken_yaml_visible(tmp_path):
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "docs/page.md").write_text("# Page\n\nText.\n", encoding="utf-8")
    (root / "docs/broken.yaml").write_text("kind: [faq\n", encoding="utf-8")
    (root / "docs/manifest.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n", encoding="utf-8")
    proc = adopt(root)
    assert "1 YAML files that do not parse: kbgen validate shows where" in proc.stdout
    got = problems(root)
    assert [(p[0], p[3]) for p in got] == [("docs/broken.yaml", "error")]  # reported, not ignored


def test_jekyll_front_matter(tmp_path):
    root = kb_with(tmp_path, "      front_matter: jekyll\n      runbook_sections: [Meaning]\n", {
        "runbooks/cache-miss-storm.md": """\
            ---
            layout: runbook
            permalink: /runbooks/cache-miss-storm/
            nav_order: 3
            redirect_from: [/old/cache-storm/]
            ---
            # Cache miss storm

            ## Meaning

            Most reads miss the cache.
            """,
        "content/unpublished.md": "---\nlayout: page\npublished: false\n---\n# Later\n",
    })
    kb, report = model(root)
    assert report.problems == [], report.problems  # layout, permalink, nav_order are Jekyll's
    rb = kb.entities["cache-miss-storm"]
    assert rb.obj.aliases == ["cache-storm"]
    assert "content/unpublished.md" not in kb.by_source


def test_path_ids_in_the_runbooks_folder(tmp_path):
    root = kb_with(tmp_path, "      ids: path\n      runbook_sections: [Meaning]\n", {
        "runbooks/db/restart.md": "# Restart\n\n## Meaning\n\nx\n",
        "runbooks/web/restart.md": "# Restart\n\n## Meaning\n\ny\n",
        "runbooks/web/README.md": "# Web runbooks\n\n## Meaning\n\nz\n",
    })
    kb, report = model(root)
    assert report.errors == 0, report.problems
    got = {e.source: (e.id, e.url) for e in kb.of_type("runbook") if e.source.endswith(".md")}
    assert got == {"runbooks/db/restart.md": ("runbooks-db-restart", "runbooks/db/restart/"),
                   "runbooks/web/restart.md": ("runbooks-web-restart", "runbooks/web/restart/"),
                   "runbooks/web/README.md": ("runbooks-web", "runbooks/web/")}


def test_serve_in_place(hugo, tmp_path):
    import socket
    import time
    import urllib.request
    root = hugo[0]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "kbgen.cli", "serve", str(root), "--audience", "internal",
                             "-a", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        body = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/runbooks/storage/DiskPressureHigh/", timeout=2) as r:
                    body = r.read().decode("utf-8")
                break
            except OSError:
                time.sleep(0.5)
        assert body is not None, "kbgen serve did not answer"
        assert "Volume graph" in body or "volume-graph.png" in body
        assert 'href="../DiskWillFillIn4Hours/' in body
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_adopt_reads_the_repository_when_pages_link_out(tmp_path):
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "scripts").mkdir()
    (root / "docs/index.md").write_text("# Ops\n\nRun [the script](../scripts/rotate.sh), read [the readme](../README.md).\n",
                                        encoding="utf-8")
    (root / "README.md").write_text("# Repository\n\nWhat is here.\n", encoding="utf-8")
    (root / "scripts/rotate.sh").write_text("echo rotate\n", encoding="utf-8")
    proc = adopt(root)
    assert "pages link to files outside docs/ (e.g. README.md): kbgen reads the whole repository" in proc.stdout
    assert problems(root) == []  # the links work in place: no KB308
    site = tmp_path / "site"
    run_kbgen("build", root, "--audience", "internal", "--site-dir", site, "-q", check=True)
    assert (site / "scripts/rotate.sh").is_file() and (site / "docs/index.html").is_file()
