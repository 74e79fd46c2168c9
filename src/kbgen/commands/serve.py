"""kbgen serve [ROOT] [--audience A] [--dev-addr HOST:PORT]"""
from __future__ import annotations

import logging
import sys

import click

from .common import audience_option, config_or_exit, public_by_default, require_kb, root_argument


@click.command("serve")
@root_argument
@audience_option("Preview what this audience will see.")
@click.option("-a", "--dev-addr", default=None, metavar="HOST:PORT", help="Address to serve on (default 127.0.0.1:8000).")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in a browser.")
def command(root, audience, dev_addr, open_browser):
    """Live preview for writers: rebuilds when Markdown or YAML changes.

    A problem in the content is shown in the browser, with file:line:column,
    until it is fixed; kb.json and llms.txt are served as a build writes them."""
    from ..mkdocs.serve import DEFAULT_ADDR, parse_addr, serve
    try:
        parse_addr(dev_addr or DEFAULT_ADDR)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--dev-addr") from None
    cfg = config_or_exit(root)
    require_kb(cfg, "serve", need_config=True)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    public_by_default("serve", cfg, audience)
    serve(cfg, cfg.audience_for(audience), dev_addr, open_browser)
