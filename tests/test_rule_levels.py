"""The rules registry, rule levels in the config (per rule, per family, per
folder) and inline kbgen-disable comments: each with a failing case at its
exact file:line:column and a passing twin."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from kbfactory import MKDOCS, ROOT, run_kbgen, write_kb
from kbgen.diagnostics.codes import RULES, glob_match
from kbgen.validate import validate

RB = "kind: runbook\nid: rb\ntitle: RB\n"
TODO_PAGE = "---\naudience: public\n---\n# A\n\nTODO: one\n\nTODO: two\n"


def problems(root):
    _, report = validate(root)
    return [(p.file, p.line, p.column, p.code, p.severity.value) for p in report.sorted()]


def with_options(extra: str) -> str:
    """MKDOCS with more kbgen plugin options (indented under `- kbgen:`)."""
    return MKDOCS.replace("      review_every: 365d\n", "      review_every: 365d\n" + extra)


# --- the registry --------------------------------------------------------------

def test_every_code_in_the_source_is_in_the_registry():
    used = set()
    for path in (ROOT / "src" / "kbgen").rglob("*.py"):
        used |= set(re.findall(r'"(KB\d{3})"', path.read_text(encoding="utf-8")))
    assert used, "the scan found no codes"
    assert not sorted(used - set(RULES)), f"codes missing from src/kbgen/registry.py: {sorted(used - set(RULES))}"
    for rule in RULES.values():
        assert rule.level in ("error", "warning") and rule.summary and rule.code == rule.code.strip()


def test_rules_doc_is_generated_from_the_registry():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_rules_doc.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (KB\d{3}) \| ([a-z ()]+) \|", doc, re.M))
    assert set(rows) == set(RULES)
    assert rows["KB601"] == "warning" and rows["KB102"] == "error (fixed)" and rows["KB303"] == "error"


@pytest.mark.parametrize("pattern,path,expected", [
    ("runbooks/legacy/**", "runbooks/legacy/a/b.md", True),
    ("runbooks/legacy/**", "runbooks/legacy-2/b.md", False),
    ("runbooks/legacy", "runbooks/legacy/b.md", True),
    ("runbooks/legacy/", "runbooks/legacy/b.md", True),
    ("content/*.md", "content/a.md", True),
    ("content/*.md", "content/sub/a.md", False),
    ("**/README.md", "content/x/README.md", True),
    ("**/README.md", "README.md", True),
    ("./content/a?.yaml", "content/ab.yaml", True),
])
def test_globs(pattern, path, expected):
    assert glob_match(pattern, path) is expected


# --- levels in the config --------------------------------------------------------

def test_rule_off_and_raised_levels(tmp_path):
    files = {"content/a.md": TODO_PAGE + "\n", "content/b.md": "---\nweight: 3\n---\n# B\n"}
    write_kb(tmp_path / "plain", files)
    before = problems(tmp_path / "plain")
    assert ("content/a.md", 6, 1, "KB514", "warning") in before
    assert ("content/b.md", 2, 1, "KB210", "warning") in before
    write_kb(tmp_path / "set", files, mkdocs=with_options("      rules: {KB514: off, KB210: error}\n"))
    after = problems(tmp_path / "set")
    assert not [p for p in after if p[3] == "KB514"]
    assert ("content/b.md", 2, 1, "KB210", "error") in after


def test_unquoted_off_means_off_and_a_family_can_be_set(tmp_path):
    files = {"content/a.md": TODO_PAGE,
             "runbooks/rb.yaml": RB + "last_reviewed: 2020-01-01\nresolution: [a]\n"}
    write_kb(tmp_path, files, mkdocs=with_options("      rules:\n        KB5xx: off\n        KB514: warning\n"
                                                  "        KB6xx: error\n"))
    got = problems(tmp_path)
    # a code beats its family: KB514 stays a warning although KB5xx is off
    assert ("content/a.md", 6, 1, "KB514", "warning") in got
    assert ("runbooks/rb.yaml", 4, 16, "KB601", "error") in got


def test_rule_overrides_by_folder(tmp_path):
    files = {"content/legacy/old.md": TODO_PAGE, "content/new.md": TODO_PAGE}
    write_kb(tmp_path, files, mkdocs=with_options(
        "      rule_overrides:\n        - {path: content/legacy/**, rules: {KB514: off}}\n"
        "        - {path: content/new.md, rules: {KB514: error}}\n"))
    got = problems(tmp_path)
    assert not [p for p in got if p[0] == "content/legacy/old.md"]
    assert ("content/new.md", 6, 1, "KB514", "error") in got and ("content/new.md", 8, 1, "KB514", "error") in got


def test_downgraded_error_lets_validate_pass(tmp_path):
    files = {"runbooks/rb.yaml": RB + "error_codes: [NOPE-1]\nresolution: [a]\n"}
    write_kb(tmp_path / "strict", files)
    proc = run_kbgen("validate", tmp_path / "strict", "--format", "json")
    assert proc.returncode == 1
    assert [(p["line"], p["column"], p["code"], p["severity"]) for p in json.loads(proc.stdout)["problems"]] == [
        (4, 15, "KB303", "error")]
    write_kb(tmp_path / "lenient", files, mkdocs=with_options("      rules: {KB303: warning}\n"))
    proc = run_kbgen("validate", tmp_path / "lenient", "--format", "json")
    assert proc.returncode == 0, proc.stdout
    assert [(p["code"], p["severity"]) for p in json.loads(proc.stdout)["problems"]] == [("KB303", "warning")]


@pytest.mark.parametrize("rules,message,column", [
    ("{KB999: off}", "unknown rule code 'KB999'", 15),
    ("{KB102: warning}", "the level of KB102 cannot be changed", 15),
    ("{KB514: sometimes}", "rules.KB514", 22),
])
def test_bad_rule_settings_are_config_errors(tmp_path, rules, message, column):
    write_kb(tmp_path, mkdocs=with_options(f"      rules: {rules}\n"))
    proc = run_kbgen("validate", tmp_path)
    assert proc.returncode == 2
    line = MKDOCS.count("\n", 0, MKDOCS.index("      review_every")) + 2
    assert f"mkdocs.yml:{line}:{column}: " in proc.stderr and message in proc.stderr, proc.stderr


# --- inline comments ------------------------------------------------------------

def test_markdown_file_and_line_comments(tmp_path):
    write_kb(tmp_path / "file", {"content/a.md": TODO_PAGE + "\n<!-- kbgen-disable KB514 -->\n"})
    assert not [p for p in problems(tmp_path / "file") if p[3] == "KB514"]
    page = "---\naudience: public\n---\n# A\n\n<!-- kbgen-disable-next-line KB514 -->\nTODO: one\n\nTODO: two\n"
    write_kb(tmp_path / "line", {"content/a.md": page})
    assert [p[:4] for p in problems(tmp_path / "line") if p[3] == "KB514"] == [("content/a.md", 9, 1, "KB514")]


def test_the_secret_example_in_backticks_can_be_silenced(tmp_path):
    # issue 11: a sentence naming the PEM header, a false positive that must not force a content edit
    page = ("# Keys\n\n<!-- kbgen-disable-next-line KB510 -->\n"
            "Never paste a block that starts with `-----BEGIN PRIVATE KEY-----` into a ticket.\n")
    bare = page.replace("<!-- kbgen-disable-next-line KB510 -->\n", "")
    write_kb(tmp_path / "bare", {"content/keys.md": bare})
    flagged = [p for p in problems(tmp_path / "bare") if p[3] == "KB510"]
    write_kb(tmp_path / "quiet", {"content/keys.md": page})
    assert not [p for p in problems(tmp_path / "quiet") if p[3] == "KB510"]
    if flagged:  # the safety rule may already know backticks; then there is nothing to silence
        assert flagged[0][:2] == ("content/keys.md", 3)


def test_yaml_comments(tmp_path):
    rb = (RB + "# kbgen-disable-next-line KB303\nerror_codes: [NOPE-1]\nrelated: [nope]  # kbgen-disable-line KB302\n"
          "resolution: [a]\n")
    write_kb(tmp_path / "quiet", {"runbooks/rb.yaml": rb})
    assert problems(tmp_path / "quiet") == []
    loud = rb.replace("# kbgen-disable-next-line KB303\n", "\n").replace("  # kbgen-disable-line KB302", "")
    write_kb(tmp_path / "loud", {"runbooks/rb.yaml": loud})
    assert [p[:4] for p in problems(tmp_path / "loud")] == [
        ("runbooks/rb.yaml", 5, 15, "KB303"), ("runbooks/rb.yaml", 6, 11, "KB302")]
    whole = "# kbgen-disable KB303, KB302\n" + loud
    write_kb(tmp_path / "whole", {"runbooks/rb.yaml": whole})
    assert problems(tmp_path / "whole") == []


def test_bad_comments_are_reported_and_fixed_codes_stay(tmp_path):
    files = {"content/a.md": "# A\n\n<!-- kbgen-disable KB9999 -->\n",
             "content/x.yaml": "# kbgen-disable KB102\nkind: faq\nid: x\nquestions: [unclosed\n"}
    write_kb(tmp_path, files)
    got = problems(tmp_path)
    assert ("content/a.md", 3, 1, "KB120", "warning") in got
    assert ("content/x.yaml", 1, 1, "KB120", "warning") in got
    assert ("content/x.yaml", 5, 1, "KB102", "error") in got  # a YAML syntax error cannot be silenced


def test_a_heading_is_not_a_comment(tmp_path):
    # in a Markdown body '#' starts a heading: only <!-- --> comments count there
    page = "---\naudience: public\n---\n# kbgen-disable KB514\n\nTODO: one\n"
    write_kb(tmp_path, {"content/a.md": page})
    assert ("content/a.md", 6, 1, "KB514", "warning") in problems(tmp_path)


def test_front_matter_comment_and_config_off_for_the_quote_warning(tmp_path):
    page = "---\ntitle: Home\ntags: [on]  # kbgen-disable-line KB111\n---\n# Home\n"
    write_kb(tmp_path / "comment", {"content/a.md": page})
    assert problems(tmp_path / "comment") == []
    write_kb(tmp_path / "bare", {"content/a.md": page.replace("  # kbgen-disable-line KB111", "")})
    assert [p[:4] for p in problems(tmp_path / "bare")] == [("content/a.md", 3, 8, "KB111")]
    write_kb(tmp_path / "config", {"content/a.md": page.replace("  # kbgen-disable-line KB111", "")},
             mkdocs=with_options("      rules: {KB111: off}\n"))
    assert problems(tmp_path / "config") == []


def test_a_directive_shown_in_code_is_not_a_directive(tmp_path):
    # a page that documents the syntax must not silence its own checks
    page = ("---\naudience: public\n---\n# How to silence a check\n\n```markdown\n<!-- kbgen-disable KB514 -->\n```\n\n"
            "Or inline: `<!-- kbgen-disable KB514 -->`.\n\nTODO: one\n")
    write_kb(tmp_path, {"content/a.md": page})
    assert ("content/a.md", 12, 1, "KB514", "warning") in problems(tmp_path)


def test_folder_levels_inside_rules(tmp_path):
    # the short form: a glob key in `rules` holds the levels for the files it matches
    files = {"content/legacy/old.md": TODO_PAGE, "content/new.md": TODO_PAGE}
    write_kb(tmp_path, files, mkdocs=with_options(
        "      rules:\n        KB514: error\n        content/legacy/**: {KB514: off}\n"))
    got = problems(tmp_path)
    assert not [p for p in got if p[0] == "content/legacy/old.md"]
    assert [p[:5] for p in got] == [("content/new.md", 6, 1, "KB514", "error"), ("content/new.md", 8, 1, "KB514", "error")]
    write_kb(tmp_path / "bad", mkdocs=with_options("      rules:\n        content/legacy/**: {KB998: off}\n"))
    proc = run_kbgen("validate", tmp_path / "bad")
    assert proc.returncode == 2 and "unknown rule code 'KB998'" in proc.stderr
