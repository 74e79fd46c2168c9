"""`kbgen mcp`: the real server as a subprocess, driven over stdio by the
official SDK's own client, on the example KB."""
from __future__ import annotations

import json
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client

from kbfactory import ROOT, run_kbgen, write_kb

TOOLS = {"search", "get", "lookup_code", "runbook_for_alert", "list"}
RELEVANCE = Path(__file__).parent / "relevance"


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("mcp-index"))


def session(audience: str, index_dir: str, work, root: Path = ROOT):
    """Start `kbgen mcp ROOT --audience A` and run `work(session)` against it; its result is returned."""
    env = {"KBGEN_SEARCH_DIR": index_dir}
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    params = StdioServerParameters(command=sys.executable,
                                   args=["-m", "kbgen.cli", "mcp", str(root), "--audience", audience], env=env)

    async def main():
        with open(os.devnull, "w") as errlog:
            async with stdio_client(params, errlog=errlog) as (read, write):
                async with ClientSession(read, write) as s:
                    await s.initialize()
                    return await work(s)
    # a thread of its own: another test in this worker (Playwright's sync API) may hold a running event loop
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(anyio.run, main).result()


async def call(s, tool: str, **args) -> tuple[bool, dict | str]:
    """(is_error, the structured answer or the error text). Every answer is
    structuredContent (docs/agents.md), the same as its text."""
    res = await s.call_tool(tool, args)
    text = "".join(getattr(c, "text", "") for c in res.content)
    if res.is_error:
        return True, text
    assert res.structured_content is not None, f"{tool}: no structuredContent"
    assert res.structured_content == json.loads(text)
    return False, res.structured_content


def example_ids():
    from kbgen.config import load_config
    from kbgen.model.audience import for_audience
    from kbgen.validate import validate_config
    kb, _ = validate_config(load_config(ROOT))
    public = set(for_audience(kb, "public").entities)
    return public, set(kb.entities) - public


def test_every_tool_and_resource_on_a_public_server(index_dir):
    async def work(s):
        out = {"tools": {t.name for t in (await s.list_tools()).tools},
               "resources": {str(r.uri) for r in (await s.list_resources()).resources}}
        out["search"] = await call(s, "search", query="QT-001")
        out["search_filtered"] = await call(s, "search", query="authentication", type="runbook", product="anya-core")
        out["search_bad"] = await call(s, "search", query="x", type="nope")
        out["get"] = await call(s, "get", id="anya-two-factor-authentication")
        out["get_code"] = await call(s, "get", id="mwrasp-error-codes:QT-001")
        out["get_internal"] = await call(s, "get", id="quantum-gateway-unreachable")
        out["get_unknown"] = await call(s, "get", id="no-such-page")
        out["code"] = await call(s, "lookup_code", code="qt 001")
        out["code_429"] = await call(s, "lookup_code", code="429")
        out["alert"] = await call(s, "runbook_for_alert", alert="QuantumGatewayDown")
        out["list"] = await call(s, "list", type="runbook", product="anya-core")
        out["kb_json"] = (await s.read_resource("kb://kb.json")).contents[0].text
        out["llms"] = (await s.read_resource("kb://llms.txt")).contents[0].text
        return out

    out = session("public", index_dir, work)
    assert TOOLS <= out["tools"]
    assert {"kb://kb.json", "kb://llms.txt"} <= out["resources"]

    err, data = out["search"]
    assert not err and data["results"][0]["id"] == "mwrasp-error-codes:QT-001"
    assert set(data["results"][0]) == {"id", "type", "title", "url", "score", "snippet"}
    assert "quantum-gateway-unreachable" not in [r["id"] for r in data["results"]]
    # the same engine and ranking as `kbgen search`, filters included
    cli = json.loads(run_kbgen("search", "authentication", "--root", ROOT, "--audience", "public", "--type", "runbook",
                               "--product", "anya-core", "--json", env={"KBGEN_SEARCH_DIR": index_dir}).stdout)
    err, data = out["search_filtered"]
    assert not err and [r["id"] for r in data["results"]] == [r["id"] for r in cli["results"]]
    assert data["results"] and all(r["type"] == "runbook" for r in data["results"])
    err, text = out["search_bad"]
    assert err and "unknown type 'nope'" in text

    err, data = out["get"]
    assert not err and (data["id"], data["type"]) == ("anya-two-factor-authentication", "runbook")
    assert data["data"]["symptoms"] and data["url"].endswith("/runbooks/anya-two-factor-authentication/")
    assert "# Two-factor authentication problems" in data["markdown"]
    err, data = out["get_code"]
    assert not err and data["data"]["code"] == "QT-001" and data["markdown"].startswith("# QT-001: ")
    # an internal id is answered exactly like an id that does not exist
    err_i, text_i = out["get_internal"]
    err_u, text_u = out["get_unknown"]
    assert err_i and err_u
    assert text_i.replace("quantum-gateway-unreachable", "X") == text_u.replace("no-such-page", "X")

    err, data = out["code"]
    assert not err and [e["id"] for e in data["entries"]] == ["mwrasp-error-codes:QT-001"]
    assert data["runbooks"] == []  # its runbook is internal
    err, data = out["code_429"]
    assert not err and [e["code"] for e in data["entries"]] == ["429"]
    assert {"anya-api-rate-limiting", "api-rate-limiting"} <= {r["id"] for r in data["runbooks"]}

    err, data = out["alert"]
    assert not err and data == {"alert": "QuantumGatewayDown", "runbooks": [], "alert_entries": []}

    err, data = out["list"]
    assert not err and data["count"] == len(data["entities"]) >= 5
    assert all(e["type"] == "runbook" and "anya-core" in e["products"] for e in data["entities"])

    kbj = json.loads(out["kb_json"])
    _, internal = example_ids()
    assert not internal & {e["id"] for e in kbj["entities"]}
    assert out["llms"].startswith("# ") and "Two-factor authentication problems" in out["llms"]


