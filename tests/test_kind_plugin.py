"""A kind added from outside kbgen: one module and one template, in a package
that is not under src/kbgen. The KB names it (plugin option `kinds`), or the
package declares it (entry point `kbgen.kinds`); either way it is validated,
rendered, linked to, indexed for search and exported like kbgen's own kinds."""
from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from kbfactory import run_kbgen

pytestmark = pytest.mark.slow

MODULE = '''\
"""A glossary: terms with definitions, each at its own anchor."""
from pathlib import Path
from typing import Literal

from kbgen.kinds import Kind, Part
from kbgen.plaintext import plain
from kbgen.schema.common import DataFile, Strict
from kbgen.source import slugify


class Term(Strict):
    term: str
    definition: str          # Markdown
    see: list[str] = []


class Glossary(DataFile):
    kind: Literal["glossary"]
    terms: list[Term]


class GlossaryKind(Kind):
    type = name = "glossary"
    model = Glossary
    template = "glossary.md.j2"
    template_dir = Path(__file__).parent / "templates"
    title = "Glossaries"
    label = "Glossary"
    order = 45
    search_weight = 0.9
    data_schema = {"required": ["terms"], "properties": {"terms": {"type": "array", "minItems": 1}}}
    markdown_fields = Kind.markdown_fields | {"definition"}

    def anchors(self, ent):
        return [slugify(t.term) for t in ent.obj.terms]

    def search_text(self, kb, ent, text):
        for t in ent.obj.terms:
            text.symptoms.append(t.term)
            text.body.append(plain(t.definition))

    def parts(self, kb, ent):
        return [Part(slugify(t.term), t.term, [t.term], [plain(t.definition)]) for t in ent.obj.terms]

    def sections(self, kb, ent):
        return [(slugify(t.term), t.term, plain(t.definition), []) for t in ent.obj.terms]


KIND = GlossaryKind()
'''

TEMPLATE = '''\
{% import "_macros.md.j2" as m %}
# {{ e.title|text }}

{{ m.badge(internal) }}
{% if e.summary %}
{{ e.summary|text }}
{% endif %}

{% for t in o.terms %}
## {{ t.term|text }} {{ anchor(slug(t.term)) }}

{{ t.definition|md }}

{% endfor %}
'''

GLOSSARY = """\
kind: glossary
id: terms
title: Support glossary
summary: Words support uses.
audience: public
terms:
  - term: Dead letter queue
    definition: Where messages go after **three** failed deliveries; see [the runbook](../../runbooks/public-rb.yaml).
  - term: Quorum loss
    definition: Fewer than half of the replicas answer; writes stop.
"""


def _package(tmp: Path, entry_point: bool) -> Path:
    """A package kbgen knows nothing about, in a folder put on PYTHONPATH."""
    ext = tmp / "ext"
    pkg = ext / "kbgen_glossary"
    (pkg / "templates").mkdir(parents=True)
    (pkg / "__init__.py").write_text(MODULE)
    (pkg / "templates" / "glossary.md.j2").write_text(TEMPLATE)
    if entry_point:  # what `pip install` of a package declaring the entry point leaves on sys.path
        dist = ext / "kbgen_glossary-0.1.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: kbgen-glossary\nVersion: 0.1\n")
        (dist / "entry_points.txt").write_text("[kbgen.kinds]\nglossary = kbgen_glossary:KIND\n")
    return ext


@pytest.fixture(params=["option", "entry-point"])
def glossary_kb(request, tmp_path, kb_factory):
    by_entry_point = request.param == "entry-point"
    ext = _package(tmp_path, by_entry_point)
    files = {
        "content/reference/glossary.yaml": GLOSSARY,
        "content/words.md": """\
            ---
            audience: public
            ---
            # Words

            A [dead letter queue](reference/glossary.yaml#dead-letter-queue) keeps failed messages.
            """,
    }
    kb = kb_factory(files, plugin_options=None if by_entry_point else {"kinds": ["kbgen_glossary"]})
    return kb, {"PYTHONPATH": str(ext)}


