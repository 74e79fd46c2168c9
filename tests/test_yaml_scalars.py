"""Identifier-like YAML scalars are the text as written:
`code: 01000` is "01000", never the octal 512; `on`, `no`, `1:30`, `1e3`,
`0x1F` likewise in every text field. Where another YAML reader would read
such an unquoted value differently, a located KB111 warning says to quote it."""
from __future__ import annotations

import json

import pytest

from kbfactory import run_kbgen, write_kb
from kbgen.model.audience import for_audience
from kbgen.outputs import write_outputs
from kbgen.read.yamlload import load
from kbgen.validate import validate

CODES = """\
kind: error-codes
id: legacy
title: Legacy codes
audience: public
codes:
  - {code: 01000, message: Octal-looking}
  - {code: 00000, message: Zeros}
  - {code: 02000, message: Another}
  - {code: on, message: A YAML 1.1 boolean}
  - {code: 1:30, message: Sexagesimal}
  - {code: 1e3, message: A YAML 1.2 float}
  - {code: 0x1F, message: Hex}
  - {code: 404, message: Plain number, http_status: 404}
"""
WRITTEN = ["01000", "00000", "02000", "on", "1:30", "1e3", "0x1F", "404"]


def test_loader_keeps_the_text_of_every_reader_dependent_scalar():
    got = load("a: 01000\nb: 'quoted'\nc: [on, no, 1.10, plain, 1e3]\nd: 12\n")
    assert got.data["a"] == 512  # typed as YAML 1.1 types it (mkdocs.yml and other tools' files)...
    assert got.plain == {("a",): "01000", ("c", 0): "on", ("c", 1): "no", ("c", 2): "1.10",
                         ("c", 4): "1e3", ("d",): "12"}  # ...with the text kept for the schema


def test_codes_are_the_text_as_written_with_a_located_warning(tmp_path):
    write_kb(tmp_path, {"content/legacy.yaml": CODES})
    proc = run_kbgen("validate", tmp_path, "--format", "json")
    assert proc.returncode == 0, proc.stdout
    got = [(p["file"], p["line"], p["column"], p["code"], p["severity"])
           for p in json.loads(proc.stdout)["problems"]]
    # 404 reads the same everywhere: no warning; http_status stays a number
    assert got == [("content/legacy.yaml", line, 12, "KB111", "warning") for line in range(6, 13)]
    kb, _ = validate(tmp_path)
    assert [c.obj.code for c in kb.of_type("error-code") if c.parent == "legacy"] == WRITTEN
    write_outputs(for_audience(kb, "public"), tmp_path / "out")
    entities = {e["id"]: e for e in json.loads((tmp_path / "out" / "kb.json").read_text())["entities"]}
    assert entities["legacy"]["data"]["codes"] == WRITTEN
    assert entities["legacy:01000"]["data"]["doc_url"] == "https://kb.test/e/01000/"
    assert entities["legacy:404"]["data"]["http_status"] == 404


def test_quoted_twin_is_clean_and_reads_the_same(tmp_path):
    quoted = CODES
    for text in WRITTEN[:-1]:
        quoted = quoted.replace(f"{{code: {text},", f"{{code: \"{text}\",")
    write_kb(tmp_path, {"content/legacy.yaml": quoted})
    kb, report = validate(tmp_path)
    assert report.problems == []
    assert [c.obj.code for c in kb.of_type("error-code") if c.parent == "legacy"] == WRITTEN


@pytest.mark.parametrize("field,value,path", [
    ("severity: 1", "1", None),                    # a priority id
    ("aliases: [off]", "off", None),             # an alias
    ("tags: [1.10]", "1.10", None),              # a version as a tag
    ("error_codes: ['00000']", "00000", None),   # a reference to a code
])
def test_other_identifier_fields(tmp_path, field, value, path):
    sla = "kind: sla\nid: s\npriorities: [{id: '1', name: One}]\n"
    codes = "kind: error-codes\nid: z\ncodes: [{code: '00000', message: m}]\n"
    write_kb(tmp_path, {"runbooks/rb.yaml": f"kind: runbook\nid: rb\n{field}\nresolution: [a]\n",
                        "content/s.yaml": sla, "content/z.yaml": codes})
    kb, report = validate(tmp_path)
    assert [p for p in report.problems if p.severity.value == "error"] == []
    obj = kb.entities["rb"].obj
    name = field.split(":")[0]
    got = getattr(obj, name)
    assert (got if isinstance(got, str) else got[0]) == value


def test_durations_take_the_text_too(tmp_path):
    # `after: 1:30` is 90 in YAML 1.1; kbgen says what it really is: not a duration
    write_kb(tmp_path, {"runbooks/rb.yaml": "kind: runbook\nid: rb\nescalation: {to: tier2, after: 1:30}\n"
                                            "resolution: [a]\n"})
    _, report = validate(tmp_path)
    got = [(p.line, p.column, p.code) for p in report.sorted()]
    assert (3, 32, "KB207") in got and (3, 32, "KB111") in got
    assert "'1:30' is not a duration" in next(p.message for p in report.problems if p.code == "KB207")


def test_site_publishes_the_code_as_written(tmp_path):
    write_kb(tmp_path / "kb", {"content/legacy.yaml": CODES})
    site = tmp_path / "site"
    run_kbgen("build", tmp_path / "kb", "--audience", "public", "--site-dir", site, "-q", check=True)
    assert (site / "e" / "01000" / "index.html").is_file() and (site / "e" / "00000" / "index.html").is_file()
    assert not (site / "e" / "512").exists() and not (site / "e" / "0").exists()
    page = (site / "reference" / "legacy" / "index.html").read_text() if (site / "reference" / "legacy").exists() \
        else (site / "legacy" / "index.html").read_text()
    assert "01000" in page and ">512<" not in page


def test_any_unquoted_identifier_is_read_as_written():
    """Property: whatever an unquoted identifier looks like to YAML 1.1 or 1.2
    (number, boolean, date, sexagesimal, hex, octal, float), an error code
    written with it is exactly that text."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from kbgen.schema.kinds import ErrorCodes
    from kbgen.schema.scalars import as_written

    token = st.from_regex(r"[0-9A-Za-z][0-9A-Za-z:._+-]{0,11}", fullmatch=True) | st.sampled_from(
        ["01000", "00000", "on", "Off", "YES", "1:30", "1_000", "0x1F", "0o17", "0b101", "1e3", "1.10", ".5",
         "+1", "2024-01-01", "2024-01-01t10:00:00z", "true", "FALSE", "1.0", "190:20:30"])

    @settings(max_examples=300, deadline=None)
    @given(token)
    def check(tok):
        loaded = load(f"kind: error-codes\nid: t\ncodes:\n  - code: {tok}\n    message: m\n")
        row = loaded.data["codes"][0] if not loaded.errors else None
        if not isinstance(row, dict) or row.get("code") is None:
            return  # not a single plain scalar in YAML (e.g. 'null'): nothing to keep
        as_written(ErrorCodes, loaded)
        assert ErrorCodes.model_validate(loaded.data).codes[0].code == tok

    check()
