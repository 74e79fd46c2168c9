"""What validates is what renders, in every link form: kbgen reads Markdown
with Python-Markdown and the site's extensions, so it reports every link the
renderer would see, and nothing it would not.

Each case is a small KB written in the conventions of real repositories;
`kbgen validate` must report exactly the expected problems at their lines,
and when it is clean, `kbgen build --strict` must build with no warning."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kbfactory import MKDOCS, run_kbgen, write_kb

PUBLIC = "---\naudience: public\n---\n"


def problems(kb: Path) -> list[tuple[str, int, str]]:
    proc = run_kbgen("validate", kb, "--format", "json")
    assert "Traceback" not in proc.stderr, proc.stderr
    return [(p["file"], p["line"], p["code"]) for p in json.loads(proc.stdout)["problems"]]


def build_strict(kb: Path, audience: str = "public") -> Path:
    site = kb.parent / f"site-{audience}"
    proc = run_kbgen("build", kb, "--audience", audience, "--site-dir", site, "--strict")
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr, proc.stderr  # invariant (a): clean validate, no renderer warning
    return site


def page(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def _resolves(site: Path, url: str, href: str) -> bool:
    target = (site / url / href.split("#")[0]).resolve()
    return (target / "index.html").exists() if target.is_dir() else target.exists()


# (case id, files, expected problems as (file, line, code)); an empty list: clean and builds strict
CASES = [
    ("wrapped-link-text-broken", {"content/a.md": PUBLIC + "# A\n\nSee [the gateway\nrunbook](../runbooks/nope.yaml).\n"},
     [("content/a.md", 6, "KB308")]),
    ("wrapped-link-text-good", {"content/a.md": PUBLIC + "# A\n\nSee [the public\nrunbook](../runbooks/public-rb.yaml).\n"}, []),
    ("one-line-triple-backtick-span", {"content/a.md": PUBLIC + "# A\n\nRun ```kubectl get pods``` then [x](missing.md).\n"},
     [("content/a.md", 6, "KB308")]),
    ("reference-link-good", {"content/a.md": PUBLIC + "# A\n\nSee [the runbook][rb].\n\n[rb]: ../runbooks/public-rb.yaml\n"}, []),
    ("reference-link-broken", {"content/a.md": PUBLIC + "# A\n\nSee [the runbook][rb].\n\n[rb]: ../runbooks/nope.yaml\n"},
     [("content/a.md", 8, "KB308")]),
    ("link-in-code-span-is-text", {"content/a.md": PUBLIC + "# A\n\nWrite links as `[x](../runbooks/nope.yaml)`.\n"}, []),
    ("link-in-fence-is-text", {"content/a.md": PUBLIC + "# A\n\n```md\n[x](nope.md)\n```\n"}, []),
    ("underscore-heading-anchor", {"content/a.md": PUBLIC + "# A\n\n## node_cpu usage\n\n[x](#node_cpu-usage)\n"}, []),
    # written for GitHub's renderer: mapped to the site's anchor (test_github_anchor_is_mapped_to_the_site_anchor)
    ("github-style-duplicate-anchor", {"content/a.md": PUBLIC + "# A\n\n## Steps\n\n## Steps\n\n[second](#steps-1)\n"},
     []),
    ("site-style-duplicate-anchor", {"content/a.md": PUBLIC + "# A\n\n## Steps\n\n## Steps\n\n[second](#steps_1)\n"}, []),
    ("image-beside-runbook", {"runbooks/diagram-rb.md": PUBLIC + "# Diagram runbook\n\n## Symptoms\n\nx\n\n## Diagnosis\n\n"
                              "![flow](img/flow.png)\n\n## Resolution\n\ny\n", "runbooks/img/flow.png": "PNG"}, []),
    ("folder-link-with-index", {"content/guides/index.md": PUBLIC + "# Guides\n", "content/a.md": PUBLIC + "# A\n\n[g](guides/)\n"}, []),
    ("folder-link-without-index", {"content/guides/x.md": PUBLIC + "# X\n", "content/a.md": PUBLIC + "# A\n\n[g](guides/)\n"},
     [("content/a.md", 6, "KB308")]),
    ("raw-html-link-to-internal", {"content/a.md": PUBLIC + "# A\n\n<a href=\"../runbooks/internal-rb.yaml\">x</a>\n"},
     [("content/a.md", 6, "KB501")]),
    ("angle-link-to-internal", {"content/a.md": PUBLIC + "# A\n\n[x](<../runbooks/internal-rb.yaml >)\n"},
     [("content/a.md", 6, "KB501")]),
    ("wrapped-link-to-internal", {"content/a.md": PUBLIC + "# A\n\n[x\ny](../runbooks/internal-rb.yaml)\n"},
     [("content/a.md", 6, "KB501")]),
    ("javascript-reference-link", {"content/a.md": PUBLIC + "# A\n\n[x][j]\n\n[j]: javascript:alert(1)\n"},
     [("content/a.md", 8, "KB513")]),
    ("entity-encoded-javascript", {"content/a.md": PUBLIC + "# A\n\n<a href=\"&#106;avascript:alert(1)\">x</a>\n"},
     [("content/a.md", 6, "KB513")]),
    ("svg-onload", {"content/a.md": PUBLIC + "# A\n\n<svg/onload=alert(1)>\n"},
     [("content/a.md", 6, "KB512"), ("content/a.md", 6, "KB517")]),
    ("iframe-srcdoc", {"content/a.md": PUBLIC + "# A\n\n<iframe srcdoc=\"x\"></iframe>\n"}, [("content/a.md", 6, "KB517")]),
    ("allowed-html", {"content/a.md": PUBLIC + "# A\n\n<details><summary>More</summary>\n<p>text <kbd>Ctrl</kbd></p>\n</details>\n"}, []),
    ("markdown-field-javascript", {"content/f.yaml": "kind: faq\nid: f\naudience: public\nquestions:\n  - q: Why?\n"
                                   "    a: \"[x](javascript:alert(1))\"\n"}, [("content/f.yaml", 6, "KB513")]),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_validate_reports_what_renders(tmp_path, case):
    name, files, expected = case
    kb = write_kb(tmp_path / "kb", files)
    got = [p for p in problems(kb) if p[2] != "KB601"]
    assert sorted(set(got)) == sorted(set(expected)), f"{name}: {got}"
    if not expected:
        build_strict(kb)


def test_rendered_links_follow_the_reading(tmp_path):
    kb = write_kb(tmp_path / "kb", {
        "content/a.md": PUBLIC + "# A\n\nSee [the public\nrunbook](../runbooks/public-rb.yaml#diagnostics), "
        "[ref][rb], <a href=\"../runbooks/public-rb.yaml\">raw</a> and `[kept](../runbooks/public-rb.yaml)`.\n\n"
        "[rb]: ../runbooks/public-rb.yaml\n",
        "runbooks/diagram-rb.md": PUBLIC + "# Diagram runbook\n\n## Symptoms\n\nx\n\n## Diagnosis\n\n"
        "![flow](img/flow.png)\n\n## Resolution\n\ny\n",
        "runbooks/img/flow.png": "PNG"})
    site = build_strict(kb)
    article = page(site, "a").find("article")
    hrefs = [a["href"] for a in article.find_all("a", href=True) if "headerlink" not in (a.get("class") or [])]
    assert len(hrefs) == 3 and all(_resolves(site, "a", h) for h in hrefs), hrefs
    assert hrefs[0].endswith("#diagnostics")
    # a link written inside backticks is an example: shown as written, not rewritten
    assert article.find("code").get_text() == "[kept](../runbooks/public-rb.yaml)"
    img = page(site, "runbooks/diagram-rb").find("article").find("img")
    assert _resolves(site, "runbooks/diagram-rb", img["src"]), img["src"]


def test_github_anchor_is_mapped_to_the_site_anchor(tmp_path):
    """`#steps-1` is GitHub's anchor of the second "Steps": the page kbgen
    writes links to the site's own (`#steps_1`), from this page and another."""
    kb = write_kb(tmp_path / "kb", {"content/a.md": PUBLIC + "# A\n\n## Steps\n\n## Steps\n\n[second](#steps-1)\n",
                                    "content/b.md": PUBLIC + "# B\n\n[a's second steps](a.md#steps-1)\n"})
    assert run_kbgen("validate", kb).returncode == 0
    out = tmp_path / "staged"
    run_kbgen("stage", kb, "--audience", "public", "--out", out, check=True)
    assert "[second](#steps_1)" in (out / "docs" / "a.md").read_text()
    assert "(a.md#steps_1)" in (out / "docs" / "b.md").read_text()