def test_added_kind_is_validated_rendered_indexed_and_exported(glossary_kb, tmp_path):
    kb, env = glossary_kb
    proc = run_kbgen("validate", kb, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr

    site = tmp_path / "site"
    run_kbgen("build", kb, "--audience", "public", "--site-dir", site, "-q", env=env, check=True)
    page = BeautifulSoup((site / "reference" / "glossary" / "index.html").read_text(), "html.parser")
    article = page.select_one("article")
    assert [h.get("id") for h in article.find_all("h2")] == ["dead-letter-queue", "quorum-loss"]
    assert article.find("strong").get_text() == "three"  # the definition is Markdown
    # its link to a source file points at the page that file became
    assert article.find("a", string="the runbook")["href"] == "../../runbooks/public-rb/"
    # a writer's link to a term's anchor resolves to it
    words = BeautifulSoup((site / "words" / "index.html").read_text(), "html.parser")
    assert words.find("a", string="dead letter queue")["href"] == "../reference/glossary/#dead-letter-queue"
    # listed where kinds are listed
    browse = BeautifulSoup((site / "browse" / "glossary" / "index.html").read_text(), "html.parser")
    assert "Support glossary" in [a.get_text() for a in browse.select("article a")]

    data = json.loads((site / "kb.json").read_text())
    ent = next(e for e in data["entities"] if e["id"] == "terms")
    assert ent["type"] == "glossary" and ent["url"] == "https://kb.test/reference/glossary/"
    assert [t["term"] for t in ent["data"]["terms"]] == ["Dead letter queue", "Quorum loss"]
    schema = json.loads((site / "kb.schema.json").read_text())
    assert "glossary" in schema["$defs"]["entity"]["properties"]["type"]["enum"]
    assert "## Glossaries" in (site / "llms.txt").read_text()

    found = run_kbgen("search", kb, "quorum loss", "--json", "--audience", "public", env=env)
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)["results"]
    assert hits[0]["url"].endswith("reference/glossary/#quorum-loss"), hits[:3]
    assert hits[0]["type"] == "glossary"

    export = run_kbgen("export", kb, "--format", "jsonl", env=env, check=True)
    records = [json.loads(line) for line in export.stdout.splitlines()]
    mine = [r for r in records if r["type"] == "glossary"]
    assert [(r["id"], r["anchor"]) for r in mine] == [("terms#dead-letter-queue", "dead-letter-queue"),
                                                      ("terms#quorum-loss", "quorum-loss")]
    assert mine[0]["text"].startswith("Where messages go after three failed deliveries")


def test_added_kind_works_through_mcp_and_kbgen_new(glossary_kb, tmp_path, monkeypatch):
    """Issue 23: the registry is the one list of kinds. The glossary is a type
    MCP's search and list accept and filter on, `get` answers, and a kind
    `kbgen new` writes (its required fields, placeholders to replace)."""
    from test_mcp import call, session
    kb, env = glossary_kb
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [env["PYTHONPATH"], os.environ.get("PYTHONPATH")]))}
    monkeypatch.setenv("PYTHONPATH", env["PYTHONPATH"])

    async def work(s):
        return {"search": await call(s, "search", query="quorum loss", type="glossary"),
                "list": await call(s, "list", type="glossary"),
                "get": await call(s, "get", id="terms"),
                "tools": {t.name: t.description for t in (await s.list_tools()).tools}}

    out = session("public", str(tmp_path / "idx"), work, root=kb)
    err, data = out["search"]
    assert not err, data
    assert data["results"][0]["id"] == "terms" and data["results"][0]["type"] == "glossary"
    assert data["results"][0]["url"] == "https://kb.test/reference/glossary/#quorum-loss"
    err, data = out["list"]
    assert not err and [e["id"] for e in data["entities"]] == ["terms"] and data["total"] == 1
    err, data = out["get"]
    assert not err and data["type"] == "glossary" and "## Quorum loss" in data["markdown"]
    assert "glossary" in out["tools"]["search"] and "glossary" in out["tools"]["list"]

    made = run_kbgen("new", kb, "glossary", "Billing words", env=env)
    assert made.returncode == 0, made.stderr
    rel = made.stdout.strip()
    assert rel == "content/billing-words.yaml"
    text = (kb / rel).read_text()
    assert "kind: glossary" in text and "$schema=../schemas/glossary.schema.json" in text
    assert (kb / "schemas" / "glossary.schema.json").is_file()
    proc = run_kbgen("validate", kb, "--format", "json", env=env)
    found = json.loads(proc.stdout)["problems"]
    assert proc.returncode == 0 and {(p["file"], p["code"]) for p in found} == {(rel, "KB212")}, found


