"""kbgen new runbook|article|error-codes|sla TITLE"""
from __future__ import annotations

import os
import posixpath
import re
import sys
from pathlib import Path

import click

from .common import config_or_exit

KINDS = ("runbook", "article", "error-codes", "sla")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "untitled"


def unique_id(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _yaml_text(value: str) -> str:
    import json
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a safe YAML scalar


@click.command("new")
@click.argument("kind", type=click.Choice(KINDS))
@click.argument("title", nargs=-1, required=True)
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True)
@click.option("--id", "ident", default=None, help="The id (default: from the title; made unique).")
@click.option("--product", "products", multiple=True, help="A product id (repeatable).")
@click.option("--audience", type=click.Choice(["public", "internal"]), default=None,
              help="Default: the plugin option default_audience.")
@click.option("--owner", default=None, help="Team or person (default: $USER).")
@click.option("--dir", "subdir", default="", help="Subfolder of runbooks/ or of the docs folder.")
def command(kind, title, root, ident, products, audience, owner, subdir):
    """Scaffold a valid file with a unique id, today's review date and editor schema."""
    from ..scaffold import NEW
    from ..schema.export import write_schemas
    from ..validate import validate_config
    title = " ".join(title).strip()
    cfg = config_or_exit(root)
    kb, _ = validate_config(cfg)
    taken = set(kb.entities) | set(kb.runbook_by_alias())
    if ident and ident in taken:
        click.echo(f"kbgen new: id '{ident}' is already used by {kb.entities[ident].source}", err=True)
        sys.exit(1)
    ident = ident or unique_id(slug(title), taken)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", ident):
        raise click.BadParameter(f"'{ident}' is not a slug (lower-case letters, digits, hyphens)", param_hint="--id")
    unknown = [p for p in products if p not in cfg.product_ids()]
    if unknown:
        raise click.BadParameter(f"unknown product {unknown[0]!r}; declared: {', '.join(sorted(cfg.product_ids()))}",
                                 param_hint="--product")
    if subdir and (subdir.startswith(("/", "\\")) or ".." in Path(subdir).parts):
        raise click.BadParameter("must be a folder inside the knowledge base", param_hint="--dir")
    base = cfg.runbooks_dir if kind == "runbook" else cfg.content_dir
    ext = ".md" if kind == "article" else ".yaml"
    path = base / subdir / f"{ident}{ext}"
    if path.exists():
        click.echo(f"kbgen new: {path} already exists; not overwriting it", err=True)
        sys.exit(1)
    schemas = cfg.root / "schemas"
    write_schemas(schemas)  # editors read them; refreshed so they match this kbgen
    schema_file = schemas / f"{kind}.schema.json"
    text = NEW[kind].format(
        id=ident, title=_yaml_text(title) if kind != "article" else _yaml_text(title),
        audience=audience or cfg.options.default_audience, products=", ".join(products),
        owner=owner or os.environ.get("USER") or "docs", today=cfg.today.isoformat(),
        code=f"{ident.upper()[:10].rstrip('-')}-001",
        schema=posixpath.relpath(schema_file.as_posix(), path.parent.as_posix()))
    if kind == "article":
        text = text.replace(f"# {_yaml_text(title)}", f"# {title}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(str(path.relative_to(cfg.root)))
