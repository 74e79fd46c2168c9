"""The command line: `kbgen validate` and `kbgen schema` through it, exit
codes and plain messages, every command's help, and what every command says
in a folder that is not a knowledge base."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

import kbgen
from kbfactory import KBGEN, MKDOCS, ROOT, run_kbgen, write_kb
from kbgen.cli import main

TODAY = {"KBGEN_TODAY": "2026-06-01"}


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def test_clean_kb_exits_0(tmp_path):
    write_kb(tmp_path)
    result = run("validate", str(tmp_path), "--format", "text")
    assert result.exit_code == 0, result.output
    assert "All checks passed!" in result.output


def test_problems_exit_1_with_compiler_style_lines(tmp_path):
    write_kb(tmp_path, {"runbooks/rb.yaml": "kind: runbook\nid: rb\nseverity: P9\nresolution: [a]\n"})
    result = run("validate", str(tmp_path), "--format", "text")
    assert result.exit_code == 1
    assert "runbooks/rb.yaml:3:11: error KB307 severity 'P9' is not a priority of any SLA" in result.output
    assert "  hint: priorities: P1, P2, P3" in result.output
    assert result.output.strip().endswith("Found 1 error in 1 file (7 files checked).")


def test_json_format_matches_the_spec(tmp_path):
    write_kb(tmp_path, {"runbooks/rb.yaml": "kind: runbook\nid: rb\nlast_reviewed: 2020-01-01\nresolution: [a]\n"})
    result = run("validate", str(tmp_path), "--format", "json")
    assert result.exit_code == 0  # a warning only
    data = json.loads(result.output)
    assert set(data) == {"problems", "summary", "known"}  # known: in the baseline (docs/adopting.md)
    assert data["summary"] == {"errors": 0, "warnings": 1, "files": 7, "known": 0}
    assert data["known"] == []
    (p,) = data["problems"]
    assert set(p) == {"file", "line", "column", "severity", "code", "message", "hint"}
    assert (p["file"], p["line"], p["column"], p["severity"], p["code"]) == ("runbooks/rb.yaml", 3, 16, "warning", "KB601")


def test_strict_fails_on_warnings_but_not_on_overdue_reviews(tmp_path):
    # a review date in the future (KB602) is a writer's mistake: --strict fails on it
    write_kb(tmp_path, {"runbooks/rb.yaml": "kind: runbook\nid: rb\nlast_reviewed: 2030-01-01\nresolution: [a]\n"})
    assert run("validate", str(tmp_path), "--strict").exit_code == 1
    # an overdue review (KB601) is time passing: reported, exit 0 even with --strict
    (tmp_path / "runbooks" / "rb.yaml").write_text("kind: runbook\nid: rb\nlast_reviewed: 2020-01-01\nresolution: [a]\n")
    result = run("validate", str(tmp_path), "--strict", "--format", "text")
    assert result.exit_code == 0, result.output
    assert "runbooks/rb.yaml:3:16: warning KB601 review overdue" in result.output
    assert "1 page review is overdue (KB601): reported, not failing" in result.output
    # teams that want it: --fail-on-overdue
    assert run("validate", str(tmp_path), "--fail-on-overdue").exit_code == 1
    assert run("validate", str(tmp_path), "--strict", "--fail-on-overdue").exit_code == 1
    # in GitHub Actions an overdue review is a notice on the file, not a failing warning
    gh = run("validate", str(tmp_path), "--format", "github", "--strict")
    assert gh.exit_code == 0
    assert "::notice file=runbooks/rb.yaml,line=3,col=16,title=KB601::review overdue" in gh.output


def test_today_option_moves_freshness(tmp_path):
    write_kb(tmp_path, {"runbooks/rb.yaml": "kind: runbook\nid: rb\nlast_reviewed: 2026-05-01\nresolution: [a]\n"})
    assert "KB601" not in run("validate", str(tmp_path)).output
    late = run("validate", str(tmp_path), "--today", "2027-06-01", "--format", "json")
    assert "KB601" in late.output and "due 2027-05-01" in late.output


def test_github_annotations(tmp_path):
    write_kb(tmp_path, {"runbooks/rb.yaml": "kind: runbook\nid: rb\nseverity: P9\nresolution: [a]\n"})
    result = run("validate", str(tmp_path), "--format", "github")
    assert "::error file=runbooks/rb.yaml,line=3,col=11,title=KB307::severity 'P9' is not a priority of any SLA" \
        "%0Ahint: priorities: P1, P2, P3" in result.output
    auto = run("validate", str(tmp_path), env={"GITHUB_ACTIONS": "true"})
    assert auto.output.startswith("::error ")


def test_config_error_exits_2_with_location(tmp_path):
    write_kb(tmp_path, mkdocs="site_name: x\nplugins:\n  - kbgen:\n      default_audiense: public\n")
    result = run("validate", str(tmp_path))
    assert result.exit_code == 2
    assert "mkdocs.yml:4:7: unknown kbgen option 'default_audiense'" in result.output


def test_missing_root_is_a_usage_error(tmp_path):
    result = run("validate", str(tmp_path / "nope"))
    assert result.exit_code == 2


def test_default_audience_fails_closed(tmp_path):
    write_kb(tmp_path, {"content/unmarked.md": "# Unmarked\n",
                        "content/index.md": "---\naudience: public\n---\n# Home\n\n[u](unmarked.md)\n"})
    result = run("validate", str(tmp_path), "--format", "json")
    codes = [p["code"] for p in json.loads(result.output)["problems"]]
    assert "KB501" in codes  # unmarked pages are internal: a public link to one is flagged


def test_schema_command_writes_valid_json_schemas(tmp_path):
    out = tmp_path / "schemas"
    result = run("schema", "--out", str(out))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    for kind in ("runbook", "error-codes", "sla", "tiers", "contacts", "templates", "faq", "alerts", "article"):
        assert f"{kind}.schema.json" in names
    schema = json.loads((out / "runbook.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    good = yaml.safe_load("kind: runbook\nid: x\ndiagnostics: [Check it, {title: Run, run: ls}]\n"
                          "escalation: {to: tier3, after: 30m}\n")
    assert list(validator.iter_errors(good)) == []
    bad = dict(good, diagnostics=[{"titel": "x"}], escalation={"to": "tier3", "after": "soon"})
    assert len(list(validator.iter_errors(bad))) >= 2


def test_every_example_yaml_file_matches_its_schema(tmp_path):
    """The exported schemas agree with the validator on the example KB."""
    from kbgen.outputs.schemas import kind_schema
    files = [p for d in ("content", "runbooks") for p in (ROOT / d).rglob("*.y*ml")]
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or "kind" not in data:
            continue
        validator = jsonschema.Draft202012Validator(kind_schema(data["kind"]),
                                                    format_checker=jsonschema.FormatChecker())
        data = json.loads(json.dumps(data, default=str))  # dates as the strings they were written as
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, f"{path}: {errors[:3]}"


def test_core_never_imports_mkdocs(tmp_path):
    write_kb(tmp_path)
    code = ("import sys, kbgen.validate, kbgen.model.audience, kbgen.cli\n"
            "import kbgen.commands.validate\n"
            f"kb, r = kbgen.validate.validate({str(tmp_path)!r})\n"
            "kbgen.model.audience.for_audience(kb, 'public')\n"
            "for optional in ('kbgen.pages.render', 'kbgen.outputs', 'kbgen.search.service', 'kbgen.outputs.review'):\n"
            "    try:\n        __import__(optional)\n    except ModuleNotFoundError:\n        pass\n"
            "bad = sorted(m for m in sys.modules if m == 'mkdocs' or m.startswith(('mkdocs.', 'material')))\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_version_matches_pyproject():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert kbgen.__version__ == meta["project"]["version"]
    assert run("--version").output.strip().endswith(kbgen.__version__)


def test_file_system_errors_are_plain_messages(tmp_path):
    write_kb(tmp_path)
    result = run("export", str(tmp_path), "--out", str(tmp_path / "missing" / "dir" / "kb.ndjson"))
    assert result.exit_code == 2
    assert "No such file or directory" in result.output and "internal error" not in result.output


@pytest.mark.parametrize("args", [["validate"], ["report"], ["export"], ["build"], ["serve"],
                                  ["search", "login"], ["new", "runbook", "Disk full"]])
def test_commands_in_a_folder_that_is_not_a_kb(tmp_path, args):
    proc = run_kbgen(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "is not a knowledge base" in proc.stderr or "no mkdocs.yml in" in proc.stderr
    assert "kbgen init" in proc.stderr  # says what to do
    assert "Traceback" not in proc.stderr and "All checks passed" not in proc.stdout
    assert list(tmp_path.iterdir()) == []  # no .kbgen/, no schemas/, no site/


def test_a_folder_with_content_but_no_mkdocs_yml_still_validates(tmp_path):
    write_kb(tmp_path, mkdocs=None)
    assert run_kbgen("validate", tmp_path, env=TODAY).returncode in (0, 1)  # checked, not refused
    assert "not a knowledge base" not in run_kbgen("validate", tmp_path, env=TODAY).stderr


def test_search_and_new_take_root_like_the_other_commands():
    for name in ("search", "new", "validate", "build", "report", "export", "serve"):
        usage = run_kbgen(name, "--help").stdout.split("\n", 1)[0]
        assert "[ROOT]" in usage, usage
    for name in ("search", "new"):
        assert "--root" not in run_kbgen(name, "--help").stdout  # a hidden alias only


def test_every_option_of_every_command_has_help_text():
    import click

    from kbgen.cli import main
    ctx = click.Context(main)
    missing = []
    for name in main.list_commands(ctx):
        cmd = main.get_command(ctx, name)
        assert cmd is not None, name
        assert cmd.help, name
        for param in cmd.params:
            if isinstance(param, click.Option) and not param.hidden and not param.help:
                missing.append(f"{name} {param.opts[-1]}")
    assert missing == []


def test_a_closed_pipe_stops_quietly():
    # `kbgen export | head -1`: the reader goes away early
    proc = subprocess.run(" ".join(KBGEN) + f" export {ROOT} --format jsonl | head -1", shell=True,
                          capture_output=True, text=True)
    assert proc.stdout.count("\n") == 1
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr


@pytest.mark.parametrize("command", ["build", "stage", "export", "search", "mcp", "serve"])
def test_every_command_is_for_the_public_unless_told(tmp_path, command):
    """Issue 24, item 9: one rule for the audience of every command: --audience,
    else the plugin option `audience`, else public (fail closed); a command
    whose answers the default narrows says so."""
    from test_serve import _free_port, _stop, _wait_for

    def _found(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return True
        except urllib.error.HTTPError:
            return False
    kb = write_kb(tmp_path / "kb")
    env = {"KBGEN_SEARCH_DIR": str(tmp_path / "idx")}

    def run(kb) -> tuple[set[str], str]:
        """(the internal and public runbook ids the command's output names, its stderr)."""
        names = {"internal-rb", "public-rb"}
        if command == "serve":
            port = _free_port()
            proc = subprocess.Popen([*KBGEN, "serve", str(kb), "-a", f"127.0.0.1:{port}"], env=dict(os.environ, **env),
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            try:
                assert _wait_for(f"http://127.0.0.1:{port}/runbooks/public-rb/", "Gateway timeouts")
                seen = {n for n in names if _found(f"http://127.0.0.1:{port}/runbooks/{n}/")}
            finally:
                out = _stop(proc)
            return seen, out
        args = {"build": ["--site-dir", tmp_path / "out", "--force"], "stage": ["--out", tmp_path / "out", "--force"],
                "search": ["internal procedure restart gateway timeouts", "--json"], "export": [], "mcp": []}[command]
        proc = run_kbgen(command, kb, *args, env=env)  # mcp: stdin is empty, so the server stops at once
        if command in ("build", "stage"):
            text = " ".join(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*"))
        else:
            text = proc.stdout + proc.stderr
        return {n for n in names if n in text}, proc.stderr

    seen, said = run(kb)
    assert seen == ({"public-rb"} if command != "mcp" else set()), (seen, said)
    assert command != "mcp" or "serving the public knowledge base" in said, said
    if command in ("search", "export", "mcp", "serve"):
        assert f"kbgen {command}: public content only (the default); --audience internal includes internal content" \
            in said, said
    (kb / "mkdocs.yml").write_text(MKDOCS.replace("      today:", "      audience: internal\n      today:"))
    seen, said = run(kb)
    assert "public content only" not in said
    if command != "mcp":
        assert seen == {"internal-rb", "public-rb"}, (seen, said)
    else:
        assert "serving the internal knowledge base" in said, said