def test_added_kind_reports_problems_at_their_place(glossary_kb):
    kb, env = glossary_kb
    bad = kb / "content" / "reference" / "glossary.yaml"
    bad.write_text(GLOSSARY.replace("  - term: Quorum loss\n", "  - term: Quorum loss\n    seee: [x]\n")
                   .replace("public-rb.yaml", "no-such-rb.yaml"))
    (kb / "content" / "words.md").write_text("# Words\n\n[x](reference/glossary.yaml#no-such-term)\n")
    proc = run_kbgen("validate", kb, env=env)
    assert proc.returncode == 1
    out = proc.stdout + proc.stderr
    assert "content/reference/glossary.yaml:10:5: error KB202 unknown field 'terms[1].seee'" in out, out
    assert "content/words.md:3:1: error KB309 anchor '#no-such-term' does not exist" in out, out
    # a link in its Markdown field, at the link's opening bracket
    assert "content/reference/glossary.yaml:8:74: error KB308 link target '../../runbooks/no-such-rb.yaml'" in out, out
    assert "Traceback" not in out


def test_a_kind_module_that_is_missing_is_a_config_error(tmp_path, kb_factory):
    kb = kb_factory({}, plugin_options={"kinds": ["no_such_kind_module"]})
    proc = run_kbgen("validate", kb)
    assert proc.returncode == 2
    assert "mkdocs.yml:" in proc.stderr and "no_such_kind_module" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_kind_lists_the_added_one(glossary_kb):
    kb, env = glossary_kb
    (kb / "content" / "reference" / "glossary.yaml").write_text(GLOSSARY.replace("kind: glossary", "kind: glosary"))
    proc = run_kbgen("validate", kb, env=env)
    assert proc.returncode == 1
    assert "unknown kind 'glosary'" in proc.stdout and "glossary" in proc.stdout.split("glosary'", 1)[1]


@pytest.fixture
def kb_factory(tmp_path):
    """A KB from the test base (tests/kbfactory.py) with extra plugin options."""
    from kbfactory import write_kb

    def make(files: dict, plugin_options: dict | None = None) -> Path:
        root = tmp_path / "kb"
        write_kb(root, {k: textwrap.dedent(v) for k, v in files.items()})
        if plugin_options:
            text = (root / "mkdocs.yml").read_text()
            extra = "".join(f"      {k}: {json.dumps(v)}\n" for k, v in plugin_options.items())
            text = text.replace("      default_audience: internal\n", "      default_audience: internal\n" + extra)
            assert extra in text
            (root / "mkdocs.yml").write_text(text)
        return root
    return make


def test_the_kind_api_is_one_import_and_the_old_paths_still_work():
    """docs/content-model-extensions.md imports everything from kbgen.kinds;
    installed kinds written against the earlier paths get the same objects."""
    import kbgen.kinds as api
    import kbgen.plaintext
    import kbgen.schema.common
    import kbgen.source
    assert (api.plain, api.slugify, api.DataFile, api.Strict) == (
        kbgen.plaintext.plain, kbgen.source.slugify, kbgen.schema.common.DataFile, kbgen.schema.common.Strict)
    assert {"Kind", "Part", "Listing", "plain", "slugify", "DataFile", "Strict"} <= set(api.__all__)
