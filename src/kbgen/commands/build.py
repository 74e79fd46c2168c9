"""kbgen build [ROOT] --audience public|internal --site-dir DIR [--renderer R] [--strict] [--offline] [--force]"""
from __future__ import annotations

import os
from pathlib import Path

import click

from .common import audience_option, config_or_exit, root_argument


@click.command("build")
@root_argument
@audience_option("Who the site is for.")
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: site/ for public, site-internal/ for internal, in ROOT).")
@click.option("--renderer", type=click.Choice(["mkdocs", "properdocs", "zensical"]), default="mkdocs",
              show_default=True, help="What turns the staged pages into HTML (docs/renderers.md).")
@click.option("--force", is_flag=True, help="Replace --site-dir even if kbgen did not build it.")
@click.option("--strict", is_flag=True, help="Fail on validation warnings and on the renderer's warnings too.")
@click.option("--offline", is_flag=True, help="A site that works from file:// with no network.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.option("--fail-on-overdue", is_flag=True, help="Fail when a page's review is overdue (KB601); "
              "by default overdue reviews are reported and never fail, even with --strict.")
def command(root, audience, site_dir, renderer, force, strict, offline, quiet, fail_on_overdue):
    """Validate, then render the site for one audience, atomically."""
    from ..mkdocs.build import renderer as render_with
    from ..site.build import build_site, default_site_dir
    cfg = config_or_exit(root)
    audience = cfg.audience_for(audience)
    site_dir = site_dir or default_site_dir(cfg.root, audience)
    out = build_site(cfg, audience, site_dir, render_with(renderer, cfg), strict=strict, offline=offline,
                     quiet=quiet, echo=lambda text: click.echo(text, err=True), fail_on_overdue=fail_on_overdue,
                     force=force)  # BuildFailed: kbgen.cli says it, with its exit code
    if not quiet:
        shown = os.path.relpath(out) if not str(os.path.relpath(out)).startswith("..") else out  # as the user wrote it
        click.echo(f"Built the {audience} site in {shown} ({renderer})")
