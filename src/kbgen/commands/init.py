"""kbgen init DIR [--name NAME] [--package REQUIREMENT] [--no-git]"""
from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import click


def _installed_from() -> str:
    """The pip requirement this kbgen came from when it is one CI can use
    (a git URL, PEP 610); empty otherwise: kbgen is not on PyPI."""
    try:
        from importlib.metadata import distribution
        info = json.loads(distribution("kbgen").read_text("direct_url.json") or "{}")
    except Exception:  # not installed as a distribution, or no direct_url.json
        return ""
    vcs = info.get("vcs_info")
    url = info.get("url", "")
    if vcs and vcs.get("vcs") == "git" and not url.startswith("file:"):
        ref = vcs.get("requested_revision") or vcs.get("commit_id")
        return f"git+{url}" + (f"@{ref}" if ref else "")
    return ""


def _git_init(directory: Path) -> str:
    if shutil.which("git") is None:
        return "git is not installed: run `git init` in it once git is there"
    proc = subprocess.run(["git", "init", "-q", str(directory)], capture_output=True, text=True)
    if proc.returncode != 0:
        return f"`git init` failed: {proc.stderr.strip()}"
    return ""


def _how_to_run() -> str:
    """`kbgen` when that is on PATH; else the path of this kbgen (a venv's
    bin/kbgen that was called by its path), so the next steps work as printed."""
    argv0 = Path(sys.argv[0])
    if shutil.which("kbgen") or argv0.name != "kbgen":
        return "kbgen"
    return str(argv0.resolve())


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="Support knowledge base", show_default=True, help="The site name.")
@click.option("--package", "package", default=None, metavar="REQUIREMENT",
              help="What the CI workflows pip-install kbgen from (kbgen is not on PyPI), e.g. "
                   "git+https://github.com/ORG/kbgen@v0.1.0. Default: where this kbgen came from when that "
                   "is a git URL; otherwise set the repository variable KBGEN_PACKAGE.")
@click.option("--git/--no-git", "git", default=True, show_default=True, help="Run `git init` in the new folder.")
def command(directory, name, package, git):
    """Create a new, minimal knowledge-base repository that builds as it stands."""
    from ..outputs.schemas import write_schemas
    from ..scaffold import KB_TEMPLATE
    if directory.exists() and not directory.is_dir():
        click.echo(f"kbgen init: {directory} is a file; give the name of a new folder (kbgen init my-kb)", err=True)
        sys.exit(1)
    if directory.exists() and any(directory.iterdir()):
        click.echo(f"kbgen init: {directory} is not empty, and init never overwrites files.\n"
                   f"  Give a new folder name (kbgen init my-kb), or empty {directory} first.\n"
                   f"  To make an existing folder a knowledge base, copy mkdocs.yml from a new one "
                   f"and put pages in content/ and runbooks/.", err=True)
        sys.exit(1)
    today = dt.date.today().isoformat()
    package = _installed_from() if package is None else package
    for src in sorted(KB_TEMPLATE.rglob("*")):
        if src.is_dir() or "__pycache__" in src.parts:
            continue
        dest = directory / src.relative_to(KB_TEMPLATE)
        dest.parent.mkdir(parents=True, exist_ok=True)
        text = src.read_text(encoding="utf-8")
        text = text.replace("__SITE_NAME__", name).replace("__TODAY__", today).replace("__KBGEN_PACKAGE__", package)
        dest.write_text(text, encoding="utf-8")
    write_schemas(directory / "schemas")
    problem = _git_init(directory) if git else ""
    exe = _how_to_run()
    click.echo(f"Created a knowledge base in {directory}" + (" (a git repository)" if git and not problem else "")
               + ". Next:\n"
               f"  cd {directory}\n  {exe} validate\n  {exe} serve")
    if problem:
        click.echo(f"kbgen init: {problem}", err=True)
    if not package:
        click.echo("kbgen init: the CI workflows need to know where to install kbgen from (it is not on PyPI): "
                   "set the repository variable KBGEN_PACKAGE, or run init with --package", err=True)
