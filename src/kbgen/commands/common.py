"""Options and helpers shared by commands.

Every path on the command line (ROOT, --site-dir, --out, --root) is relative
to the current directory, as in any CLI: click hands it over as given and
load_config resolves ROOT against the working directory."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..config import ConfigError, load_config
from ..read.configfile import find_config_file

ROOT_HELP = "The knowledge base folder (default: the current directory)."

root_argument = click.argument("root", required=False, default=".",
                               type=click.Path(file_okay=False, path_type=Path))

# `search` and `new` take ROOT as their first argument too; --root stays as a
# hidden alias so existing scripts keep working.
root_alias_option = click.option("--root", "root_option", type=click.Path(file_okay=False, path_type=Path),
                                 default=None, hidden=True, help=ROOT_HELP)


def audience_option(what: str):
    """--audience, the same in every command (Config.audience_for is its default)."""
    return click.option("--audience", type=click.Choice(["public", "internal"]), default=None,
                        help=f"{what} Default: the kbgen plugin option `audience` in mkdocs.yml, else public "
                             "(public never holds internal content).")


def public_by_default(command: str, cfg, given: str | None) -> None:
    """Say so when the public default leaves internal content out of a command's output."""
    if given is None and cfg.options.audience is None:
        click.echo(f"kbgen {command}: public content only (the default); --audience internal includes internal "
                   "content", err=True)


def is_kb_root(path: Path) -> bool:
    return path.is_dir() and find_config_file(path) is not None


def split_root(words: tuple[str, ...], root_option: Path | None, min_rest: int = 1) -> tuple[Path, tuple[str, ...]]:
    """ROOT given as the first of several positional words: it is taken as the
    root when it names a knowledge-base folder (one with mkdocs.yml) and at
    least min_rest words follow; otherwise every word is text."""
    if root_option is not None:
        return root_option, words
    if len(words) > min_rest and is_kb_root(Path(words[0])):
        return Path(words[0]), words[1:]
    return Path("."), words


def config_or_exit(root: Path, overrides: dict | None = None):
    try:
        return load_config(root, overrides=overrides)
    except ConfigError as exc:
        click.echo(f"{exc}", err=True)
        click.echo("kbgen: configuration error", err=True)
        sys.exit(2)


def require_kb(cfg, command: str, need_config: bool = False) -> None:
    """Exit 2 with what to do when ROOT is not a knowledge base: a folder with
    mkdocs.yml, or at least a content or runbooks folder (for validate)."""
    has_sources = cfg.content_dir.is_dir() or cfg.runbooks_dir.is_dir()
    if cfg.has_config_file or (has_sources and not need_config):
        return
    where = cfg.root
    missing = "no mkdocs.yml" if has_sources else "no mkdocs.yml, content/ or runbooks/"
    click.echo(f"kbgen {command}: {where} is not a knowledge base ({missing}).\n"
               f"  Run kbgen in a knowledge-base folder, pass its path (kbgen {command} PATH),\n"
               f"  or create one with `kbgen init DIR`.", err=True)
    sys.exit(2)


def overdue_note(report, failing: bool) -> str | None:
    """One line on overdue reviews: how many, and that they do not fail the run."""
    n = report.overdue
    if not n:
        return None
    what = f"{n} page review{'s are' if n != 1 else ' is'} overdue (KB601)"
    if failing:
        return f"{what}: failing because of --fail-on-overdue."
    return f"{what}: reported, not failing (see `kbgen report`; --fail-on-overdue makes them fail)."
