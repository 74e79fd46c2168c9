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
@click.option("--no-baseline", is_flag=True, help="Do not record the problems found as known (.kbgen-baseline.json).")
def command(root: Path, dry_run: bool, force: bool, no_baseline: bool):
    """Detect an existing repository's conventions and write kbgen's configuration.

    No existing file is changed or moved: the configuration goes to a new
    mkdocs.yml, or to kbgen.yml beside a mkdocs.yml the repository has."""
    from ..adopt import config_text, detect, write
    from ..config import ConfigError, load_config
    from ..diagnostics import baseline
    from ..diagnostics.suppress import Texts
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
    kb, report = validate_config(cfg, known=False)
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
    for p in report.sorted():
        codes[p.code] = codes.get(p.code, 0) + 1
    if codes:
        out("  by code: " + ", ".join(f"{c} x{n}" for c, n in sorted(codes.items())))
    if report.problems and not no_baseline:
        recorded, left = baseline.write(plan.root, report, Texts(kb))
        out(f"Baseline: {recorded} existing problems recorded as known in {baseline.BASELINE}: validate and "
            "build report them and pass; a new problem fails. `kbgen baseline` refreshes it.")
        if left:
            guard = [p for p in report.sorted() if not baseline.baselinable(p.code)]
            blocking = sum(1 for p in guard if p.severity.value == "error")
            out(f"  {left} problems guard readers ({', '.join(sorted({p.code for p in guard}))}) and are never known"
                + (f": {blocking} errors among them block the build until fixed (`kbgen validate` shows where)."
                   if blocking else " (warnings: reported, not blocking)."))
    _audience(out, kb, plan)
    d = click.format_filename(str(root))
    out("Next:")
    out(f"  kbgen validate {d}")
    out(f"  kbgen build {d} --audience internal --site-dir /tmp/{plan.root.name}-site")
    out(f"  kbgen baseline {d}   (after fixing problems: a shorter list of known ones)")
    out(f"  kbgen serve {d}")
    out(f"  kbgen search <AlertName> --root {d}")


def _audience(out, kb, plan) -> None:
    """Who will see it: adopted pages stay internal until someone marks what
    is public (kbgen fails closed); say so, and how to mark."""
    pages = [e for e in kb.entities.values() if not e.parent]
    public = sum(1 for e in pages if e.audience == "public")
    out(f"Audience: {public} of {len(pages)} pages public"
        + ("." if public == len(pages) else "; the rest internal (unmarked pages are internal)."))
    if pages and not public:
        docs = kb.config.docs_dir.strip("/")
        folder = f"{docs}/**" if docs not in ("", ".") else "**"
        out("  The public site stays empty (kbgen build refuses it, saying why) until you mark what is public:")
        out(f"  - everything: `default_audience: public` under the kbgen plugin in {plan.config_name}")
        out(f"  - a folder:   `defaults: [{{path: \"{folder}\", audience: public}}]` there")
        out("  - a page:     `audience: public` in its front matter")
