"""kbgen init DIR [--name NAME] [--site-url URL] [--branch NAME] [--package REQUIREMENT] [--no-git]"""
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


def _git_init(directory: Path, branch: str) -> str:
    """`git init` with `branch` as the initial branch (whatever git's own default
    is: `master` on many machines), so the first push is to the branch CI publishes."""
    if shutil.which("git") is None:
        return f"git is not installed: run `git init -b {branch}` in it once git is there"
    proc = subprocess.run(["git", "init", "-q", str(directory)], capture_output=True, text=True)
    if proc.returncode != 0:
        return f"`git init` failed: {proc.stderr.strip()}"
    # symbolic-ref, not `git init -b` (git 2.28+): the branch has no commit yet, so this names it
    proc = subprocess.run(["git", "-C", str(directory), "symbolic-ref", "HEAD", f"refs/heads/{branch}"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        return f"could not name the initial branch '{branch}': {proc.stderr.strip()}"
    return ""


def _how_to_run() -> str:
    """`kbgen` when that is on PATH; else the path of this kbgen (a venv's
    bin/kbgen that was called by its path), so the next steps work as printed."""
    argv0 = Path(sys.argv[0])
    if shutil.which("kbgen") or argv0.name != "kbgen":
        return "kbgen"
    return str(argv0.resolve())


def _check_branch(ctx, param, value: str) -> str:
    if not value or value.startswith(("-", "/")) or value.endswith(("/", ".lock")) or ".." in value \
            or any(c in value for c in " ~^:?*[\\\t"):
        raise click.BadParameter(f"'{value}' is not a git branch name (e.g. main)")
    return value


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default="Support knowledge base", show_default=True, help="The site name.")
@click.option("--site-url", default=None, metavar="URL",
              help="The public site's address (site_url: canonical links, the sitemap, kb.json, llms.txt). "
                   "Default: a placeholder that validation warns about until it is set (KB214).")
@click.option("--branch", default="main", show_default=True, callback=_check_branch,
              help="The repository's initial branch (git init); CI publishes from the default branch.")
@click.option("--package", "package", default=None, metavar="REQUIREMENT",
              help="What the CI workflows pip-install kbgen from (kbgen is not on PyPI), e.g. "
                   "git+https://github.com/ORG/kbgen@v0.1.0. Default: where this kbgen came from when that "
                   "is a git URL; otherwise set the repository variable KBGEN_PACKAGE.")
@click.option("--git/--no-git", "git", default=True, show_default=True, help="Run `git init` in the new folder.")
def command(directory, name, site_url, branch, package, git):
    """Create a new, minimal knowledge-base repository that builds as it stands
    (an existing repository of runbooks: `kbgen adopt`)."""
    from ..outputs.schemas import write_schemas
    from ..scaffold import KB_TEMPLATE, SITE_URL_PLACEHOLDER
    if directory.exists() and not directory.is_dir():
        click.echo(f"kbgen init: {directory} is a file; give the name of a new folder (kbgen init my-kb)", err=True)
        sys.exit(2)
    if directory.exists() and any(directory.iterdir()):
        click.echo(f"kbgen init: {directory} is not empty, and init never overwrites files.\n"
                   f"  A new knowledge base: give a new folder name (kbgen init my-kb).\n"
                   f"  Runbooks and docs already in {directory}: `kbgen adopt {directory}` makes it a knowledge "
                   f"base in place (docs/adopting.md).", err=True)
        sys.exit(2)
    today = dt.date.today().isoformat()
    package = _installed_from() if package is None else package
    values = {"__SITE_NAME__": name, "__TODAY__": today, "__KBGEN_PACKAGE__": package,
              "__SITE_URL__": site_url or SITE_URL_PLACEHOLDER}
    for src in sorted(KB_TEMPLATE.rglob("*")):
        if src.is_dir() or "__pycache__" in src.parts:
            continue
        dest = directory / src.relative_to(KB_TEMPLATE)
        dest.parent.mkdir(parents=True, exist_ok=True)
        text = src.read_text(encoding="utf-8")
        for key, value in values.items():
            text = text.replace(key, value)
        dest.write_text(text, encoding="utf-8")
    write_schemas(directory / "schemas")
    problem = _git_init(directory, branch) if git else ""
    exe = _how_to_run()
    made = f" (a git repository, branch {branch})" if git and not problem else ""
    click.echo(f"Created a knowledge base in {directory}{made}. README.md there is the writers' guide.")
    click.echo("Before the first publish (README.md, Publish):")
    if not site_url:
        click.echo("  - set site_url in mkdocs.yml to the public site's address (now a placeholder: "
                   "validation warns, KB214, and CI fails until it is set)")
    if not package:
        click.echo("  - set the repository variable KBGEN_PACKAGE: where CI installs kbgen from (it is not on PyPI)")
    click.echo("  - GitHub: Settings > Pages > Build and deployment > Source: \"GitHub Actions\"\n"
               "  - keep the repository private: the internal site is a CI artifact anyone who can read it can "
               "download")
    click.echo(f"Docs: `{exe} COMMAND --help`; kbgen's docs/ folder (writers.md, fields.md, ci.md).")
    click.echo(f"Next:\n  cd {directory}\n  {exe} validate\n  {exe} serve")
    if problem:
        click.echo(f"kbgen init: {problem}", err=True)
    if not package:
        click.echo("kbgen init: the CI workflows need to know where to install kbgen from (it is not on PyPI): "
                   "set the repository variable KBGEN_PACKAGE, or run init with --package", err=True)
