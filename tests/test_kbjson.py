"""kb.json and kb.schema.json: real builds validated with a real JSON Schema
validator, the spec's fields, audience filtering and determinism."""
from __future__ import annotations

import copy
import json

import jsonschema
import pytest

from kbfactory import MKDOCS, run_kbgen, write_kb
from kbgen.model.audience import for_audience
from kbgen.outputs import write_outputs
from kbgen.validate import validate

EXTRA = {
    # a public file whose references point at internal things: kb.json must not name them
    "content/ops/alerts.yaml": """\
        kind: alerts
        id: alerts
        title: Alerts
        audience: public
        alerts:
          - {name: GatewayDown, condition: up == 0, runbook: internal-rb}
          - {name: GatewaySlow, condition: latency > 1, runbook: public-rb, for: 5m}
        """,
    "content/help.md": """\
        ---
        audience: public
        last_reviewed: 2026-04-02
        tags: [help]
        products: [prod]
        ---
        # Getting help

        Intro text.

        ## Before you ask

        Check the [status page](index.md).
        """,
}


def validator(schema: dict) -> jsonschema.Draft202012Validator:
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    """A real `kbgen build --audience public` of a small KB."""
    root = write_kb(tmp_path_factory.mktemp("kbjson") / "kb", EXTRA)
    site = root.parent / "site"
    run_kbgen("build", root, "--audience", "public", "--site-dir", site, "-q", check=True)
    return site


def load(site):
    return json.loads((site / "kb.json").read_text()), json.loads((site / "kb.schema.json").read_text())


def test_fixture_build_validates_and_has_the_spec_fields(fixture_site):
    data, schema = load(fixture_site)
    assert not list(validator(schema).iter_errors(data))
    assert data["schema_version"] == 1 and data["audience"] == "public"
    assert data["generator"].startswith("kbgen ") and data["site"] == {
        "name": "Test KB", "url": "https://kb.test/", "description": None}
    for e in data["entities"]:
        assert {"id", "type", "title", "summary", "url", "path", "audience", "products", "tags",
                "last_reviewed", "data"} <= set(e)
    by_id = {e["id"]: e for e in data["entities"]}
    code = by_id["errors:QT-001"]
    assert code["type"] == "error-code" and code["url"] == "https://kb.test/reference/errors/#qt-001"
    assert code["path"] == "reference/errors/" and code["last_reviewed"] == "2026-05-01"
    assert code["data"]["code"] == "QT-001" and code["data"]["message"] == "Gateway timeout"
    assert code["data"]["runbook_url"] == "https://kb.test/runbooks/public-rb/"
    assert "runbook_url" not in by_id["errors:429"]["data"]  # no runbook for it
    rb = by_id["public-rb"]
    assert rb["path"] == "runbooks/public-rb/" and rb["products"] == ["prod"]
    assert rb["data"]["severity"] == "P2" and rb["data"]["error_codes"] == ["QT-001"]
    assert rb["data"]["diagnostics"][0] == {"title": "Check health", "run": "curl https://gw.example/health",
                                            "expect": "HTTP 200"}
    help_ = by_id["help"]
    assert help_["data"]["headings"] == ["Before you ask"] and help_["tags"] == ["help"]


def test_durations_also_in_seconds(fixture_site):
    data, _ = load(fixture_site)
    by_id = {e["id"]: e for e in data["entities"]}
    targets = by_id["sla"]["data"]["targets"]
    assert targets[0] == {"priority": "P1", "channel": "phone", "response": "15m", "response_seconds": 900,
                          "resolution": "4h", "resolution_seconds": 14400}
    assert targets[2]["resolution"] == "n/a" and targets[2]["resolution_seconds"] is None
    alert = by_id["alerts"]["data"]["alerts"][1]
    assert alert["for"] == "5m" and alert["for_seconds"] == 300


def test_public_kb_json_names_nothing_internal(fixture_site):
    data, _ = load(fixture_site)
    text = (fixture_site / "kb.json").read_text()
    assert all(e["audience"] == "public" for e in data["entities"])
    ids = {e["id"] for e in data["entities"]}
    assert "internal-rb" not in ids and "tiers" not in ids
    # not even as a reference: the internal runbook of an alert, the internal tier of an escalation
    assert "internal-rb" not in text and "tier2" not in text
    alerts = {a["name"]: a for a in {e["id"]: e for e in data["entities"]}["alerts"]["data"]["alerts"]}
    assert "runbook" not in alerts["GatewayDown"]
    assert alerts["GatewaySlow"]["runbook_url"] == "https://kb.test/runbooks/public-rb/"


