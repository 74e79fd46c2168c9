"""kbgen new [ROOT] KIND TITLE [--format yaml|md]

KIND: article, or any kind of YAML file the knowledge base knows (its
registry: kbgen's kinds and those packages or mkdocs.yml add)."""
from __future__ import annotations

import json
import os
import posixpath
import re
import sys
from pathlib import Path

import click

from .common import config_or_exit, is_kb_root, require_kb, root_alias_option

ARTICLE = "article"
# what a typed-in kind may be when no knowledge base has been read yet (ROOT detection)
BUILTIN = ("article", "runbook", "error-codes", "sla", "tiers", "contacts", "templates", "faq", "alerts")


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


def kinds_of(cfg) -> list[str]:
    """What `kbgen new` can write: an article, and every YAML kind of the registry."""
    return [ARTICLE, *cfg.kinds.names()]


def _split(words: tuple[str, ...], root_option: Path | None) -> tuple[Path, list[str]]:
    """[ROOT] KIND TITLE...: the first word is ROOT when it is a knowledge-base
    folder, or when the word after it is a kind (a ROOT that is not a KB is
    then said so, not taken for a kind)."""
    rest = list(words)
    if root_option is not None:
        return root_option, rest
    if len(rest) > 1 and rest[0] not in BUILTIN and (is_kb_root(Path(rest[0])) or rest[1] in BUILTIN):
        return Path(rest.pop(0)), rest
    return Path("."), rest


def _kind_and_title(rest: list[str], kinds: list[str]) -> tuple[str, str]:
    usage = f"kbgen new [ROOT] KIND TITLE, where KIND is one of: {', '.join(kinds)}"
    if not rest:
        raise click.UsageError(f"say what to create: {usage}")
    kind = rest[0]
    if kind not in kinds:
        from ..schema.errors import did_you_mean
        guess = did_you_mean(kind, kinds)
        raise click.UsageError(f"unknown kind '{kind}'" + (f" ({guess})" if guess else "") + f": {usage}")
    title = " ".join(rest[1:]).strip()
    if not title:
        raise click.UsageError(f"give the {kind} a title, e.g. kbgen new {kind} \"Payment webhook failures\"")
    return kind, title


def _schemas(cfg, name: str) -> Path:
    """The editor schema `name`, written (and said so) only when missing or out of date."""
    from ..outputs.schemas import kind_schema, write_schemas
    folder = cfg.root / "schemas"
    path = folder / f"{name}.schema.json"
    text = json.dumps(kind_schema(name, cfg.kinds), indent=2, sort_keys=True) + "\n"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        existed = folder.is_dir()
        write_schemas(folder, cfg.kinds)
        click.echo(f"kbgen new: {'updated' if existed else 'wrote'} the editor schemas in "
                   f"{folder.relative_to(cfg.root)}/ (commit them: the new file points to one)", err=True)
    return path


def _required_fields(model) -> str:
    """YAML for the fields of an added kind's model that a file must have
    beyond the common ones: text gets a placeholder, a list of entries one
    entry with its own required text fields."""
    from ..schema.common import DataFile
    from ..schema.errors import model_at
    out = []
    for name, field in model.model_fields.items():
        if name in DataFile.model_fields or name == "kind" or not field.is_required():
            continue
        key = field.alias or name
        entry = model_at(model, (name,))
        if entry is not None and entry is not model:  # a list of entries (or one mapping)
            lines = [f"{f.alias or n}: Replace this placeholder." for n, f in entry.model_fields.items()
                     if f.is_required()]
            first, *more = lines or ["{}"]
            out.append(f"{key}:\n  - {first}\n" + "".join(f"    {line}\n" for line in more))
        else:
            out.append(f"{key}: Replace this placeholder.\n")
    return "".join(out)


def _markdown_runbook_sections(cfg) -> str:
    from ..scaffold import SECTION_TEXT
    names = [s if isinstance(s, str) else s.name for s in cfg.options.runbook_sections]
    return "\n".join(f"## {n}\n\n{SECTION_TEXT.get(n.lower(), 'Write this section.')}\n" for n in names)


@click.command("new")
@click.argument("words", nargs=-1, required=True, metavar="[ROOT] KIND TITLE...")
@root_alias_option
@click.option("--id", "ident", default=None, help="The id (default: from the title; made unique).")
@click.option("--product", "products", multiple=True, help="A product id (repeatable).")
@click.option("--audience", type=click.Choice(["public", "internal"]), default=None,
              help="Default: the plugin option default_audience.")
@click.option("--owner", default=None, help="Team or person (default: $USER).")
@click.option("--dir", "subdir", default="", help="Subfolder of runbooks/ or of the docs folder.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "md"]), default=None,
              help="A runbook as YAML (default) or as structured Markdown (md).")
def command(words, root_option, ident, products, audience, owner, subdir, fmt):
    """Scaffold a valid file with a unique id, today's review date and editor schema.

    KIND is article or any kind of YAML file the knowledge base knows (runbook,
    error-codes, sla, tiers, contacts, templates, faq, alerts, and kinds that
    packages add). ROOT is the knowledge base (default: the current directory).
    The file holds placeholder text to replace: `kbgen validate --strict`
    flags it (KB212) until it is gone."""
    from ..scaffold import ARTICLE as ARTICLE_TEXT
    from ..scaffold import HEADER, NEW, RUNBOOK_MARKDOWN
    from ..validate import validate_config
    root, rest = _split(words, root_option)
    cfg = config_or_exit(root)
    require_kb(cfg, "new")
    kind, title = _kind_and_title(rest, kinds_of(cfg))
    if fmt is not None and kind != "runbook":
        raise click.BadParameter(f"only a runbook comes in two formats; a {kind} is "
                                 f"{'Markdown' if kind == ARTICLE else 'YAML'}", param_hint="--format")
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
    markdown = kind == ARTICLE or fmt == "md"
    base = cfg.runbooks_dir if kind == "runbook" else cfg.content_dir
    path = base / subdir / f"{ident}{'.md' if markdown else '.yaml'}"
    if path.exists():
        click.echo(f"kbgen new: {path} already exists; not overwriting it", err=True)
        sys.exit(1)
    values = dict(id=ident, title=_yaml_text(title), heading=title, kind=kind,
                  audience=audience or cfg.options.default_audience, products=", ".join(products),
                  owner=owner or os.environ.get("USER") or "docs", today=cfg.today.isoformat(),
                  code=f"{ident.upper()[:10].rstrip('-')}-001")
    if kind == ARTICLE:
        text = ARTICLE_TEXT.format(**values)
    elif markdown:
        text = RUNBOOK_MARKDOWN.format(**values, sections=_markdown_runbook_sections(cfg))
    else:
        schema = posixpath.relpath(_schemas(cfg, kind).as_posix(), path.parent.as_posix())
        summary, body = NEW.get(kind) or ("One line on what this holds.", "")
        body = body.format(**values) if kind in NEW else _required_fields(cfg.kinds.named(kind).model)
        text = HEADER.format(**values, schema=schema, summary=summary) + body
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    click.echo(path.relative_to(cfg.root).as_posix())  # from the KB root, wherever kbgen runs
    click.echo("kbgen new: replace the placeholder text in it, then run `kbgen validate --strict`", err=True)
