"""kbgen stage [ROOT] --audience public|internal --out DIR [--offline] [--force]"""
from __future__ import annotations

from pathlib import Path

import click

from .common import audience_option, config_or_exit, root_argument


@click.command("stage")
@root_argument
@audience_option("Who the site is for.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for the site project (replaced whole: only one kbgen staged, or an empty one).")
@click.option("--offline", is_flag=True, help="A project whose site works from file:// with no network.")
@click.option("--strict", is_flag=True, help="Fail on validation warnings too.")
@click.option("--force", is_flag=True, help="Replace --out even if kbgen did not stage it.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
def command(root, audience, out, offline, strict, force, quiet):
    """Write one audience's site as a plain project (mkdocs.yml + docs/) that
    MkDocs, ProperDocs or Zensical build as it is."""
    from ..site.build import stage_site
    cfg = config_or_exit(root)
    audience = cfg.audience_for(audience)
    done = stage_site(cfg, audience, out, strict=strict, offline=offline, force=force,
                      echo=lambda text: click.echo(text, err=True))  # BuildFailed: kbgen.cli says it
    if not quiet:
        click.echo(f"Staged the {audience} site in {done}: build it with `mkdocs build -f {done / 'mkdocs.yml'}`")