def test_entities_in_source_order_and_output_is_deterministic(tmp_path):
    root = write_kb(tmp_path / "kb", EXTRA)
    kb, _ = validate(root)
    a = [p.read_bytes() for p in write_outputs(for_audience(kb, "internal"), tmp_path / "a")]
    kb2, _ = validate(root)
    b = [p.read_bytes() for p in write_outputs(for_audience(kb2, "internal"), tmp_path / "b")]
    assert a == b
    data = json.loads(a[0])
    ids = [e["id"] for e in data["entities"]]
    # a table's codes follow it; files in path order (content/ then runbooks/)
    assert ids.index("errors") + 1 == ids.index("errors:QT-001") and ids[-2:] == ["internal-rb", "public-rb"]
    assert list(data) == sorted(data) and list(data["entities"][0]) == sorted(data["entities"][0])
    assert {e["id"] for e in data["entities"]} >= {"internal-rb", "tiers"}  # internal view has everything


def test_related_to_invisible_ids_is_dropped_even_if_validation_was_skipped(tmp_path):
    files = {"content/page.md": "---\naudience: public\nrelated: [internal-rb, public-rb]\n---\n# Page\n"}
    root = write_kb(tmp_path / "kb", files)
    kb, report = validate(root)
    assert any(p.code == "KB502" for p in report.problems)  # the validator refuses it...
    write_outputs(for_audience(kb, "public"), tmp_path / "out")  # ...and kb.json never names it anyway
    page = next(e for e in json.loads((tmp_path / "out" / "kb.json").read_text())["entities"] if e["id"] == "page")
    assert page["data"]["related"] == ["public-rb"]


def test_relative_urls_without_site_url(tmp_path):
    root = write_kb(tmp_path / "kb", mkdocs=MKDOCS.replace("site_url: https://kb.test/\n", ""))
    kb, _ = validate(root)
    write_outputs(for_audience(kb, "public"), tmp_path / "out")
    data = json.loads((tmp_path / "out" / "kb.json").read_text())
    schema = json.loads((tmp_path / "out" / "kb.schema.json").read_text())
    assert not list(validator(schema).iter_errors(data))
    assert data["site"]["url"] is None
    code = {e["id"]: e for e in data["entities"]}["errors:QT-001"]
    assert code["url"] == "reference/errors/#qt-001" and code["data"]["runbook_url"] == "runbooks/public-rb/"


@pytest.mark.parametrize("breakage", [
    lambda d: d.pop("entities"),
    lambda d: d.update(audience="everyone"),
    lambda d: d.update(schema_version=2),
    lambda d: d["entities"][0].pop("path"),
    lambda d: d["entities"][0].update(type="blog-post"),
    lambda d: d["entities"][0].update(last_reviewed="01/05/2026"),
    lambda d: d["entities"][0].update(audience="staff"),
    lambda d: d["entities"][0].update(surprise=1),
    lambda d: next(e for e in d["entities"] if e["type"] == "error-code")["data"].pop("message"),
    lambda d: next(e for e in d["entities"] if e["type"] == "runbook")["data"].update(after_seconds="soon"),
    lambda d: next(e for e in d["entities"] if e["type"] == "error-table")["data"].pop("codes"),
])
def test_schema_rejects_broken_documents(fixture_site, breakage):
    data, schema = load(fixture_site)
    broken = copy.deepcopy(data)
    breakage(broken)
    assert list(validator(schema).iter_errors(broken))


def test_example_kb_json_validates_against_its_schema(example_public, example_internal):
    for site in (example_public, example_internal):
        data, schema = load(site)
        errors = list(validator(schema).iter_errors(data))
        assert not errors, errors[:3]


def test_example_kb_json_content(example_public, example_internal):
    pub, _ = load(example_public)
    intl, _ = load(example_internal)
    assert pub["site"]["url"] == "https://kb.example.com/"
    assert {e["type"] for e in intl["entities"]} == {
        "runbook", "article", "error-code", "error-table", "sla", "tiers", "contacts", "templates", "faq", "alerts"}
    by_id = {e["id"]: e for e in intl["entities"]}
    qt = by_id["mwrasp-error-codes:QT-001"]
    assert qt["data"]["code"] == "QT-001" and qt["data"]["message"] == "Quantum gateway timeout"
    assert qt["data"]["runbook_url"] == "https://kb.example.com/runbooks/quantum-gateway-unreachable/"
    assert qt["url"] == "https://kb.example.com/reference/mwrasp-error-codes/#qt-001"
    rb = by_id["quantum-gateway-unreachable"]
    assert rb["path"] == "runbooks/quantum-gateway-unreachable/"
    assert rb["data"]["escalation"] == {"to": "tier3", "after": "30m", "after_seconds": 1800,
                                        "when": ["Quantum algorithm issues", "Code-level investigation needed"]}
    sla = by_id["mwrasp-sla"]["data"]
    assert sla["targets"][0]["response_seconds"] == 900 and sla["targets"][0]["resolution_seconds"] == 14400
    # public: nothing internal, and a public code never names its internal runbook
    assert all(e["audience"] == "public" for e in pub["entities"])
    assert len(pub["entities"]) < len(intl["entities"])
    pub_qt = {e["id"]: e for e in pub["entities"]}["mwrasp-error-codes:QT-001"]
    assert "runbook" not in pub_qt["data"] and "runbook_url" not in pub_qt["data"]
    internal_ids = {e["id"] for e in intl["entities"] if e["audience"] == "internal"}
    text = (example_public / "kb.json").read_text()
    assert not [i for i in internal_ids if f'"{i}"' in text]
    # contacts: a public file's internal entries are gone
    assert '"audience": "internal"' not in text


