"""`kbgen adopt` in the field, round 2 (issue 21) and on a hostile repository
(issue 22, items 8-10): any docs repository publishes unedited, with no
internal error, no false error and no silent empty site.

The fixtures under tests/fixtures/adopt/ are written for these tests in the
conventions of real repositories: an MkDocs + Material product site with
snippets, Mermaid and a public deployment (product-docs), an MkDocs handbook
with a theme installed from a git URL (incident-handbook), a Hugo site of
alert runbooks with its config, archetypes and layouts (hugo-runbooks), and
plain Markdown runbooks in one folder per operator (alert-folders). Names a
file system may refuse elsewhere (`>`, non-Latin letters) are made at test
time. Each test works on a copy, through the real command line."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kbfactory import ROOT, run_kbgen

FIXTURES = ROOT / "tests" / "fixtures" / "adopt"


def copy_fixture(name: str, dest: Path) -> Path:
    root = dest / name
    shutil.copytree(FIXTURES / name, root)
    return root


def validate_json(root: Path) -> tuple[int, dict]:
    proc = run_kbgen("validate", root, "--format", "json")
    return proc.returncode, json.loads(proc.stdout)


def codes(problems: list[dict]) -> list[tuple[str, str, str]]:
    return sorted((p["file"], p["code"], p["severity"]) for p in problems)


def entities(site: Path) -> dict[str, dict]:
    return {e["id"]: e for e in json.loads((site / "kb.json").read_text(encoding="utf-8"))["entities"]}


# --- an MkDocs + Material product site (snippets, Mermaid, plugins' conventions) ----

@pytest.fixture(scope="module")
def product(tmp_path_factory):
    root = copy_fixture("product-docs", tmp_path_factory.mktemp("product"))
    dry = run_kbgen("adopt", root, "--dry-run")
    adopt = run_kbgen("adopt", root)
    code, data = validate_json(root)
    public = root.parent / "public"
    internal = root.parent / "internal"
    builds = {"public": run_kbgen("build", root, "--site-dir", public, "-q"),
              "internal": run_kbgen("build", root, "--audience", "internal", "--site-dir", internal, "-q")}
    return root, dry, adopt, code, data, builds, public, internal


def test_python_name_tag_is_read_as_mkdocs_reads_it(product):
    """`format: !!python/name:pymdownx.superfences.fence_code_format` (Material's
    Mermaid setting) was an internal ConstructorError, even with --dry-run."""
    _, dry, adopt, *_ = product
    assert dry.returncode == 0 and "internal error" not in dry.stderr, dry.stderr
    assert "INHERIT: mkdocs.yml" in dry.stdout
    assert adopt.returncode == 0, adopt.stderr


def test_product_site_validates_and_builds_both_audiences_unedited(product):
    root, _, adopt, code, data, builds, public, internal = product
    assert code == 0, data
    for audience, proc in builds.items():
        assert proc.returncode == 0, (audience, proc.stderr)
        assert "internal error" not in proc.stderr
    # it is deployed to everyone today (netlify.toml): its pages are public, and adopt says why
    assert "audience: public, as the team publishes it today (netlify.toml" in adopt.stdout
    assert (public / "setup" / "install" / "index.html").is_file()


def test_snippets_auto_append_is_applied_once_by_kbgen(product):
    """pymdownx.snippets' auto_append (docs/glossary.md, relative to where
    MkDocs runs) was an internal SnippetMissingError in the build."""
    public = product[6]
    page = (public / "api" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<abbr title="Application Programming Interface">API</abbr>', page)
    staged = product[0].parent / "staged"
    run_kbgen("stage", product[0], "--audience", "public", "--out", staged, check=True)
    from kbgen.read.configfile import read_config_file
    exts = read_config_file(staged / "mkdocs.yml").data["markdown_extensions"]
    snippets = next(e["pymdownx.snippets"] for e in exts if isinstance(e, dict) and "pymdownx.snippets" in e)
    assert snippets["auto_append"] == []  # kbgen appended the glossary to every page it read


def test_false_errors_of_product_sites_are_gone(product):
    """E-mail autolinks, GitHub-style anchors for a repeated heading, browser and
    app addresses, masked and local development passwords: no error."""
    root, _, _, code, data, *_ = product
    problems = data["problems"]
    assert not [p for p in problems if p["severity"] == "error"], problems
    # browser/app addresses: a warning that says what happens, never KB513's error
    tls = [p for p in problems if p["file"] == "docs/api/tls.md"]
    assert [(p["code"], p["severity"]) for p in tls] == [("KB513", "warning")] * 3
    assert "'about:config' is a browser's or an app's own address" in tls[0]["message"]
    # no Python-Markdown markers anywhere, no secret found in masked or local credentials
    assert not any("\x02" in p["message"] or "amp#" in p["message"] for p in problems)
    assert not any(p["code"] == "KB510" for p in problems + data["known"])
    # `link:https://...` is a broken link (known: it was there before adoption), and says what to write
    known = [p for p in data["known"] if p["code"] == "KB308"]
    assert [p["message"] for p in known] == ["'link:' is not a URL scheme: 'link:https://certs.example.org/guide' "
                                             "goes nowhere"]
    assert known[0]["hint"] == "write the address alone: https://certs.example.org/guide"


def test_github_style_anchor_is_mapped_to_the_sites_anchor(product):
    page = (product[6] / "setup" / "install" / "index.html").read_text(encoding="utf-8")
    assert 'href="#requirements_1"' in page and 'id="requirements_1"' in page
    assert 'href="#requirements-1"' not in page


def test_titles_come_from_the_nav_then_the_first_heading(product):
    ents = entities(product[6])
    titles = {e["source"]: e["title"] for e in ents.values()}
    assert titles["docs/setup/upgrade_notes.md"] == "Upgrading"  # nav title, no H1
    assert titles["docs/guides/misc/allow_deny.md"] == "Allowlist and denylist editing"
    assert titles["docs/api/tls.md"] == "TLS and certificates"


# --- an MkDocs handbook with a theme from a git URL, nothing marked public ---------------

@pytest.fixture(scope="module")
def handbook(tmp_path_factory):
    root = copy_fixture("incident-handbook", tmp_path_factory.mktemp("handbook"))
    adopt = run_kbgen("adopt", root)
    internal = root.parent / "internal"
    builds = {"internal": run_kbgen("build", root, "--audience", "internal", "--site-dir", internal, "-q"),
              "public": run_kbgen("build", root, "--site-dir", root.parent / "public", "-q")}
    return root, adopt, builds, internal


def test_a_theme_that_is_not_installed_is_reported_and_material_builds(handbook):
    root, adopt, builds, internal = handbook
    assert "the theme 'acme-handbook' is not installed here" in adopt.stdout
    assert builds["internal"].returncode == 0, builds["internal"].stderr
    from kbgen.read.configfile import read_config_file
    assert read_config_file(root / "kbgen.yml").data["theme"]["name"] == "material"
    assert "assets/stylesheets" in (internal / "index.html").read_text(encoding="utf-8")  # Material's


def test_an_unmarked_repository_stays_internal_and_says_how_to_publish(handbook):
    """Was: an empty public site, exit 0, nothing said."""
    root, adopt, builds, internal = handbook
    assert "Audience: 0 of 6 pages public" in adopt.stdout
    assert "`default_audience: public` under the kbgen plugin in kbgen.yml" in adopt.stdout
    public = builds["public"]
    assert public.returncode == 1
    assert "the public site would have no page: all 6 pages are internal" in public.stderr
    assert "default_audience: public" in public.stderr and "--audience internal" in public.stderr
    assert not (root.parent / "public").exists()


def test_no_internal_banner_when_every_page_is_internal(handbook):
    page = (handbook[3] / "oncall" / "whos_oncall" / "index.html").read_text(encoding="utf-8")
    assert "For support staff only" not in page


def test_handbook_titles_are_the_navs_not_file_stems(handbook):
    titles = {e["source"]: e["title"] for e in entities(handbook[3]).values()}
    assert titles["docs/oncall/whos_oncall.md"] == "Who's On-Call?"
    assert titles["docs/index.md"] == "Home"
    assert not any("_" in t for t in titles.values())


def test_templates_postmortems_and_tutorials_are_not_runbooks(handbook):
    out = handbook[1].stdout
    assert ("not runbooks, though their headings look like one: 2 (docs/after/postmortem_process.md: a postmortem "
            "or review; docs/after/postmortem_template.md: a template to copy)") in out
    assert "runbook_paths" not in (handbook[0] / "kbgen.yml").read_text(encoding="utf-8")
    types = {e["source"]: e["type"] for e in entities(handbook[3]).values()}
    assert set(types.values()) == {"article"}


def test_existing_problems_are_known_and_new_ones_fail(handbook, tmp_path):
    """The baseline: a broken anchor and an <iframe> the repository had are
    known (validate passes, the summary counts them); an edit elsewhere keeps
    them known; a new broken link fails; `kbgen baseline` makes it known;
    a secret is never known."""
    root = tmp_path / "hb"
    shutil.copytree(handbook[0], root)
    data = json.loads((root / ".kbgen-baseline.json").read_text(encoding="utf-8"))
    assert {(p["code"], p["file"]) for p in data["problems"]} == {
        ("KB309", "docs/after/postmortem_process.md"), ("KB517", "docs/training/incident_commander.md")}
    proc = run_kbgen("validate", root)
    assert proc.returncode == 0 and "2 known problems in the baseline" in proc.stdout
    # lines added above the known problems: still known (fingerprints, not line numbers)
    page = root / "docs" / "after" / "postmortem_process.md"
    page.write_text("A new first line.\n\n" + page.read_text(encoding="utf-8"), encoding="utf-8")
    assert run_kbgen("validate", root).returncode == 0
    # a new problem fails
    page.write_text(page.read_text(encoding="utf-8") + "\nSee [the old page](gone.md).\n", encoding="utf-8")
    proc = run_kbgen("validate", root)
    assert proc.returncode == 1 and "link target 'gone.md' does not exist" in proc.stdout
    assert run_kbgen("baseline", root).returncode == 0
    assert run_kbgen("validate", root).returncode == 0
    # a secret is never known
    page.write_text(page.read_text(encoding="utf-8") + "\ntoken ghp_" + "a1" * 20 + "\n", encoding="utf-8")
    out = run_kbgen("baseline", root).stdout
    assert "1 problem that guard readers" in out
    assert run_kbgen("validate", root).returncode == 1


# --- a Hugo runbook site with its config, archetypes and layouts --------------------------

@pytest.fixture(scope="module")
def hugo_runbooks(tmp_path_factory):
    root = copy_fixture("hugo-runbooks", tmp_path_factory.mktemp("hugo"))
    adopt = run_kbgen("adopt", root)
    site = root.parent / "site"
    build = run_kbgen("build", root, "--audience", "internal", "--site-dir", site, "-q")
    return root, adopt, build, site


def test_hugo_own_folders_are_not_content(hugo_runbooks):
    """archetypes/default.md (a page template full of {{ .Name }}) made adopt
    read the whole repository, and then it was content."""
    root, adopt, build, site = hugo_runbooks
    assert "pages: content/" in adopt.stdout and "content_dir" not in (root / "mkdocs.yml").read_text()
    code, data = validate_json(root)
    assert code == 0 and data["problems"] == [] and data["known"] == []
    assert build.returncode == 0, build.stderr
    assert not (site / "archetypes").exists()


def test_hugo_sections_deeper_than_level_two_count(hugo_runbooks):
    """NodeNotReady writes its sections as ### under a ## Alert: no KB220."""
    assert "required sections: Meaning, Impact, Diagnosis, Mitigation" in hugo_runbooks[1].stdout
    assert "runbooks lack" not in hugo_runbooks[1].stdout


