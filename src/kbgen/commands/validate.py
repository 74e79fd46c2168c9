"""kbgen validate [ROOT] [--format text|json|github|auto] [--strict] [--fail-on-overdue]"""
from __future__ import annotations

import sys

import click

from ..diagnostics import render
from ..validate import validate_config
from .common import config_or_exit, overdue_note, root_argument, require_kb


@click.command("validate")
@root_argument
@click.option("--format", "fmt", type=click.Choice(["auto", "text", "json", "github"]), default="auto",
              show_default=True, help="text for people, json for tools, github for workflow annotations; "
                                      "auto picks github inside GitHub Actions.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, except overdue reviews (KB601).")
@click.option("--fail-on-overdue", is_flag=True,
              help="Fail (exit 1) when a page's review is overdue (KB601). Off by default: time passing alone "
                   "never turns a green check red.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date to check freshness against (default: today, or $KBGEN_TODAY).")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: when a terminal).")
def command(root, fmt, strict, fail_on_overdue, today, color):
    """Check a knowledge base and report problems with file:line:column."""
    overrides = {"today": today.date()} if today else None
    cfg = config_or_exit(root, overrides)
    require_kb(cfg, "validate")
    kb, report = validate_config(cfg)
    if color is None:
        color = sys.stdout.isatty()
    click.echo(render(report, fmt, color=color))
    failed = report.failed(strict, overdue=fail_on_overdue)
    note = overdue_note(report, fail_on_overdue)
    if note and fmt != "json":
        click.echo(note, err=True)
    sys.exit(1 if failed else 0)
