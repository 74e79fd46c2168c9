"""The documentation keeps up with the code: every problem code documented,
the field reference generated and complete, its examples valid, README's
first screen, and no link outside the repository."""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from kbfactory import run_kbgen

ROOT = Path(__file__).resolve().parents[1]


def test_every_problem_code_is_documented():
    used = set()
    for path in (ROOT / "src" / "kbgen").rglob("*.py"):
        used |= set(re.findall(r'"(KB\d{3})"', path.read_text()))
    documented = set(re.findall(r"\| (KB\d{3}) \|", (ROOT / "docs" / "rules.md").read_text()))
    assert used - {"KB000"} <= documented, f"undocumented codes: {sorted(used - documented)}"
    assert documented <= used, f"documented but never raised: {sorted(documented - used)}"


def test_readme_first_screen_says_how_to_run_kbgen():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    setup = lines.index("## Set-up: two commands")
    first_screen = "\n".join(lines[: setup + 40])
    assert "source .venv/bin/activate" in first_screen
    assert ".venv/bin/kbgen" in first_screen
    assert "not published on PyPI" in first_screen


def test_readme_lists_every_command_and_every_doc_and_what_set_up_costs():
    """Issue 24, item 16: a newcomer finds every command (with --renderer), every
    document, how long the suite takes, and hears when pip starts."""
    from kbgen.cli import COMMANDS
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    usage = text.split("## Using kbgen", 1)[1].split("```", 2)[1]
    listed = {line.split()[1] for line in usage.splitlines() if line.startswith("kbgen ")}
    assert listed == set(COMMANDS), set(COMMANDS) ^ listed
    assert "--renderer mkdocs|properdocs|zensical" in usage
    docs = text.split("## Documentation", 1)[1].split("\n## ", 1)[0]
    for doc in sorted((ROOT / "docs").glob("*.md")):
        assert f"(docs/{doc.name})" in docs, doc.name
    assert re.search(r"about \d+ minutes on 2 cores", text)
    for script in ("build-example.sh", "install-test-deps.sh"):
        assert "pip; about half a minute" in (ROOT / "scripts" / script).read_text(), script


def test_docs_link_nothing_outside_the_repository():
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        assert "../shared" not in path.read_text(encoding="utf-8"), path.name
    for path in [ROOT / "README.md", *(ROOT / "docs" / n for n in ("writers.md", "ci.md", "fields.md"))]:
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)", text):
            if "://" in target or target.startswith("mailto:"):
                continue
            assert (path.parent / target).exists(), f"{path.name} links to missing {target}"


def _gen():
    spec = importlib.util.spec_from_file_location("gen_fields_doc", ROOT / "scripts" / "gen_fields_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fields_reference_is_up_to_date_and_complete():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_fields_doc.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    gen = _gen()
    assert gen.missing_notes() == []  # every field of every kind has a meaning
    text = (ROOT / "docs" / "fields.md").read_text()
    from kbgen.outputs.schemas import all_names, kind_schema
    for name in all_names():
        assert f"\n## {name}\n" in text
        section = text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]
        for field in kind_schema(name)["properties"]:
            assert f"| `{field}` |" in section, (name, field)
        assert "Example:" in section


def test_fields_reference_check_fails_when_stale(tmp_path):
    (tmp_path / "scripts").mkdir()
    (tmp_path / "docs").mkdir()
    shutil.copy(ROOT / "scripts" / "gen_fields_doc.py", tmp_path / "scripts")
    (tmp_path / "docs" / "fields.md").write_text("# Field reference\n\nold\n")
    proc = subprocess.run([sys.executable, str(tmp_path / "scripts" / "gen_fields_doc.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 1 and "out of date" in proc.stderr


def test_every_example_in_the_field_reference_validates(tmp_path):
    kb = tmp_path / "kb"
    run_kbgen("init", kb, "--no-git", "--package", "x", "--site-url", "https://kb.test/", check=True)
    gen = _gen()
    where = {"article": "content/reset-2fa.md", "runbook-markdown": "runbooks/disk-full.md",
             "runbook": "runbooks/payment-webhook-failures.yaml"}
    for kind, text in gen.EXAMPLES.items():
        path = kb / where.get(kind, f"content/{kind}.yaml")
        path.write_text(text, encoding="utf-8")
    proc = run_kbgen("validate", kb, "--strict", "--format", "json")
    assert proc.returncode == 0, proc.stdout
    assert json.loads(proc.stdout)["summary"]["files"] >= len(gen.EXAMPLES) + 3
