"""kbgen new [ROOT] runbook|article|error-codes|sla TITLE"""
from __future__ import annotations

import json
import os
import posixpath
import re
import sys
from pathlib import Path

import click

from .common import config_or_exit, is_kb_root, require_kb, root_alias_option

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
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a safe YAML scalar


def _split(words: tuple[str, ...], root_option: Path | None) -> tuple[Path, str, str]:
    """[ROOT] KIND TITLE...: ROOT is there when the first word is not a kind."""
    rest = list(words)
    root = root_option or Path(".")
    if rest and rest[0] not in KINDS and root_option is None and (len(rest) > 1 or is_kb_root(Path(rest[0]))):
        root = Path(rest.pop(0))
    if not rest or rest[0] not in KINDS:
        got = f" (got {rest[0]!r})" if rest else ""
        raise click.UsageError(f"say what to create: kbgen new [ROOT] {{{'|'.join(KINDS)}}} TITLE{got}")
    kind = rest.pop(0)
    title = " ".join(rest).strip()
    if not title:
        raise click.UsageError(f"give the {kind} a title, e.g. kbgen new {kind} \"Payment webhook failures\"")
    return root, kind, title


def _schemas(cfg, kind: str) -> Path:
    """The editor schema for kind, written (and said so) only when missing or out of date."""
    from ..outputs.schemas import kind_schema
    folder = cfg.root / "schemas"
    path = folder / f"{kind}.schema.json"
    text = json.dumps(kind_schema(kind), indent=2, sort_keys=True) + "\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        from ..outputs.schemas import write_schemas
        existed = folder.is_dir()
        write_schemas(folder)
        click.echo(f"kbgen new: {'updated' if existed else 'wrote'} the editor schemas in "
                   f"{folder.relative_to(cfg.root)}/ (commit them: the new file points to one)", err=True)
    return path


@click.command("new")
@click.argument("words", nargs=-1, required=True, metavar="[ROOT] {runbook|article|error-codes|sla} TITLE...")
@root_alias_option
@click.option("--id", "ident", default=None, help="The id (default: from the title; made unique).")
@click.option("--product", "products", multiple=True, help="A product id (repeatable).")
@click.option("--audience", type=click.Choice(["public", "internal"]), default=None,
              help="Default: the plugin option default_audience.")
@click.option("--owner", default=None, help="Team or person (default: $USER).")
@click.option("--dir", "subdir", default="", help="Subfolder of runbooks/ or of the docs folder.")
def command(words, root_option, ident, products, audience, owner, subdir):
    """Scaffold a valid file with a unique id, today's review date and editor schema.

    ROOT is the knowledge base (default: the current directory). The file holds
    placeholder text to replace: `kbgen validate --strict` flags it (KB212)
    until it is gone."""
    from ..scaffold import NEW
    from ..validate import validate_config
    root, kind, title = _split(words, root_option)
    cfg = config_or_exit(root)
    require_kb(cfg, "new")
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
    schema_file = _schemas(cfg, kind) if kind != "article" else cfg.root / "schemas" / "article.schema.json"
    text = NEW[kind].format(
        id=ident, title=_yaml_text(title),
        audience=audience or cfg.options.default_audience, products=", ".join(products),
        owner=owner or os.environ.get("USER") or "docs", today=cfg.today.isoformat(),
        code=f"{ident.upper()[:10].rstrip('-')}-001",
        schema=posixpath.relpath(schema_file.as_posix(), path.parent.as_posix()))
    if kind == "article":
        text = text.replace(f"# {_yaml_text(title)}", f"# {title}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(path.relative_to(cfg.root).as_posix())  # from the KB root, wherever kbgen runs
    click.echo("kbgen new: replace the placeholder text in it, then run `kbgen validate --strict`", err=True)
