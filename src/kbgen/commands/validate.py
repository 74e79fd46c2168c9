"""kbgen validate [ROOT] [--format text|json|github|auto] [--strict] [--fail-on-overdue]"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from ..diagnostics.problems import OVERDUE_CODES, render
from ..validate import validate_config
from .common import config_or_exit, overdue_note, require_kb, root_argument


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
@click.option("--known", is_flag=True, help="Also list the problems the baseline knows (.kbgen-baseline.json).")
def command(root, fmt, strict, fail_on_overdue, today, color, known):
    """Check a knowledge base and report problems with file:line:column."""
    overrides = {"today": today.date()} if today else None
    cfg = config_or_exit(root, overrides)
    require_kb(cfg, "validate")
    kb, report = validate_config(cfg)
    if color is None:
        color = sys.stdout.isatty()
    failed = report.failed(strict, overdue=fail_on_overdue)
    note = overdue_note(report, fail_on_overdue)
    if fmt == "github" or (fmt == "auto" and os.environ.get("GITHUB_ACTIONS") == "true"):
        _only_touched_overdue(report, cfg.root)
    if known and report.known and fmt != "json":
        click.echo("Known problems (in the baseline; they do not fail):")
        for p in sorted(set(report.known)):
            click.echo(f"  {p.file}:{p.line}:{p.column}: known {p.code} {p.message}")
    click.echo(render(report, fmt, color=color))
    if note and fmt != "json":
        click.echo(note, err=True)
    sys.exit(1 if failed else 0)


def _changed_files(root: Path) -> set[str] | None:
    """Files a pull request changes, relative to the KB root: `git diff` against
    origin/$GITHUB_BASE_REF (set by GitHub on pull requests). None when that
    cannot be told (not a PR, a shallow clone without the base)."""
    base = os.environ.get("GITHUB_BASE_REF")
    if not base:
        return None
    def git(*args):
        proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
        return proc.stdout if proc.returncode == 0 else None
    top = git("rev-parse", "--show-toplevel")
    names = git("diff", "--name-only", f"origin/{base}...HEAD")
    if top is None or names is None:
        return None
    top_dir = Path(top.strip())
    return {os.path.relpath(top_dir / n, root).replace(os.sep, "/") for n in names.splitlines() if n}


def _only_touched_overdue(report, root: Path) -> None:
    """On a pull request, overdue-review notices only on the files it touches:
    the writer editing a page hears that its review is due; a PR is not
    covered in notices about pages it never opened."""
    changed = _changed_files(root)
    if changed is None:
        return
    report.problems = [p for p in report.problems if p.code not in OVERDUE_CODES or p.file in changed]
