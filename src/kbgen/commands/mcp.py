"""kbgen mcp [ROOT] [--audience public|internal]

A Model Context Protocol server over stdio for AI agents (docs/agents.md).
Exit status: 0 when the client closes the connection, 2 for usage,
configuration or index errors."""
from __future__ import annotations

import sys

import click

from .common import config_or_exit, require_kb, root_argument


@click.command("mcp")
@root_argument
@click.option("--audience", type=click.Choice(["public", "internal"]), default=None,
              help="What the server may answer with, fixed for its lifetime: public never exposes internal "
                   "content, not even its ids. Default: the plugin option `audience` in mkdocs.yml, else public.")
def command(root, audience):
    """Serve the knowledge base to AI agents over MCP (stdio): search, get, lookup_code,
    runbook_for_alert and list tools; kb.json and llms.txt as resources."""
    cfg = config_or_exit(root)
    require_kb(cfg, "mcp", need_config=True)
    # an agent's server fails closed: internal only when asked for
    audience = audience or cfg.options.audience or "public"
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
