"""kbgen schema --out DIR: one JSON Schema per kind, for editors."""
from __future__ import annotations

from pathlib import Path

import click

from ..outputs.schemas import write_schemas


@click.command("schema")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("schemas"),
              show_default=True, help="Folder to write <kind>.schema.json files into.")
def command(out):
    """Write the JSON Schema of every kind (for yaml-language-server and other tools)."""
    for path in write_schemas(out):
        click.echo(str(path))
    click.echo("\nIn an editor with the YAML extension, start a file with:\n"
               f"  # yaml-language-server: $schema={out.as_posix()}/runbook.schema.json")