def test_hugo_site_addresses_without_md_resolve(hugo_runbooks):
    """`/docs/add-runbook` and Hugo's lower-cased `/runbooks/node/nodenotready`."""
    site = hugo_runbooks[3]
    page = (site / "runbooks" / "kubernetes" / "KubePodCrashLooping" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="\.\./\.\./node/NodeNotReady/"', page), page[page.find("node not ready") - 200:][:300]


def test_hugo_shortcodes_are_read(hugo_runbooks):
    page = (hugo_runbooks[3] / "docs" / "add-runbook" / "index.html").read_text(encoding="utf-8")
    assert "{{%" not in page and "hint" not in re.sub(r"<[^>]+>", "", page).split("Adding a runbook", 2)[-1][:200]
    assert re.search(r'<div class="admonition info">\s*<p>Name the file after the alert', page)


# --- one-finding-per-file runbooks with bold labels -----------------------------------------

def test_bold_label_runbooks_are_runbooks(tmp_path):
    root = copy_fixture("alert-folders", tmp_path)
    out = run_kbgen("adopt", root, check=True).stdout
    assert "runbooks: alerts/**/*.md (3 files: 1 with runbook sections as headings, 2 with them as bold labels" in out
    assert "troubleshooting-tutorial.md: a tutorial, guide or process" in out
    code, data = validate_json(root)
    assert code == 0 and data["problems"] == [] and data["known"] == []  # no KB220 for bold-label sections
    site = tmp_path / "site"
    run_kbgen("build", root, "--audience", "internal", "--site-dir", site, "-q", check=True)
    types = {e["source"]: e["type"] for e in entities(site).values()}
    assert types["alerts/cluster-monitoring-operator/TargetDown.md"] == "runbook"
    assert types["alerts/machine-config-operator/troubleshooting-tutorial.md"] == "article"
    hit = json.loads(run_kbgen("search", "--root", root, "TargetDown", "--json", "--audience", "internal",
                               check=True).stdout)["results"][0]
    assert hit["id"] == "targetdown"


# --- names: ids for any file name, folder listings, languages -------------------------------

def _plain_repo(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_ids_are_distinct_for_any_file_name(tmp_path):
    root = _plain_repo(tmp_path / "kb", {
        "docs/목록 뷰.md": "# 목록 뷰\n\n목록을 보는 방법.\n",
        "docs/設定.md": "# 設定\n\n設定の方法。\n",
        "docs/release/v1.1.0.md": "# Release 1.1.0\n\nNotes.\n",
        "docs/release/v1.10.md": "# Release 1.10\n\nNotes.\n",
        "docs/google_cloud_storage/setup.md": "# GCS setup\n\nx\n",
        "docs/google-cloud-storage/setup.md": "# GCS setup again\n\ny\n",
    })
    run_kbgen("adopt", root, check=True)
    code, data = validate_json(root)
    assert code == 0 and data["problems"] == [], data
    site = tmp_path / "site"
    run_kbgen("build", root, "--audience", "internal", "--site-dir", site, "-q", check=True)
    ids = {e["source"]: e["id"] for e in entities(site).values()}
    assert ids["docs/목록 뷰.md"] == "목록-뷰" and ids["docs/設定.md"] == "設定"
    assert ids["docs/release/v1.1.0.md"] != ids["docs/release/v1.10.md"]
    assert ids["docs/google_cloud_storage/setup.md"] != ids["docs/google-cloud-storage/setup.md"]
    assert len(set(ids.values())) == len(ids)


def test_folder_listing_links_names_with_brackets_and_percent(tmp_path):
    """kbgen's own listing of a Hugo section linked `<a > b.md>`: KB308 at
    lines that do not exist, and 404s in the site."""
    names = ["a > b.md", "Restart (safe).md", "100% disk.md", "plain.md"]
    files = {"hugo.toml": 'baseURL = "https://x.example/"\ntitle = "X"\n',
             "content/_index.md": "---\ntitle: Home\n---\n\n# Home\n\nWelcome.\n",
             "content/ops/_index.md": "---\ntitle: Operations\n---\n"}
    files.update({f"content/ops/{n}": f"# {n[:-3]}\n\nText.\n" for n in names})
    root = _plain_repo(tmp_path / "kb", files)
    run_kbgen("adopt", root, check=True)
    code, data = validate_json(root)
    assert code == 0 and data["problems"] == [] and data["known"] == [], data
    site = tmp_path / "site"
    run_kbgen("build", root, "--audience", "internal", "--site-dir", site, "-q", check=True)
    listing = (site / "ops" / "index.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'<a href="([^"#]+)"[^>]*>(?:a &gt; b|Restart \(safe\)|100% disk|plain)</a>', listing)
    assert len(hrefs) == 4, listing
    from urllib.parse import unquote
    for href in hrefs:
        assert (site / "ops" / unquote(href) / "index.html").is_file(), href


def test_languages_are_detected_and_kept_apart(tmp_path):
    files = {}
    for lang, word in (("en", "Reset your password"), ("fr", "Réinitialiser le mot de passe"),
                       ("de", "Passwort zurücksetzen"), ("ko", "비밀번호 재설정")):
        files[f"docs/{lang}/index.md"] = f"# {word}\n\nText.\n"
        files[f"docs/{lang}/account/password.md"] = f"# {word}\n\nSteps.\n"
    root = _plain_repo(tmp_path / "kb", files)
    out = run_kbgen("adopt", root, check=True).stdout
    assert "languages: 4 (de, en, fr, ko); published: en/ (2 pages), its own ids and search" in out
    assert "3 other languages (6 pages: de/, fr/, ko/) are not published" in out
    code, data = validate_json(root)
    assert code == 0 and data["problems"] == [], data  # no duplicate ids across languages
    site = tmp_path / "site"
    run_kbgen("build", root, "--audience", "internal", "--site-dir", site, "-q", check=True)
    assert {e["source"] for e in entities(site).values()} == {"docs/en/index.md", "docs/en/account/password.md"}


# --- one reader of mkdocs.yml; every failure located ---------------------------------------

SITE = "site_name: Ops\ntheme:\n  name: material\n"


def test_missing_markdown_extension_is_a_located_config_error(tmp_path):
    root = _plain_repo(tmp_path / "kb", {
        "mkdocs.yml": SITE + "markdown_extensions:\n  - toc\n  - nosuch_ext.include:\n      base_path: docs\n",
        "docs/index.md": "# Ops\n\nx\n"})
    run_kbgen("adopt", root)
    for args in (("validate", root), ("build", root, "--site-dir", tmp_path / "s")):
        proc = run_kbgen(*args)
        assert proc.returncode == 2, proc.stderr
        assert "mkdocs.yml:6:5: the Markdown extension 'nosuch_ext.include' is not installed" in proc.stderr
        assert "internal error" not in proc.stderr


def test_an_extension_failing_on_a_page_is_located(tmp_path):
    ext = tmp_path / "ext"
    ext.mkdir()
    (ext / "boom_ext.py").write_text(
        "from markdown.extensions import Extension\nfrom markdown.preprocessors import Preprocessor\n"
        "class P(Preprocessor):\n    def run(self, lines):\n"
        "        if any('BOOM' in line for line in lines):\n            raise ValueError('cannot read BOOM here')\n"
        "        return lines\n"
        "class BoomExtension(Extension):\n    def extendMarkdown(self, md):\n"
        "        md.preprocessors.register(P(md), 'boom', 30)\n"
        "def makeExtension(**kw):\n    return BoomExtension(**kw)\n")
    root = _plain_repo(tmp_path / "kb", {"mkdocs.yml": SITE + "markdown_extensions:\n  - boom_ext\n",
                                        "docs/index.md": "# Ops\n\nfine\n", "docs/bad.md": "# Bad\n\nBOOM\n"})
    env = {"PYTHONPATH": f"{ext}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    run_kbgen("adopt", root, "--no-baseline", env=env)
    proc = run_kbgen("validate", root, env=env)
    assert proc.returncode == 1 and "internal error" not in proc.stderr
    assert ("docs/bad.md:1:1: error KB520 a Markdown extension fails on this page: ValueError from boom_ext: "
            "cannot read BOOM here") in proc.stdout


def test_one_extension_changed_in_kbgen_yml_keeps_the_others(tmp_path):
    """INHERIT replaced the whole markdown_extensions list: changing toc's
    permalink in kbgen.yml dropped footnotes and abbr."""
    root = _plain_repo(tmp_path / "kb", {
        "mkdocs.yml": SITE + "markdown_extensions:\n  - toc:\n      permalink: true\n  - footnotes\n  - abbr\n",
        "docs/index.md": "# Ops\n\nA note.[^1]\n\n[^1]: The footnote.\n"})
    run_kbgen("adopt", root, check=True)
    kbgen_yml = root / "kbgen.yml"
    kbgen_yml.write_text(kbgen_yml.read_text(encoding="utf-8") + "markdown_extensions:\n  - toc:\n"
                         "      permalink: \"§\"\n", encoding="utf-8")
    assert run_kbgen("validate", root).returncode == 0
    staged = tmp_path / "staged"
    run_kbgen("stage", root, "--audience", "internal", "--out", staged, check=True)
    from kbgen.read.configfile import read_config_file
    exts = read_config_file(staged / "mkdocs.yml").data["markdown_extensions"]
    names = [next(iter(e)) if isinstance(e, dict) else e for e in exts]
    assert names[:3] == ["toc", "footnotes", "abbr"]
    assert exts[0]["toc"]["permalink"] == "§"


def test_footnote_like_target_too_long_for_a_file_name(tmp_path):
    """`[^1]: <300 characters>` read as a link target with footnotes off:
    "File name too long" stopped validate for the whole KB."""
    long = "notes_" + "a" * 300
    root = _plain_repo(tmp_path / "kb", {"mkdocs.yml": SITE,
                                        "docs/index.md": f"# Ops\n\nSee this.[^1]\n\n[^1]: {long}\n"})
    run_kbgen("adopt", root, "--no-baseline")
    proc = run_kbgen("validate", root)
    assert proc.returncode == 1, proc.stderr
    assert f"docs/index.md:5:1: error KB308 link target '{long}' does not exist" in proc.stdout


def test_adopt_writes_footnotes_for_repositories_without_mkdocs(tmp_path):
    root = _plain_repo(tmp_path / "kb", {"docs/index.md": "# Ops\n\nSee this.[^1]\n\n[^1]: " + "x" * 150 + "\n"})
    run_kbgen("adopt", root, check=True)
    assert validate_json(root) == (0, validate_json(root)[1]) and validate_json(root)[1]["problems"] == []


# --- a hostile repository (issue 22, items 8-10) ---------------------------------------------

def test_adopt_refuses_a_dangling_mkdocs_yml_link_out_of_the_repository(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    root = _plain_repo(tmp_path / "kb", {"docs/index.md": "# Ops\n\nx\n"})
    (root / "mkdocs.yml").symlink_to("../victim/x.yml")
    proc = run_kbgen("adopt", root)
    assert proc.returncode == 2 and "internal error" not in proc.stderr
    assert "mkdocs.yml is a symbolic link to ../victim/x.yml" in proc.stderr
    assert not (victim / "x.yml").exists() and list(victim.iterdir()) == []


def test_adopt_force_never_writes_through_a_kbgen_yml_link(tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("keep me\n")
    root = _plain_repo(tmp_path / "kb", {"mkdocs.yml": SITE, "docs/index.md": "# Ops\n\nx\n"})
    (root / "kbgen.yml").symlink_to("../victim/keep.txt")
    proc = run_kbgen("adopt", root, "--force")
    assert proc.returncode == 2 and "kbgen.yml is a symbolic link" in proc.stderr
    assert (victim / "keep.txt").read_text() == "keep me\n"


def test_adopt_never_reads_a_link_to_dev_zero(tmp_path):
    root = _plain_repo(tmp_path / "kb", {"mkdocs.yml": SITE, "docs/index.md": "# Ops\n\nx\n"})
    (root / "docs" / "Zero.md").symlink_to("/dev/zero")
    (root / "docs" / "Out.md").symlink_to(tmp_path / "elsewhere.md")
    (tmp_path / "elsewhere.md").write_text("# Secret\n\nnot ours\n")
    proc = subprocess.run([*__import__("kbfactory").KBGEN, "adopt", str(root)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "2 symbolic links that lead out of the repository or nowhere" in proc.stdout
    assert "not ours" not in proc.stdout
    code, data = validate_json(root)
    assert sorted(p["code"] for p in data["problems"]) == ["KB115", "KB115"]  # refused by validate too, never known
