"""Bad input never crashes and never hangs: every case is a located problem."""
from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbfactory import write_kb
from kbgen.validate import validate
from kbgen.yamlload import MAX_DEPTH, load


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
    deep = "kind: faq\nid: x\nquestions: " + "[" * 5000 + "]" * 5000 + "\n"
    block = "kind: faq\nid: y\nq:\n" + "".join("  " * i + "- \n" for i in range(1, 300))
    write_kb(tmp_path, {"content/deep.yaml": deep, "content/deep2.yaml": block}, base=False)
    codes = _codes(tmp_path)
    assert ("content/deep.yaml", "KB105") in codes
    assert ("content/deep2.yaml", "KB105") in codes or ("content/deep2.yaml", "KB102") in codes


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
    assert result.data is None or isinstance(result.data, (dict, list, str, int, float, bool)) or result.data is not None