MKDOCS_SNIPPETS = MKDOCS + "markdown_extensions:\n  - pymdownx.snippets\n"


def test_includes_are_expanded_and_checked(tmp_path):
    kb = write_kb(tmp_path / "kb", {
        "content/a.md": PUBLIC + "# A\n\n--8<-- \"snippets/public-part.md\"\n",
        # a part outside the docs folder is not a page; its front matter gives its audience.
        # Links in included text are read where they land, as the renderer reads them.
        "snippets/public-part.md": PUBLIC + "INCLUDED-PUBLIC-TEXT with [a link](../runbooks/public-rb.yaml)\n",
    }, mkdocs=MKDOCS_SNIPPETS)
    site = build_strict(kb)
    text = page(site, "a").find("article").get_text()
    assert "INCLUDED-PUBLIC-TEXT" in text and "audience" not in text  # the part's front matter is not included
    (kb / "content" / "b.md").write_text(PUBLIC + "# B\n\n--8<-- \"content/secret.md\"\n\n--8<-- \"../outside.md\"\n")
    (kb / "content" / "secret.md").write_text("---\naudience: internal\n---\n# S\n\nINTERNAL-MARKER\n")
    (tmp_path / "outside.md").write_text("OUTSIDE-MARKER\n")
    got = problems(kb)
    assert ("content/b.md", 6, "KB503") in got and ("content/b.md", 8, "KB320") in got, got