def _strings(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def test_no_internal_id_in_any_public_answer(index_dir):
    import yaml
    queries = [item["q"] for f in ("queries.yaml", "tuning.yaml", "heldout.yaml")
               for item in yaml.safe_load((RELEVANCE / f).read_text())]
    public, internal = example_ids()
    assert internal and len(queries) >= 100

    async def work(s):
        answers = []  # (what was asked, is_error, answer)
        for q in queries:
            answers.append((q, *await call(s, "search", query=q, limit=100)))
            answers.append((q, *await call(s, "lookup_code", code=q)))
        answers.append(("", *await call(s, "list")))
        for i in sorted(public):
            answers.append((i, *await call(s, "get", id=i)))
        for i in sorted(internal):  # asking for an internal id by name
            answers.append((i, *await call(s, "get", id=i)))
            answers.append((i, *await call(s, "runbook_for_alert", alert=i)))
        return answers

    answers = session("public", index_dir, work)
    assert len(answers) == 2 * len(queries) + 1 + len(public) + 2 * len(internal)
    searched = [d for _, e, d in answers if not e and isinstance(d, dict) and "results" in d]
    assert sum(len(d["results"]) for d in searched) > 500  # the answers are real
    # an internal id as a whole word anywhere: ids, urls, Markdown, error texts
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(internal, key=len, reverse=True)))
                         + r")(?![\w-])")
    leaks = set()
    for asked, err, data in answers:
        for t in [data] if err else _strings(data):
            if t != asked:  # the question echoed back (`query`, `alert`) names only what was asked
                leaks |= set(pattern.findall(t.replace(f"'{asked}'", "''")))
    assert not leaks, sorted(leaks)[:10]
    # every internal id asked for directly is "not found", as an unknown id would be
    assert sum(1 for _, e, d in answers if e and "no entity with id" in d) == len(internal)


def test_internal_server_finds_internal_runbooks(index_dir):
    async def work(s):
        return {"search": await call(s, "search", query="agents cannot reach the quantum gateway"),
                "alert": await call(s, "runbook_for_alert", alert="quantumgatewaydown"),
                "code": await call(s, "lookup_code", code="QT-001"),
                "get": await call(s, "get", id="quantum-gateway-unreachable"),
                "list": await call(s, "list", type="runbook", product="mwrasp")}

    out = session("internal", index_dir, work)
    err, data = out["search"]
    assert not err and data["results"][0]["id"] == "quantum-gateway-unreachable"
    err, data = out["alert"]
    assert not err and "quantum-gateway-unreachable" in [r["id"] for r in data["runbooks"]]
    assert any(e["name"] == "QuantumGatewayDown" and e["url"].endswith("#quantumgatewaydown")
               for e in data["alert_entries"])
    err, data = out["code"]
    assert not err and "quantum-gateway-unreachable" in [r["id"] for r in data["runbooks"]]
    err, data = out["get"]
    assert not err and data["audience"] == "internal" and "quantum gateway" in data["markdown"].lower()
    err, data = out["list"]
    assert "mwrasp-authentication-failure" in [e["id"] for e in data["entities"]]


def test_bad_root_or_synonyms_file_is_a_plain_error(tmp_path):
    proc = run_kbgen("mcp", tmp_path, "--audience", "public")
    assert proc.returncode == 2 and "not a knowledge base" in proc.stderr and "Traceback" not in proc.stderr
    from kbfactory import MKDOCS
    mk = MKDOCS.replace("      default_audience: internal\n", "      default_audience: internal\n      synonyms: syn.yaml\n")
    kb = write_kb(tmp_path / "kb", {"syn.yaml": "equivalent: [[a, b]\n"}, mkdocs=mk)
    proc = run_kbgen("mcp", kb, env={"KBGEN_SEARCH_DIR": str(tmp_path / "idx")})
    assert proc.returncode == 2 and "syn.yaml:" in proc.stderr and "Traceback" not in proc.stderr


