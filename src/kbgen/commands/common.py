"""Options and helpers shared by commands."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..config import ConfigError, load_config

root_argument = click.argument("root", required=False, default=".",
                               type=click.Path(file_okay=False, path_type=Path))


def config_or_exit(root: Path, overrides: dict | None = None):
    try:
        return load_config(root, overrides=overrides)
    except ConfigError as exc:
        click.echo(f"{exc}", err=True)
        click.echo("kbgen: configuration error", err=True)
        sys.exit(2)
