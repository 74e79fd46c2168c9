"""kbgen validate [ROOT] [--format text|json|github|auto] [--strict]"""
from __future__ import annotations

import sys

import click

from ..diagnostics import render
from ..validate import validate_config
from .common import config_or_exit, root_argument


@click.command("validate")
@root_argument
@click.option("--format", "fmt", type=click.Choice(["auto", "text", "json", "github"]), default="auto",
              show_default=True, help="text for people, json for tools, github for workflow annotations; "
                                      "auto picks github inside GitHub Actions.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date to check freshness against (default: today).")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: when a terminal).")
def command(root, fmt, strict, today, color):
    """Check a knowledge base and report problems with file:line:column."""
    overrides = {"today": today.date()} if today else None
    cfg = config_or_exit(root, overrides)
    kb, report = validate_config(cfg)
    if color is None:
        color = sys.stdout.isatty()
    click.echo(render(report, fmt, color=color))
    sys.exit(1 if report.failed(strict) else 0)