def test_a_running_server_sees_an_edit(tmp_path):
    kb = write_kb(tmp_path / "kb")
    rb = kb / "runbooks" / "public-rb.yaml"

    async def work(s):
        before = await call(s, "search", query="flux capacitor")
        rb.write_text(rb.read_text().replace("Gateway timeouts", "Flux capacitor timeouts"))
        os.utime(rb, (rb.stat().st_mtime + 5, rb.stat().st_mtime + 5))
        await anyio.sleep(2.5)  # the server looks at the sources at most every 2 s
        after = await call(s, "search", query="flux capacitor")
        got = await call(s, "get", id="public-rb")
        return before, after, got

    before, after, got = session("public", str(tmp_path / "idx"), work, root=kb)
    assert not before[0] and before[1]["results"] == []
    assert not after[0] and after[1]["results"][0]["id"] == "public-rb"
    assert got[1]["title"] == "Flux capacitor timeouts"


def test_tools_declare_their_answers_and_refuse_bad_arguments_in_plain_words(index_dir):
    """Issue 24, item 8: output schemas; `get` with site URLs and ids, no
    front matter or HTML entities; `list` a page at a time with the total;
    a limit out of range refused as the CLI refuses it; a wrong type said
    without pydantic's links; `lookup_code` by the words of a message."""
    async def work(s):
        out = {"tools": {t.name: t for t in (await s.list_tools()).tools}}
        out["get"] = await call(s, "get", id="hydraulic-support-plans")
        out["get_md"] = await call(s, "get", id="anya-system-health-check")
        out["page1"] = await call(s, "list", type="runbook", limit=10)
        out["page2"] = await call(s, "list", type="runbook", limit=10, offset=10)
        out["last"] = await call(s, "list", type="runbook", limit=200)
        out["all"] = await call(s, "list")
        for name, args in {"limit_low": dict(tool="search", query="x", limit=-1),
                           "limit_high": dict(tool="search", query="x", limit=1000),
                           "list_limit": dict(tool="list", limit=0),
                           "offset": dict(tool="list", offset=-5),
                           "typed": dict(tool="search", query="x", limit="ten"),
                           "missing": dict(tool="get")}.items():
            tool = args.pop("tool")
            out[name] = await call(s, tool, **args)
        out["by_message"] = await call(s, "lookup_code", code="quantum gateway timeout")
        out["nothing"] = await call(s, "lookup_code", code="zzqx plorb")
        return out

    out = session("public", index_dir, work)
    for name, tool in out["tools"].items():
        assert tool.output_schema and tool.output_schema.get("type") == "object", name
    assert {"total", "next_offset", "entities"} <= set(out["tools"]["list"].output_schema["properties"])

    err, data = out["get"]
    assert not err and data["url"] == "https://kb.example.com/sla/hydraulic-support-plans/"
    md = data["markdown"]
    assert md.startswith("# Hydraulic support plans and SLAs") and "---" not in md.split("\n", 1)[0]
    links = re.findall(r"\]\(([^)]+)\)", md)
    assert links and all(u.startswith("https://kb.example.com/") for u in links), links
    assert not re.search(r"&(amp|lt|gt|quot|#\d+);", md), re.findall(r".{20}&\w+;.{20}", md)
    assert ".md" not in "".join(links) and "../" not in md
    err, data = out["get_md"]  # a Markdown runbook: the writer's links too
    assert not err and "https://kb.example.com/support/anya-support-tiers/#anya-tier2" in data["markdown"]

    _, p1 = out["page1"]
    _, p2 = out["page2"]
    _, last = out["last"]
    assert p1["total"] == p2["total"] == last["total"] == last["count"] > 20
    assert (p1["offset"], p1["count"], p1["next_offset"]) == (0, 10, 10)
    assert (p2["offset"], p2["next_offset"]) == (10, 20)
    assert last["next_offset"] is None
    assert [e["id"] for e in p1["entities"] + p2["entities"]] == [e["id"] for e in last["entities"]][:20]
    _, everything = out["all"]
    assert everything["count"] == 50 and everything["total"] > 50  # a page, not the whole KB

    for name, said in (("limit_low", "limit must be between 1 and 100 (got -1)"),
                       ("limit_high", "limit must be between 1 and 100 (got 1000)"),
                       ("list_limit", "limit must be between 1 and 200 (got 0)"),
                       ("offset", "offset must be 0 or more (got -5)"),
                       ("typed", "search: 'limit': Input should be a valid integer"),
                       ("missing", "get: 'id' is missing")):
        err, text = out[name]
        assert err and said in text, (name, text)
        assert "pydantic" not in text and "http" not in text, (name, text)

    err, data = out["by_message"]
    assert not err and data["matched_by"] == "message"
    assert data["entries"][0]["id"] == "mwrasp-error-codes:QT-001", data["entries"][:2]
    err, data = out["nothing"]
    assert not err and data["matched_by"] == "nothing" and data["entries"] == []
