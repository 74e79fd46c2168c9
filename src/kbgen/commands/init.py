"""kbgen init DIR [--name NAME]"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="Support knowledge base", show_default=True, help="The site name.")
def command(directory, name):
    """Create a new, minimal knowledge-base repository that builds as it stands."""
    from ..scaffold import KB_TEMPLATE
    from ..schema.export import write_schemas
    if directory.exists() and any(directory.iterdir()):
        click.echo(f"kbgen init: {directory} is not empty; choose a new folder", err=True)
        sys.exit(1)
    today = dt.date.today().isoformat()
    for src in sorted(KB_TEMPLATE.rglob("*")):
        if src.is_dir() or "__pycache__" in src.parts:
            continue
        dest = directory / src.relative_to(KB_TEMPLATE)
        dest.parent.mkdir(parents=True, exist_ok=True)
        text = src.read_text(encoding="utf-8")
        dest.write_text(text.replace("__SITE_NAME__", name).replace("__TODAY__", today), encoding="utf-8")
    write_schemas(directory / "schemas")
    click.echo(f"Created a knowledge base in {directory}. Next:\n"
               f"  cd {directory}\n  kbgen validate\n  kbgen serve")