# --- issue 10, item 9: kb.json validates for every KB that validates ---------------

def test_ids_from_file_names_with_underscores_validate(tmp_path):
    files = {"content/node_cpu.md": "---\naudience: public\n---\n# Node CPU\n",
             "runbooks/disk_full.md": "---\naudience: public\n---\n# Disk full\n\n## Symptoms\n\nx\n\n"
                                      "## Diagnosis\n\ny\n\n## Resolution\n\nz\n"}
    root = write_kb(tmp_path / "kb", files)
    kb, report = validate(root)
    assert report.errors == 0, report.sorted()
    for audience in ("public", "internal"):
        write_outputs(for_audience(kb, audience), tmp_path / audience)
        data = json.loads((tmp_path / audience / "kb.json").read_text())
        schema = json.loads((tmp_path / audience / "kb.schema.json").read_text())
        assert not list(validator(schema).iter_errors(data))
        assert {"node_cpu", "disk_full"} <= {e["id"] for e in data["entities"]}


def _generated_kb_cases():
    from hypothesis import strategies as st

    stem = st.text(alphabet="abcxyzXYZ0189_-", min_size=1, max_size=14)
    # identifier-like scalars written unquoted, as people write them
    code = st.one_of(st.sampled_from(["01000", "00000", "on", "no", "1:30", "1e3", "0x1F", "1.10", "404",
                                      "QT-001", "E_42", "2024-01-01"]),
                     st.from_regex(r"[A-Z]{1,3}-?[0-9]{1,4}", fullmatch=True))
    tag = st.one_of(st.sampled_from(["on", "1.10", "2fa", "404", "yes", "null-route"]),
                    st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True))
    text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
                   max_size=30).map(str.strip).filter(bool)
    audience = st.sampled_from(["public", "internal"])
    page = st.tuples(stem, text, st.lists(tag, max_size=3), audience)
    table = st.tuples(st.lists(code, min_size=1, max_size=6, unique_by=lambda c: c.lower()), audience)
    return st.tuples(st.lists(page, max_size=6, unique_by=lambda p: p[0].lower()),
                     st.lists(table, max_size=2), st.lists(stem, max_size=3, unique_by=str.lower))


def _quote(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def test_kb_json_validates_for_generated_kbs():
    import tempfile
    from pathlib import Path

    from hypothesis import HealthCheck, given, settings

    validated = []

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_generated_kb_cases())
    def check(case):
        pages, tables, runbooks = case
        files = {}
        for name, title, tags, aud in pages:
            files[f"content/pages/{name}.md"] = (f"---\ntitle: {_quote(title)}\naudience: {aud}\n"
                                                 f"tags: [{', '.join(tags)}]\n---\n# {title}\n\nBody.\n")
        for i, (codes, aud) in enumerate(tables):
            rows = "".join(f"  - code: {c}\n    message: {_quote('Message ' + str(n))}\n" for n, c in enumerate(codes))
            files[f"content/tables/t_{i}.yaml"] = f"kind: error-codes\nid: table-{i}\naudience: {aud}\ncodes:\n{rows}"
        for name in runbooks:
            files[f"runbooks/gen/{name}.md"] = ("---\naudience: internal\n---\n# R\n\n## Symptoms\n\na\n\n"
                                                "## Diagnosis\n\nb\n\n## Resolution\n\nc\n")
        with tempfile.TemporaryDirectory() as tmp:
            root = write_kb(Path(tmp) / "kb", files)
            kb, report = validate(root)
            if report.errors:
                return  # the invariant is about KBs that validate
            validated.append(1)
            for aud in ("public", "internal"):
                out = Path(tmp) / aud
                write_outputs(for_audience(kb, aud), out)
                data = json.loads((out / "kb.json").read_text())
                schema = json.loads((out / "kb.schema.json").read_text())
                errors = list(validator(schema).iter_errors(data))
                assert not errors, (errors[0].message, sorted(files))
                for codes, _ in tables:  # codes as written, whatever YAML 1.1 would make of them
                    assert all(c in {str(x) for e in data["entities"] if e["type"] == "error-table"
                                     for x in e["data"]["codes"]} for c in codes) or aud == "public"

    check()
    assert len(validated) >= 10, f"only {len(validated)} generated KBs validated: the generator is off"
