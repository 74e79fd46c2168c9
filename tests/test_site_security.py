"""YAML values are text: whatever a data file holds, it cannot inject markup
or links into a page. (The validator also rejects <script>, on*= handlers
and javascript: URLs; these values pass it and must still come out inert.)"""
from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

import kbgen
from kbfactory import MKDOCS, run_kbgen, site_texts, write_kb

HOSTILE = {
    "runbooks/evil.yaml": """\
        kind: runbook
        id: evil
        title: "<iframe src='https://evil.example/a'></iframe> Gateway"
        summary: "<img src='https://evil.example/b.png'> summary"
        audience: public
        symptoms:
          - "[click me](https://evil.example/c) and **bold** | pipe"
          - "<style>body {display: none}</style>"
        diagnostics:
          - title: "`code` <b>bold</b>"
            run: "echo '```' && echo '</code></pre><img src=x>'"
            expect: "<em>em</em>"
        """,
    "content/codes.yaml": """\
        kind: error-codes
        id: codes
        audience: public
        codes:
          - code: "X|1"
            message: "<img src='https://evil.example/d.png'> | broken table"
        """,
}


def test_yaml_values_are_escaped_in_html(tmp_path):
    kb = write_kb(tmp_path / "kb", HOSTILE)
    proc = run_kbgen("validate", kb)
    assert proc.returncode == 0, proc.stdout
    site = tmp_path / "site"
    run_kbgen("build", kb, "--site-dir", site, "-q", check=True)
    for page in ("runbooks/evil/index.html", "codes/index.html", "runbooks/index.html", "error-codes/index.html"):
        soup = BeautifulSoup((site / page).read_text(), "html.parser")
        article = soup.find("article")
        assert not article.find_all(["iframe", "style", "em", "b"]), page
        assert not [i for i in article.find_all("img") if "evil" in (i.get("src") or "") or i.get("src") == "x"], page
        assert not [a for a in article.find_all("a") if "evil.example" in (a.get("href") or "")], page
    text = (site / "runbooks/evil/index.html").read_text()
    assert "&lt;iframe" in text and "[click me](https://evil.example/c)" in BeautifulSoup(text, "html.parser").get_text()
    # the command is shown exactly, inside its code block
    code = BeautifulSoup(text, "html.parser").find("pre").get_text()
    assert "echo '```' && echo '</code></pre><img src=x>'" in code
    # a pipe in a value does not break the code table
    table = BeautifulSoup((site / "codes/index.html").read_text(), "html.parser").find("table")
    first_row = [td.get_text(strip=True) for td in table.find("tbody").find("tr").find_all("td")]
    assert first_row[0] == "X|1" and len(first_row) == 4


def test_symlinked_internal_article_is_not_published(tmp_path):
    """A Markdown file that is a symlink to a file outside content/ is still
    content: the core filters it by its audience, MkDocs' copy never ships."""
    kb = write_kb(tmp_path / "kb", {"private/secret.md": "---\naudience: internal\n---\n# SYMLINKED-SECRET\n\nbody\n"})
    (kb / "content" / "linked.md").symlink_to(Path("..") / "private" / "secret.md")
    public, internal = tmp_path / "public", tmp_path / "internal"
    run_kbgen("build", kb, "--audience", "public", "--site-dir", public, "-q", check=True)
    run_kbgen("build", kb, "--audience", "internal", "--site-dir", internal, "-q", check=True)
    assert not (public / "linked").exists()
    assert not [f for f, text in site_texts(public).items() if "SYMLINKED-SECRET" in text]
    assert "SYMLINKED-SECRET" in (internal / "linked" / "index.html").read_text()


def test_page_template_overrides_are_not_copied_into_the_site(tmp_path):
    mk = MKDOCS.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n")
    template = (Path(kbgen.__file__).parent / "templates" / "runbook.md.j2").read_text()
    kb = write_kb(tmp_path / "kb", {"overrides/kbgen/runbook.md.j2": template + "\nOVERRIDDEN-TEMPLATE\n",
                                    "overrides/main.html": '{% extends "base.html" %}\n'}, mkdocs=mk)
    site = tmp_path / "site"
    run_kbgen("build", kb, "--site-dir", site, "-q", check=True)
    assert "OVERRIDDEN-TEMPLATE" in (site / "runbooks" / "public-rb" / "index.html").read_text()
    assert not list(site.rglob("*.j2")) and not (site / "kbgen").exists()
