"""`kbgen mcp`: the knowledge base as a Model Context Protocol server over
stdio, for AI agents (official `mcp` SDK; docs/agents.md).

The audience is fixed when the server starts. Every answer is made from the
audience-filtered knowledge base and the audience's search index
(kbgen.agents.live), so a public server cannot name internal content, not
even an id: an internal id is answered exactly like an id that does not
exist. Each tool declares the shape of its answer (kbgen.agents.answers) as
its output schema and answers with structuredContent."""
from __future__ import annotations

import json

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError as SdkToolError
from pydantic import ValidationError

from .. import __version__
from ..outputs.kbjson import kb_json
from ..outputs.llms import llms_txt
from ..search.service import SearchError
from . import answers
from .answers import ToolError, get_answer, search_answer
from .live import LiveKnowledgeBase

__all__ = ["LiveKnowledgeBase", "build_server", "get_answer", "search_answer"]


class _Server(MCPServer):
    """The SDK's server, with arguments of the wrong type refused in plain
    words (the SDK passes pydantic's message on, links to its docs included)."""

    async def call_tool(self, name, arguments, context=None):
        try:
            return await super().call_tool(name, arguments, context)
        except SdkToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                raise SdkToolError(_plain(name, exc.__cause__)) from None
            raise


def _plain(tool: str, exc: ValidationError) -> str:
    said = []
    for err in exc.errors(include_url=False):
        where = ".".join(str(p) for p in err["loc"]) or "arguments"
        if err["type"] == "missing":
            said.append(f"'{where}' is missing")
        else:
            said.append(f"'{where}': {err['msg'].rstrip('.')} (got {json.dumps(err.get('input'))})")
    return f"{tool}: " + "; ".join(said)


# --- the server -----------------------------------------------------------------------------

def build_server(cfg, audience: str) -> tuple[MCPServer, LiveKnowledgeBase]:
    state = LiveKnowledgeBase(cfg, audience)
    server = _Server(
        name="kbgen",
        version=__version__,
        instructions=(f"The {audience} support knowledge base '{cfg.site_name}': runbooks, error codes, "
                      "alerts, SLAs and articles. Start with `search`; `lookup_code` for an error code in any "
                      "spelling; `runbook_for_alert` for a firing alert; `get` for a page by id."),
    )

    def call(fn, *args, **kwargs):
        try:
            return fn(state.current(), *args, **kwargs)
        except ToolError as exc:  # the agent reads the message and can correct its call
            raise SdkToolError(str(exc)) from None
        except SearchError as exc:
            raise SdkToolError(f"the search index is unavailable: {exc}") from None

    types = ", ".join(cfg.kinds.types())  # the registry: kinds a package adds are types too

    @server.tool(description="Search runbooks, error codes, alerts, SLAs and articles, ranked as `kbgen search` "
                             f"ranks them (exact error codes first). Filters: type (one of {types}) and product "
                             "(a product id); limit 1-100. Returns results with id, type, title, url (on the site), "
                             "score and a plain-text snippet, and a spelling suggestion if any.")
    def search(query: str, type: str | None = None, product: str | None = None, limit: int = 10) -> answers.SearchAnswer:
        return call(search_answer, query, type=type, product=product, limit=limit)

    @server.tool(description="One entity by id (as returned by search or list): its structured data "
                             "(the kb.json record, url on the site) and its page as Markdown, links as site URLs.")
    def get(id: str) -> answers.EntityAnswer:
        return call(get_answer, id)

    @server.tool(description="An error code in any spelling (QT-001, qt001, 'QT 001', 429, enospc), or the words "
                             "of its message when the code is not known (matched_by says which): its entries in the "
                             "error-code tables and the runbooks that handle it.")
    def lookup_code(code: str) -> answers.CodeAnswer:
        return call(answers.lookup_code_answer, code)

    @server.tool(description="The runbook(s) for a firing alert, by alert name (case-insensitive), "
                             "with the alert's catalogue entries (condition, severity).")
    def runbook_for_alert(alert: str) -> answers.AlertAnswer:
        return call(answers.runbook_for_alert_answer, alert)

    @server.tool(name="list", description=f"Entities by type (one of {types}) and/or product, sorted by type and "
                                          f"title, a page at a time: limit 1-200 (default {answers.LIST_DEFAULT}), offset; "
                                          "total counts them all and next_offset asks for the next page.")
    def list_entities(type: str | None = None, product: str | None = None, offset: int = 0,
                      limit: int = answers.LIST_DEFAULT) -> answers.ListAnswer:
        return call(answers.list_answer, type=type, product=product, offset=offset, limit=limit)

    @server.resource("kb://kb.json", name="kb.json", mime_type="application/json",
                     description="The machine-readable index of this audience's knowledge base.")
    def kb_json_resource() -> str:
        return json.dumps(kb_json(state.current().kb), ensure_ascii=False, indent=1)

    @server.resource("kb://llms.txt", name="llms.txt", mime_type="text/plain",
                     description="The knowledge base's pages as a list an LLM can read (llmstxt.org).")
    def llms_resource() -> str:
        return llms_txt(state.current().kb)

    return server, state
