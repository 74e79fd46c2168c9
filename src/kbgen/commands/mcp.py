"""kbgen mcp [ROOT] [--audience public|internal]

A Model Context Protocol server over stdio for AI agents (docs/agents.md).
Exit status: 0 when the client closes the connection, 2 for usage,
configuration or index errors."""
from __future__ import annotations

import sys

import click

from .common import audience_option, config_or_exit, public_by_default, require_kb, root_argument


@click.command("mcp")
@root_argument
@audience_option("What the server may answer with, fixed for its lifetime; public never names internal "
                 "content, not even its ids.")
def command(root, audience):
    """Serve the knowledge base to AI agents over MCP (stdio): search, get, lookup_code,
    runbook_for_alert and list tools; kb.json and llms.txt as resources."""
    cfg = config_or_exit(root)
    require_kb(cfg, "mcp", need_config=True)
    public_by_default("mcp", cfg, audience)
    audience = cfg.audience_for(audience)
    from ..agents.mcp_server import build_server
    from ..search.service import SearchError
    try:
        server, state = build_server(cfg, audience)
    except SearchError as exc:
        click.echo(f"kbgen mcp: {exc}", err=True)
        sys.exit(2)
    click.echo(f"kbgen mcp: serving the {audience} knowledge base of {cfg.root} over stdio", err=True)
    try:
        server.run("stdio")  # stdout carries the protocol: nothing else is printed there
    finally:
        state.close()
