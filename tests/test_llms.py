"""llms.txt (llmstxt.org): title, summary line, one section per type, one
link line per page of the build's audience, nothing else."""
from __future__ import annotations

import re

from kbfactory import MKDOCS, write_kb
from kbgen.model.audience import for_audience
from kbgen.outputs.llms import llms_txt
from kbgen.validate import validate

LINK = re.compile(r"^- \[[^\]\n]+\]\((\S+)\)(: \S.*)?$")


def llms(tmp_path, audience: str, mkdocs: str = MKDOCS) -> str:
    kb, _ = validate(write_kb(tmp_path / "kb", mkdocs=mkdocs))
    return llms_txt(for_audience(kb, audience))


def structure(text: str) -> dict[str, list[str]]:
    """Section title -> its link lines; asserts every line has its place."""
    lines = text.splitlines()
    assert lines[0].startswith("# ") and lines[1] == ""
    sections: dict[str, list[str]] = {}
    current = None
    for line in lines[2:]:
        if line.startswith("## "):
            current = line[3:]
            sections[current] = []
        elif current and line:
            assert LINK.match(line), line
            sections[current].append(line)
    return sections


def test_sections_and_lines(tmp_path):
    text = llms(tmp_path, "internal", MKDOCS.replace("site_name: Test KB\n",
                                                       "site_name: Test KB\nsite_description: Help for  Product.\n"))
    assert text.startswith("# Test KB\n\n> Help for Product.\n")
    sections = structure(text)
    assert list(sections) == ["Runbooks", "Error codes", "Articles", "Service levels", "Support tiers"]
    assert sections["Runbooks"] == ["- [Gateway timeouts](https://kb.test/runbooks/public-rb/): What to do about QT-001.",
                                    "- [Internal procedure](https://kb.test/runbooks/internal-rb/)"]
    assert sections["Error codes"] == ["- [Errors](https://kb.test/reference/errors/)"]
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_public_lists_only_public_pages(tmp_path):
    text = llms(tmp_path, "public")
    sections = structure(text)
    assert "Support tiers" not in sections
    assert "internal-rb" not in text and "Internal procedure" not in text
    assert "This is the public knowledge base" in text


def test_relative_links_without_site_url(tmp_path):
    text = llms(tmp_path, "public", MKDOCS.replace("site_url: https://kb.test/\n", ""))
    urls = [LINK.match(x).group(1) for lines in structure(text).values() for x in lines]
    assert "runbooks/public-rb/" in urls and "./" in urls and not [u for u in urls if u.startswith("http")]


def test_example_llms_txt(example_public):
    text = (example_public / "llms.txt").read_text()
    lines = text.splitlines()
    assert lines[0] == "# Support Knowledge Base" and lines[2].startswith("> ")
    sections = structure(text)
    assert {"Runbooks", "Error codes", "Service levels", "Articles", "FAQ"} <= set(sections)
    assert ("- [Two-factor authentication problems](https://kb.example.com/runbooks/anya-two-factor-authentication/):"
            in text)
    assert "quantum-gateway-unreachable" not in text and "Incident management overview" not in text
