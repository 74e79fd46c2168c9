"""Bad input never crashes and never hangs: every case is a located problem."""
from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbfactory import write_kb
from kbgen.read.yamlload import MAX_DEPTH, load
from kbgen.validate import validate


def _codes(root):
    _, report = validate(root)
    return {(p.file, p.code) for p in report.problems}


def test_alias_bomb_is_a_problem(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    write_kb(tmp_path, {"content/bomb.yaml": "\n".join(lines) + "\n"}, base=False)
    assert ("content/bomb.yaml", "KB105") in _codes(tmp_path)


def test_deep_nesting_is_a_problem(tmp_path):
    """KB105 whichever limit is met first: kbgen's own (64 levels, on the
    events) or the YAML library's (libyaml stops flow nesting at 1,000 levels
    itself from PyYAML 6.0.4 on, reading ahead of the events)."""
    deep = "kind: faq\nid: x\nquestions: " + "[" * 5000 + "]" * 5000 + "\n"
    flow = "kind: faq\nid: z\nquestions: " + "[" * 200 + "]" * 200 + "\n"
    block = "kind: faq\nid: y\nq:\n" + "".join("  " * i + "- \n" for i in range(1, 300))
    write_kb(tmp_path, {"content/deep.yaml": deep, "content/deep2.yaml": block, "content/deep3.yaml": flow}, base=False)
    codes = _codes(tmp_path)
    for name in ("deep", "deep2", "deep3"):
        assert (f"content/{name}.yaml", "KB105") in codes
        assert (f"content/{name}.yaml", "KB102") not in codes


def test_nesting_limit_is_generous():
    doc = "a: " + "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)
    assert load(doc).errors == []


def test_oversized_file_is_a_problem(tmp_path):
    big = "# Big\n\n" + ("word " * 250_000)
    write_kb(tmp_path, {"content/big.md": big})
    assert ("content/big.md", "KB109") in _codes(tmp_path)


def test_bom_and_crlf_are_fine(tmp_path):
    write_kb(tmp_path, {
        "content/win.yaml": "\ufeffkind: faq\r\nid: win\r\naudience: public\r\nquestions:\r\n  - {q: a, a: b}\r\n",
        "content/win-page.md": "\ufeff---\r\naudience: public\r\n---\r\n# Windows\r\n\r\n[home](index.md#home)\r\n",
    })
    _, report = validate(tmp_path)
    assert report.problems == []


def test_binary_and_empty_files(tmp_path):
    write_kb(tmp_path, {"content/bin.md": b"\x00\x01\x02PNG", "content/empty.md": "",
                        "content/empty.yaml": "", "content/null.yaml": "~\n"})
    codes = _codes(tmp_path)
    assert ("content/bin.md", "KB101") in codes
    assert ("content/empty.yaml", "KB106") in codes
    assert ("content/null.yaml", "KB104") in codes
    assert not any(f == "content/empty.md" for f, _ in codes)  # an empty article is allowed


yaml_chars = st.text(alphabet=string.printable + "\u00e9\u2603\t\x00\x07", max_size=300)
yamlish = st.lists(st.sampled_from(
    ["kind: runbook", "kind: faq", "kind: sla", "id: x", "id: [", "- a", "  - b", ": :", "&a [1]", "*a",
     "title: |", "  text", "'unclosed", '"esc\\q"', "{a: 1", "? x", "!!python/object:os.system", "%YAML 1.1",
     "---", "...", "codes:", "  - code: 1", "\t- tab", "priorities: [{id: P1}]", "targets: [{priority: P1}]"]),
    max_size=25).map("\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(yaml_chars, yamlish), st.sampled_from(["content/x.yaml", "runbooks/x.yaml", "content/x.md"]))
def test_garbage_never_raises(tmp_path_factory, text, rel):
    root = tmp_path_factory.mktemp("fuzz")
    body = text if not rel.endswith(".md") else "---\n" + text + "\n---\n# T\n" + text
    write_kb(root, {rel: body}, base=False)
    _, report = validate(root)  # must not raise
    for p in report.problems:
        assert p.line >= 1 and p.column >= 1 and p.code.startswith("KB") and p.message


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_loader_never_raises_on_bytes(data):
    text = data.decode("utf-8", errors="replace")
    result = load(text)
    # either a value with a position for every path, or errors that say where
    assert all(e.line >= 1 and e.column >= 1 and e.code.startswith("KB") for e in result.errors)
    if result.data is not None:
        assert () in result.pos
        for path in result.plain:  # text kept only for values that exist
            assert path in result.pos


def test_kind_that_is_not_a_name_is_located_not_an_internal_error(tmp_path):
    # issue 9, item 14: `kind: [faq]` gave "internal error: TypeError: unhashable type", exit 2
    from kbfactory import run_kbgen
    write_kb(tmp_path, {"content/a.yaml": "kind: [faq]\nid: a\n", "content/b.yaml": "id: b\nkind: {a: b}\n"})
    proc = run_kbgen("validate", tmp_path, "--format", "text", "--no-color")
    assert proc.returncode == 1 and "internal error" not in proc.stderr + proc.stdout
    assert "content/a.yaml:1:7: error KB107 'kind' is a list; it must be one kind name" in proc.stdout
    assert "content/b.yaml:2:7: error KB107 'kind' is a mapping; it must be one kind name" in proc.stdout


def test_ids_and_codes_longer_than_a_file_name_are_refused(tmp_path):
    # issue 9, item 16: they validated clean, then the build failed with "File name too long"
    from kbfactory import run_kbgen
    write_kb(tmp_path, {"runbooks/long.yaml": f"kind: runbook\nid: {'a' * 300}\nresolution: [x]\n",
                        "content/c.yaml": f"kind: error-codes\nid: c\ncodes:\n  - code: {'Q' * 400}\n    message: m\n"})
    proc = run_kbgen("validate", tmp_path, "--format", "text", "--no-color")
    assert proc.returncode == 1
    assert "runbooks/long.yaml:2:5: error KB219 'id' is 300 characters long; the limit is 100" in proc.stdout
    assert "content/c.yaml:4:11: error KB219 'codes[0].code' is 400 characters long; the limit is 100" in proc.stdout


def test_bare_yaml_1_1_values_never_crash_a_text_field(tmp_path):
    # every scalar PyYAML types, in every kind of text field: a located problem at most, never a crash
    values = ["on", "no", "~", "1:30", "0x1F", "1e3", ".inf", "2024-01-01", "2024-01-01 10:00:00", "0o17", "+1", "-"]
    for i, v in enumerate(values):
        write_kb(tmp_path / str(i), {"runbooks/rb.yaml": f"kind: runbook\nid: rb\ntitle: {v}\nseverity: {v}\n"
                                                         f"tags: [{v}]\nsymptoms: [{v}]\nresolution: [{v}]\n"})
        _, report = validate(tmp_path / str(i))
        assert all(p.file == "runbooks/rb.yaml" and p.line >= 3 for p in report.problems), report.sorted()
