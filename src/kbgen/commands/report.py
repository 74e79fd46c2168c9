"""kbgen report [ROOT] [--format text|json] [--today DATE]"""
from __future__ import annotations

import json

import click

from .common import config_or_exit, require_kb, root_argument


@click.command("report")
@root_argument
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text for people, json for tools.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Report as of this date.")
def command(root, fmt, today):
    """The weekly review: stale pages by owner, gaps between codes and runbooks, coverage."""
    from ..outputs.review import build_review, format_review
    from ..validate import validate_config
    cfg = config_or_exit(root, {"today": today.date()} if today else None)
    require_kb(cfg, "report")
    kb, report = validate_config(cfg)
    if report.errors:
        click.echo(f"kbgen report: warning: {report.errors} validation error(s); the report covers what loaded", err=True)
    data = build_review(kb, cfg.today)
    click.echo(json.dumps(data, indent=2) if fmt == "json" else format_review(data), nl=fmt == "json")
