"""Issue 22, amplification (items 11-13): a small input that would expand
into a huge page or a long walk is a located problem, found in time linear
in the input. No timing is asserted: each input below made validation pass
clean (or never finish, 2,100 folders deep) before the limits. Also: files besides pages that are inert are
published as they are (the other side of item 1)."""
from __future__ import annotations

import json
import os
import subprocess

from kbfactory import MKDOCS, run_kbgen, write_kb

SNIPPETS = "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: ['.']\n"


def _errors(kb, code: str) -> list[dict]:
    proc = run_kbgen("validate", kb, "--format", "json")
    return [p for p in json.loads(proc.stdout)["problems"] if p["code"] == code and p["severity"] == "error"]


def test_alias_bomb_of_few_values_is_located(tmp_path):
    """Item 11: 1,500 aliases to one 10 KB string (a 25 KB file, 15 MB of page)."""
    big = "x" * 10_000
    lines = ["kind: runbook", "id: bomb", "title: Bomb", "audience: public", f'summary: &s "{big}"', "resolution:"]
    lines += ["  - *s"] * 1500
    kb = write_kb(tmp_path / "kb", {"runbooks/bomb.yaml": "\n".join(lines) + "\n"})
    found = _errors(kb, "KB105")
    assert found and found[0]["file"] == "runbooks/bomb.yaml" and found[0]["line"] > 6, found
    # nested anchors count what they hold, keys included
    nested = ["kind: faq", "id: nested", "audience: public", f"x0: &a0 {{k: \"{'y' * 2000}\"}}"]
    nested += [f"x{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    nested += ["questions: [{q: a, a: b}]"]
    kb2 = write_kb(tmp_path / "kb2", {"content/nested.yaml": "\n".join(nested) + "\n"})
    assert [p["file"] for p in _errors(kb2, "KB105")] == ["content/nested.yaml"]


def test_nested_includes_are_limited_by_what_a_page_expands_to(tmp_path):
    """Item 12: 1.9 KB of pages, each including the next 40 times, 4 deep."""
    files = {}
    for level in range(4):
        body = "".join(f'--8<-- "content/inc/l{level + 1}.md"\n\n' for _ in range(40))
        files[f"content/inc/l{level}.md"] = f"---\naudience: public\n---\n{body}"
    files["content/inc/l4.md"] = "---\naudience: public\n---\nleaf\n"
    files["content/index.md"] = '---\naudience: public\n---\n# Home\n\n--8<-- "content/inc/l0.md"\n'
    kb = write_kb(tmp_path / "kb", files, mkdocs=MKDOCS + SNIPPETS)
    found = [p for p in _errors(kb, "KB320") if "expands past" in p["message"]]
    assert any(p["file"] == "content/index.md" and p["line"] == 6 for p in found), found[:3]


def test_deep_folders_are_located_and_walked_once(tmp_path):
    """Item 13: 2,100 folders deep never finished (each folder resolved again per level)."""
    kb = write_kb(tmp_path / "kb")
    here = os.getcwd()
    os.chdir(kb / "content")
    try:
        for _ in range(2100):
            os.mkdir("d")
            os.chdir("d")
        with open("x.md", "w") as fh:
            fh.write("---\naudience: public\n---\n# Deep\n")
    finally:
        os.chdir(here)
    try:
        proc = run_kbgen("validate", kb, "--format", "json")
    finally:
        # pytest's own clean-up recurses per folder: 2,100 deep is past Python's stack
        subprocess.run(["rm", "-rf", str(kb / "content" / "d")], check=True)
    found = [p for p in json.loads(proc.stdout)["problems"] if p["code"] == "KB118"]
    assert len(found) == 1 and found[0]["file"] == "content/" + "/".join(["d"] * 33), found
    assert (found[0]["line"], found[0]["column"]) == (1, 1)


INERT_SVG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"\n'
    '     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" width="20" height="20">\n'
    '  <metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>\n'
    '  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>\n'
    '    <style>.a { fill: url(#g); }</style></defs>\n'
    '  <g inkscape:label="Layer 1"><rect class="a" width="10" height="10" style="fill:url(\'#g\')"/>\n'
    '  <use xlink:href="#g"/><image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>\n'
    '  <a href="https://example.com/"><text y="15">link</text></a></g>\n'
    '</svg>\n')


def test_inert_files_are_published_unchanged(tmp_path):
    """The other side of items 1-2: an editor's plain SVG, a script shown as
    text, data files and an image are published, byte for byte."""
    files = {"content/drawing.svg": INERT_SVG, "content/rotate.sh": "#!/bin/sh\necho rotate\n",
             "content/data.json": '{"a": 1}\n', "content/table.csv": "a,b\n1,2\n",
             "content/img.png": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
             "content/page.md": "---\naudience: public\n---\n# Files\n\n![d](drawing.svg) [s](rotate.sh) "
                                "[j](data.json) [c](table.csv) ![p](img.png)\n"}
    kb = write_kb(tmp_path / "kb", files)
    site = tmp_path / "site"
    proc = run_kbgen("build", kb, "--audience", "public", "--site-dir", site, "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in ("drawing.svg", "rotate.sh", "data.json", "table.csv", "img.png"):
        assert (site / name).read_bytes() == (kb / "content" / name).read_bytes(), name
