"""kbgen export [ROOT] --format opensearch|jsonl [--audience A] [--out FILE] [--index NAME]"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import audience_option, config_or_exit, public_by_default, require_kb, root_argument


@click.command("export")
@root_argument
@click.option("--format", "fmt", type=click.Choice(["opensearch", "jsonl"]), default="opensearch", show_default=True,
              help="opensearch: bulk NDJSON (action line + document); jsonl: one document per line.")
@audience_option("Whose records.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write, relative to the current directory (default: stdout).")
@click.option("--index", "index_name", default="kb", show_default=True, help="Index name in the bulk action lines.")
def command(root, fmt, audience, out, index_name):
    """One record per page section, for OpenSearch/Elasticsearch or any search engine."""
    from ..diagnostics.problems import format_text
    from ..model.audience import for_audience
    from ..outputs.export import export
    from ..validate import validate_config
    cfg = config_or_exit(root)
    require_kb(cfg, "export")
    kb, report = validate_config(cfg)
    if report.errors:
        click.echo(format_text(report), err=True)
        click.echo("kbgen export: fix the errors first; nothing was exported", err=True)
        sys.exit(1)
    public_by_default("export", cfg, audience)
    text = export(for_audience(kb, cfg.audience_for(audience)), fmt, index_name)
    if out:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {sum(1 for _ in text.splitlines()) // (2 if fmt == 'opensearch' else 1)} records to {out}", err=True)
    else:
        click.echo(text, nl=False)