def test_public_runbook_naming_internal_only_code(tmp_path):
    kb = write_kb(tmp_path / "kb", {
        "content/internal-errors.yaml": "kind: error-codes\nid: ierr\naudience: internal\ncodes:\n"
                                        "  - {code: SECRET-9, message: Hidden}\n",
        "runbooks/pub.yaml": "kind: runbook\nid: pub\naudience: public\nerror_codes: [SECRET-9]\nresolution: [a]\n"})
    assert ("runbooks/pub.yaml", 4, "KB504") in problems(kb)


def test_bracket_floods_are_refused_quickly(tmp_path):
    flood = "[a](" * 60_000 + "\n"  # 240 KB in one paragraph: minutes in Python-Markdown
    kb = write_kb(tmp_path / "kb", {"content/flood.md": PUBLIC + "# Flood\n\n" + flood,
                                    "content/brackets.md": PUBLIC + "# B\n\n" + "[" * 100_000 + "\n"})
    start = time.perf_counter()
    got = problems(kb)
    took = time.perf_counter() - start
    assert ("content/flood.md", 6, "KB519") in got and ("content/brackets.md", 6, "KB519") in got, got
    assert took < 30, took  # generous: the point is that it returns, not how fast


def test_alert_named_twice_gets_unique_ids_and_a_warning(tmp_path):
    kb = write_kb(tmp_path / "kb", {"content/alerts.yaml": "kind: alerts\nid: al\naudience: public\nalerts:\n"
                                    "  - {name: HighLatency, condition: 'p99 > 1s', severity: P2}\n"
                                    "  - {name: HighLatency, condition: 'p99 > 5s', severity: P1}\n"})
    assert ("content/alerts.yaml", 6, "KB314") in problems(kb)
    site = kb.parent / "site"
    run_kbgen("build", kb, "--audience", "public", "--site-dir", site, "-q", check=True)
    html = page(site, "alerts")
    ids = [el["id"] for el in html.find_all(id=True)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert html.find(id="highlatency") and html.find(id="highlatency-2")
    table_links = [a["href"] for a in html.find("article").find("table", recursive=True).find_all("a")
                   if a["href"].startswith("#")]
    assert table_links[-2:] == ["#highlatency", "#highlatency-2"]


def test_cached_readings_follow_edits(tmp_path):
    """A second validate reuses the readings of the first (kbgen.markdown.cache),
    and an edit is read again."""
    kb = write_kb(tmp_path / "kb", {"content/a.md": PUBLIC + "# A\n\n[x](../runbooks/public-rb.yaml)\n"})
    env = {"KBGEN_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):
        assert run_kbgen("validate", kb, env=env).returncode == 0
    assert list((tmp_path / "cache" / "markdown").glob("*.json"))
    (kb / "content" / "a.md").write_text(PUBLIC + "# A\n\n[x](../runbooks/nope.yaml)\n")
    proc = run_kbgen("validate", kb, "--format", "json", env=env)
    assert [p["code"] for p in json.loads(proc.stdout)["problems"]] == ["KB308"]
    assert not list(kb.rglob("*.json"))  # nothing written into the KB


# --- invariant (b): what the renderer would report, validate reported first --------

PLAIN_MKDOCS = """\
site_name: Plain
docs_dir: content
theme: {name: material}
markdown_extensions: [attr_list, md_in_html, admonition, tables, toc, pymdownx.superfences, pymdownx.details]
validation:
  links: {not_found: warn, anchors: warn, unrecognized_links: warn}
"""

ARTICLES = {
    "content/index.md": PUBLIC + "# Home\n\n[guide](guide.md) and [ops](ops/index.md)\n",
    "content/guide.md": PUBLIC + "# Guide\n\n## Set_up steps\n\n## Steps\n\n## Steps\n\n"
    "[one](#set_up-steps) [two](#steps_1) [gh](#steps-1) [wrapped\ntext](missing-wrapped.md)\n\n"
    "Run ```x``` then [after](missing-after.md). `[code](not-checked.md)`\n\n"
    "[ref][r] ![img](missing.png)\n\n[r]: missing-ref.md\n",
    "content/ops/index.md": PUBLIC + "# Ops\n\n[back](../guide.md#steps) [bad](../guide.md#nope) "
    "<a href=\"../gone.md\">raw</a>\n\n!!! note\n    [in admonition](../absent.md)\n",
}


def _mkdocs_warnings(tmp_path) -> dict[str, list[str]]:
    """Plain MkDocs over the same Markdown: the link and anchor warnings it gives, by file."""
    import re
    import subprocess
    import sys
    plain = tmp_path / "plain"
    for rel, text in ARTICLES.items():
        (plain / rel).parent.mkdir(parents=True, exist_ok=True)
        (plain / rel).write_text(text)
    (plain / "mkdocs.yml").write_text(PLAIN_MKDOCS)
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(plain / "mkdocs.yml"), "-d",
                           str(tmp_path / "plain-site")], capture_output=True, text=True,
                          env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"})
    found: dict[str, list[str]] = {}
    for m in re.finditer(r"Doc file '([^']+)' contains (?:a link|an absolute link) '([^']+)'", proc.stderr):
        found.setdefault("content/" + m.group(1), []).append(m.group(2))
    return found


def test_every_link_mkdocs_reports_validate_reported_first(tmp_path):
    warned = _mkdocs_warnings(tmp_path)
    assert sum(len(v) for v in warned.values()) >= 6, warned  # the fixture does break links
    kb = write_kb(tmp_path / "kb", ARTICLES)
    reported: dict[str, list[tuple[int, str]]] = {}
    proc = run_kbgen("validate", kb, "--format", "json")
    for p in json.loads(proc.stdout)["problems"]:
        if p["code"] in ("KB308", "KB309"):
            reported.setdefault(p["file"], []).append((p["line"], p["message"]))
    for file, targets in warned.items():
        messages = " ".join(m for _, m in reported.get(file, []))
        for target in targets:
            if target == "#steps-1":
                continue  # GitHub's anchor: kbgen's page links to the site's (test_github_anchor_is_mapped_...)
            # validate names the target (an anchor by its '#...', a path as written)
            assert target.split("#")[-1] in messages or target in messages, (file, target, reported.get(file))
    # and nothing in code was taken for a link
    assert "not-checked.md" not in json.dumps(reported)


@pytest.mark.parametrize("unit", ["*_", "> ", "{: #x}\n# h\n"])
def test_markdown_that_would_stall_the_renderer_is_refused(tmp_path, unit):
    kb = write_kb(tmp_path / "kb", {"content/slow.md": PUBLIC + "# Slow\n\n" + unit * (300_000 // len(unit))})
    got = problems(kb)
    assert any(p[0] == "content/slow.md" and p[2] == "KB519" for p in got), got


def test_include_in_a_yaml_field_is_refused(tmp_path):
    kb = write_kb(tmp_path / "kb", {"content/f.yaml": "kind: faq\nid: f\naudience: public\nquestions:\n  - q: Why?\n"
                                    "    a: |\n      Because:\n      --8<-- \"content/secret.md\"\n"},
                  mkdocs=MKDOCS_SNIPPETS)
    got = problems(kb)
    assert ("content/f.yaml", 8, "KB320") in got, got
    proc = run_kbgen("build", kb, "--audience", "public", "--site-dir", tmp_path / "s")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and "internal error" not in proc.stderr


def test_attr_list_handlers_and_unclosed_tags_are_reported(tmp_path):
    kb = write_kb(tmp_path / "kb", {
        "content/a.md": PUBLIC + "# A\n\nA paragraph\n{: onclick=\"alert(1)\" }\n\n[x](https://ok.example/){: target=\"_blank\" }\n\n"
                                 "Text then <svg/onload=alert(1)\n"})  # an unclosed tag is text: inert, nothing to say
    got = problems(kb)
    assert got == [("content/a.md", 7, "KB512")], got  # target=_blank is allowed


def test_a_link_to_internal_content_loses_its_target_when_the_rule_is_off(tmp_path):
    """A team may turn KB501 off; the public page then keeps the words, never the link."""
    mk = MKDOCS.replace("      today:", "      rules: {KB501: off}\n      today:")
    kb = write_kb(tmp_path / "kb", {"content/a.md": PUBLIC + "# A\n\nSee [the internal\nprocedure](../runbooks/internal-rb.yaml) "
                                    "and ![diagram](../runbooks/internal-rb.yaml) now.\n"}, mkdocs=mk)
    site = build_strict(kb)
    article = page(site, "a").find("article")
    assert "See the internal procedure and now." in " ".join(article.get_text().split())
    assert not [a for a in article.find_all(["a", "img"]) if "internal" in (a.get("href") or a.get("src") or "")]
