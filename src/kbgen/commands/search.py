"""kbgen search [ROOT] QUERY [--audience A] [--type T] [--product P] [--limit N] [--json]

Exit status: 0 with results, 1 with none, 2 for usage, configuration or index errors."""
from __future__ import annotations

import json
import sys

import click

from .common import audience_option, config_or_exit, public_by_default, require_kb, root_alias_option, split_root


@click.command("search")
@click.argument("query", nargs=-1, required=True, metavar="[ROOT] QUERY...")
@root_alias_option
@audience_option("Search what this audience may see.")
@click.option("--type", "type_", default=None, metavar="TYPE",
              help="Only this kind of result: runbook, article, error-code, error-table, sla, tiers, contacts, "
                   "templates, faq, alerts, or a kind the KB adds.")
@click.option("--product", default=None, help="Only results for this product id.")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True,
              help="Return at most this many results (1-100).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def command(query, root_option, audience, type_, product, limit, as_json):
    """Search runbooks, error codes and articles (exit 1 when nothing matches).

    ROOT, a knowledge-base folder (with mkdocs.yml), may come first; default:
    the current directory."""
    from ..search.service import SearchError, search
    root, query = split_root(query, root_option)
    q = " ".join(query).strip()
    if not q:
        raise click.UsageError("the query is empty")
    cfg = config_or_exit(root)
    require_kb(cfg, "search", need_config=True)  # never leave a .kbgen/ index in a folder that is not a KB
    if product and product not in cfg.product_ids():
        known = ", ".join(sorted(cfg.product_ids())) or "none declared"
        raise click.BadParameter(f"unknown product '{product}' (products: {known})", param_hint="--product")
    if type_ and cfg.kinds.get(type_) is None:
        raise click.BadParameter(f"unknown type '{type_}' (types: {', '.join(cfg.kinds.types())})", param_hint="--type")
    public_by_default("search", cfg, audience)
    audience = cfg.audience_for(audience)
    try:
        result = search(cfg, q, audience=audience, type_=type_, product=product, limit=limit)
    except SearchError as exc:
        click.echo(f"kbgen search: {exc}", err=True)
        sys.exit(2)
    for w in result.warnings:
        click.echo(f"kbgen search: warning: {w}", err=True)
    if as_json:
        click.echo(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    else:
        if not result.results:
            click.echo(f"No results for '{q}'." + (f" Did you mean: {result.suggestion}?" if result.suggestion else ""))
        elif result.suggestion:
            click.echo(f"Did you mean: {result.suggestion}? (results for it are included)")
        for i, h in enumerate(result.results, 1):
            click.echo(f"{i:>2}. {h.title}  [{h.type}]  {h.url}")
            if h.snippet:
                click.echo(f"    {h.snippet}")
    sys.exit(0 if result.results else 1)
