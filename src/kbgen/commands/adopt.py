"""kbgen adopt [DIR] [--dry-run] [--force]: publish an existing runbook repository in place."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .common import root_argument


@click.command("adopt")
@root_argument
@click.option("--dry-run", is_flag=True, help="Print what would be written; write nothing.")
@click.option("--force", is_flag=True, help="Replace a config file kbgen adopt wrote before.")
def command(root: Path, dry_run: bool, force: bool):
    """Detect an existing repository's conventions and write kbgen's configuration.

    No existing file is changed or moved: the configuration goes to a new
    mkdocs.yml, or to kbgen.yml beside a mkdocs.yml the repository has."""
    from ..adopt import config_text, detect, write
    from ..config import ConfigError, load_config
    from ..validate import validate_config
    if not root.is_dir():
        click.echo(f"kbgen adopt: {root} is not a folder", err=True)
        sys.exit(2)
    plan = detect(root)
    out = click.echo
    out(f"Repository: {plan.root}  (site generator: {plan.generator})")
    out("Conventions chosen:")
    for line in plan.chosen:
        out(f"  - {line}")
    if dry_run:
        out(f"\n--- {plan.config_name} (not written: --dry-run) ---")
        out(config_text(plan))
        return
    try:
        path = write(plan, force=force)  # AdoptError: kbgen.cli says it
    except OSError as exc:
        click.echo(f"kbgen adopt: cannot write the configuration: {exc.strerror or exc}", err=True)
        sys.exit(2)
    out(f"Wrote {path.name}" + (f" (your {plan.existing_mkdocs} is unchanged; kbgen reads {path.name})"
                                  if plan.existing_mkdocs else ""))
    try:
        cfg = load_config(plan.root)
    except ConfigError as exc:
        click.echo(f"kbgen adopt: the written configuration does not load: {exc}", err=True)
        sys.exit(2)
    kb, report = validate_config(cfg)
    kinds: dict[str, int] = {}
    for e in kb.entities.values():
        kinds[e.type] = kinds.get(e.type, 0) + 1
    out("Found:")
    for kind, n in sorted(kinds.items()):
        out(f"  {n:>5}  {kind}{'s' if n != 1 and not kind.endswith('s') else ''}")
    entries = sum(len(v) for v in kb.alert_entries.values())
    alerts = {a for e in kb.of_type("runbook") for a in e.obj.alerts}
    if alerts:
        out(f"  {len(alerts):>5}  alerts answered by runbooks")
    if entries:
        out(f"  {entries:>5}  alert entries in catalogues ({len(kb.alert_entries)} names)")
    out(f"  {len(kb.assets):>5}  images and other files")
    for what, n in sorted(plan.counts.items()):
        if what.startswith("ignored") or what.startswith("drafts") or what == "translated":
            out(f"  {n:>5}  {what}")
    if plan.unmapped:
        out("Could not map:")
        for line in plan.unmapped:
            out(f"  - {line}")
    out(f"Validation: {report.errors} errors, {report.warnings} warnings.")
    codes: dict[str, int] = {}
    for p in report.problems:
        codes[p.code] = codes.get(p.code, 0) + 1
    if codes:
        out("  by code: " + ", ".join(f"{c} x{n}" for c, n in sorted(codes.items())))
    d = click.format_filename(str(root))
    out("Next:")
    out(f"  kbgen validate {d}")
    out(f"  kbgen build {d} --audience internal --site-dir /tmp/{plan.root.name}-site")
    out(f"  kbgen serve {d}")
    out(f"  kbgen search <AlertName> --root {d}")
