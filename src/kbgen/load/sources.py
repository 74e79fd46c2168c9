"""Find and parse every source file of a KB into documents with positions.

Everything is loaded before any reference is resolved, so the rules see the
whole knowledge base (as Pelican does)."""
from __future__ import annotations

import copy
import os
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ..config import Config
from ..diagnostics.problems import Report
from ..markdown import defer_read, read_deferred
from ..model.doc import Doc, Sources
from ..read.configfile import CONFIG_NAMES, KBGEN_CONFIG
from ..read.conventions import markup
from ..read.conventions.owners import OWNER_FILES
from ..read.files import read_text, split_front_matter
from ..read.yamlload import Loaded, load
from ..schema import PASSTHROUGH_KEYS, ArticleMeta, RunbookMeta
from ..schema.errors import MARKINGS, clean_loc, describe, did_you_mean, report_validation
from ..schema.scalars import report_as_written
from ..text.globs import matches
from .assets import check_asset, is_host_file

YAML_EXT = (".yaml", ".yml")
MD_EXT = (".md", ".markdown")


# Files that configure the repository, never pages, wherever the pages start.
CONFIG_FILES = frozenset(CONFIG_NAMES + (KBGEN_CONFIG,))


MAX_FOLDER_DEPTH = 32  # folders below content/ or runbooks/; deeper is a mistake or an attack (KB118)


def _walk(base: Path, root: Path, report: Report | None):
    """Files under base, sorted, dot-names skipped (.git, .kbgen), as in MkDocs.
    Symlinks are followed only inside the KB root: one that leads outside is a
    located problem and nothing of it is read (issue 9). Linear in the tree:
    a folder's real path is its parent's plus its name (only a symlink is
    resolved), and folders deeper than MAX_FOLDER_DEPTH are not read (KB118)."""
    if not base.is_dir():
        return
    real_root = root.resolve()
    start = base.resolve()
    seen = {start}
    stack: list[tuple[Path, Path, int]] = [(base, start, 0)]  # (path, its real path, depth)
    while stack:
        folder, real, depth = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        files, subdirs = [], []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            if entry.is_symlink():
                target = _inside(path, real_root)
                if target is None:
                    if report is not None:
                        report.error(path.relative_to(root).as_posix(), (1, 1), "KB115",
                                     f"symbolic link to {os.readlink(path)}, which is outside the knowledge base "
                                     "or missing; it is not read",
                                     "copy what you need into the repository, or link to a file inside it")
                elif target.is_dir():
                    if target not in seen:  # a link back up the tree is walked once
                        seen.add(target)
                        subdirs.append((path, target))
                elif target.is_file():
                    files.append(path)  # validated as what it points to
            elif entry.is_dir(follow_symlinks=False):
                inner = real / entry.name
                seen.add(inner)
                subdirs.append((path, inner))
            elif entry.is_file(follow_symlinks=False):
                files.append(path)
        # as os.walk did: a folder's files, then its subfolders in name order
        yield from files
        if subdirs and depth + 1 > MAX_FOLDER_DEPTH:
            if report is not None:
                report.error(subdirs[0][0].relative_to(root).as_posix(), (1, 1), "KB118",
                             f"folders nest deeper than {MAX_FOLDER_DEPTH} levels here; nothing below is read",
                             "flatten the folders: a page's address repeats every folder name")
            continue
        stack.extend((p, r, depth + 1) for p, r in reversed(subdirs))


def _inside(path: Path, real_root: Path) -> Path | None:
    """The symlink's target when it exists inside the KB root, else None."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None  # dangling, or a loop
    if target == real_root or real_root in target.parents:
        return target
    return None


def discover(cfg: Config, report: Report | None = None) -> list[tuple[Path, str, str]]:
    """(path, rel, area) for every source file, content/ first, sorted. Files
    matching the option `ignore` are not content (manifests, CI files)."""
    out = []
    ignore = cfg.options.ignore
    content = cfg.content_dir.resolve()
    runbooks = cfg.runbooks_dir.resolve()
    at_root = content == cfg.root.resolve()
    bases = [("content", cfg.content_dir)]
    if runbooks != content and content not in runbooks.parents:
        bases.append(("runbooks", cfg.runbooks_dir))  # else it was walked already, as pages
    for area, base in bases:
        for path in _walk(base, cfg.root, report):
            rel = path.relative_to(cfg.root).as_posix()
            name = path.name
            if name in OWNER_FILES or (at_root and "/" not in rel and (name in CONFIG_FILES or is_host_file(name))):
                continue  # the repository's own files (its host's configuration too), never content
            if ignore and matches(rel, ignore):
                continue
            out.append((path, rel, area))
    return out


def load_sources(cfg: Config, report: Report) -> Sources:
    src = Sources()
    for path, rel, area in discover(cfg, report):
        load_file(cfg, path, rel, area, report, src)
    read_deferred(cfg)  # every page's Markdown, on every core for a large KB
    return src


def load_file(cfg: Config, path: Path, rel: str, area: str, report: Report, src: Sources) -> Doc | None:
    """One source file as load_sources reads it, added to src: its Doc, or
    None for an asset or a draft (listed in src) or a file that does not load
    (reported). A page's Markdown reading may be deferred: call
    kbgen.markdown.read_deferred(cfg) after the last file."""
    opts = cfg.options
    name = path.name.lower()
    if name.endswith(YAML_EXT):
        report.files += 1
        doc = _load_yaml(path, rel, area, cfg, report)
    elif name.endswith(MD_EXT):
        report.files += 1
        folder_pages = {n.lower() for n in opts.folder_pages}
        kind = "runbook" if area == "runbooks" else "article"
        # a runbook location's other files are articles (its README, a folder page)
        if opts.runbook_paths and area == "content" and name not in folder_pages and matches(rel, opts.runbook_paths):
            kind = "runbook"
        doc = _load_markdown(path, rel, area, cfg, report, kind, src)
        if doc is not None and name in folder_pages and name not in ("index.md", "readme.md") \
                and not doc.body.strip():
            doc.section = True  # Hugo's empty _index.md: kbgen lists the folder's pages (kbgen.model)
        if doc is not None and opts.alert_catalogues and kind == "article" and matches(rel, opts.alert_catalogues):
            doc.catalogue = True
    else:
        # images and files beside pages and runbooks: published when linked
        # (kbgen.rules.links reports files in the runbooks folder nothing links to),
        # unless a browser or a host would run them (kbgen.load.assets)
        if _named_by_config(cfg, rel) or check_asset(path, rel, report):
            src.assets.append(rel)
        return None
    if doc is not None:
        src.docs.append(doc)
    return doc


def _named_by_config(cfg: Config, rel: str) -> bool:
    """A file mkdocs.yml names (extra_javascript, the logo): the maintainers'."""
    docs = cfg.docs_dir.strip("/")
    inner = rel[len(docs) + 1:] if docs not in ("", ".") and rel.startswith(docs + "/") else rel
    return inner in cfg.named_files()


def _load_yaml(path: Path, rel: str, area: str, cfg: Config, report: Report) -> Doc | None:
    text = read_text(path, rel, report, cfg.options.max_file_size)
    if text is None:
        return None
    if not text.strip():
        report.error(rel, (1, 1), "KB106", "file is empty",
                     "a data file starts with 'kind:' followed by its fields; delete the file if it is not needed")
        return None
    loaded = load(text)
    for e in loaded.errors:
        report.error(rel, (e.line, e.column), e.code, e.message, e.hint)
    if loaded.data is None and loaded.errors:
        return None
    data = loaded.data
    if not isinstance(data, dict):
        what = "a list" if isinstance(data, list) else "a single value"
        report.error(rel, loaded.where(()), "KB104", f"the file holds {what}; a data file must be a mapping",
                     "start the file with 'kind: <kind>' and give the fields as 'key: value' lines")
        return None
    kind = data.get("kind")
    names = cfg.kinds.names()
    if not isinstance(kind, str) or cfg.kinds.named(kind) is None:
        if kind is None:
            report.error(rel, (1, 1), "KB107", "file has no 'kind'; kbgen cannot tell what it is",
                         f"add 'kind: <kind>' at the top; kinds: {', '.join(names)}")
        elif not isinstance(kind, str):  # kind: [faq], kind: {a: b}
            report.error(rel, loaded.where(("kind",)), "KB107", f"'kind' is {describe(kind)}; it must be one kind name",
                         f"kinds: {', '.join(names)}")
        else:
            report.error(rel, loaded.where(("kind",)), "KB107", f"unknown kind '{kind}'",
                         did_you_mean(kind, names) or f"kinds: {', '.join(names)}")
        return None
    model: type[BaseModel] = cfg.kinds.named(kind).model  # type: ignore[union-attr,assignment]  # named: checked above
    _narrowest_audience(loaded, rel, report)
    doc = Doc(rel, area, "yaml", kind, text, loaded)
    report_as_written(model, loaded, rel, report)  # `code: 01000` is the text 01000
    try:
        doc.obj = model.model_validate(data)
    except ValidationError as exc:
        report_validation(exc, model, loaded, rel, report)
        doc.obj = _salvage(model, data, exc)
        doc.salvaged = True
    return doc


def _salvage(model: type[BaseModel], data: dict, exc: ValidationError) -> BaseModel | None:
    """A typed object without the parts that failed, so that one typo does not
    also hide the file from every other check (no cascade, no silence): a bad
    list entry is dropped, a bad field is dropped, the rest is kept."""
    data = copy.deepcopy(data)
    required = {n for n, f in model.model_fields.items() if f.is_required()}
    seen: set = set()
    for _ in range(8):
        drops: set[tuple] = set()
        for err in exc.errors():
            loc = tuple(err["loc"])
            if not loc:
                return None
            # Drop as little as possible (escalation.when, not all of escalation),
            # so the rules still check the rest of the block; a value that keeps
            # failing, or a missing field, takes its parent with it.
            path = clean_loc(loc, data)
            if err["type"] == "missing" or (path, err["type"]) in seen or _marking(path):
                path = path[:-1]
            if not path and _marking(clean_loc(loc, data)):
                return None  # the file's own audience or draft mark is unreadable: nothing of it is kept
            seen.add((path, err["type"]))
            drops.add(path or loc[:1])
        if any(len(d) == 1 and d[0] in required for d in drops):
            return None
        # delete deepest-first and highest index first, so indexes stay valid
        for path in sorted(drops, key=lambda d: (len(d), d[-1] if isinstance(d[-1], int) else -1), reverse=True):
            _delete(data, path)
        try:
            return model.model_validate(data)
        except ValidationError as again:
            exc = again
    return None


def _marking(path: tuple) -> bool:
    """A path to an audience (or draft) mark: when its value cannot be read,
    the entry or file that carries it is dropped, never kept with the mark
    left out (which would make it public under a public default)."""
    return bool(path) and isinstance(path[-1], str) and path[-1].strip().casefold() in MARKINGS


def _draft(data: dict) -> bool:
    """A draft in any front-matter flavour: `draft:` anything but false (Hugo,
    Material's blog), or Jekyll's `published: false`."""
    return ("draft" in data and data["draft"] is not False) or ("published" in data and data["published"] is not True)


def _narrowest_audience(loaded: Loaded, rel: str, report: Report) -> None:
    """An audience given twice in one mapping (YAML keeps the last, KB103) is
    read as internal, the narrower of the two; so is an empty one (an error)."""
    data = loaded.data
    if isinstance(data, dict) and "audience" in data and data["audience"] is None:
        report.error(rel, loaded.where(("audience",), key=True), "KB206", "'audience' is empty; expected 'public' or "
                     "'internal'", "write the audience, or remove the key to take the folder's or the site's default")
        data["audience"] = "internal"
    for path in loaded.duplicates:
        if path and isinstance(path[-1], str) and path[-1].casefold() == "audience":
            node = loaded.data
            for part in path[:-1]:
                node = node[part] if isinstance(node, (dict, list)) else None
            if isinstance(node, dict):
                node[path[-1]] = "internal"


def _delete(data, path: tuple) -> None:
    node = data
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return
    try:
        del node[path[-1]]
    except (KeyError, IndexError, TypeError):
        pass


# Front-matter keys of other site generators: understood, or passed through untouched.
FLAVOUR_KEYS = {
    "hugo": frozenset({"weight", "draft", "aliases", "type", "menu", "slug", "url", "layout", "date", "lastmod",
                       "publishDate", "expiryDate", "keywords", "categories", "linkTitle", "toc", "params",
                       "bookHidden", "bookCollapseSection", "bookFlatSection", "bookToc", "bookComments",
                       "bookSearchExclude", "headless", "cascade", "outputs", "markup", "resources"}),
    "jekyll": frozenset({"layout", "permalink", "nav_order", "parent", "grand_parent", "has_children",
                         "nav_exclude", "has_toc", "categories", "date", "published", "redirect_from",
                         "excerpt", "author", "last_modified_date"}),
    "kbgen": frozenset(),
}


def _load_markdown(path: Path, rel: str, area: str, cfg: Config, report: Report,
                   kind: str | None = None, src: Sources | None = None) -> Doc | None:
    text = read_text(path, rel, report, cfg.options.max_file_size)
    if text is None:
        return None
    opts = cfg.options
    fm = split_front_matter(text)
    loaded = fm.meta or Loaded(data={})
    for e in loaded.errors:
        report.error(rel, (e.line, e.column), e.code,
                     ("front matter: " + e.message) if e.code not in ("KB108", "KB112") else e.message, e.hint)
    kind = kind or ("runbook" if area == "runbooks" else "article")
    flavour = opts.front_matter
    if isinstance(loaded.data, dict) and _draft(loaded.data):
        if src is not None:
            src.drafts.append(rel)  # its author, or its generator, would not publish it; neither does kbgen
        return None
    _narrowest_audience(loaded, rel, report)
    # Hugo's {{< ref >}} and GitLab's [[_TOC_]] become plain Markdown, line for line
    body = markup.rewrite(fm.body, fm.body_line, flavour == "hugo", opts.hugo_params)
    doc = Doc(rel, area, "md", kind, text, loaded, body=body, body_line=fm.body_line)
    defer_read(cfg, doc, rel, body, fm.body_line)  # kbgen.markdown: the renderer's own reading, all pages at once
    data = loaded.data
    if loaded.errors and data is None:
        return doc
    if data is None:
        data = loaded.data = {}
    if not isinstance(data, dict):
        report.error(rel, loaded.where(()), "KB104", "front matter must be a mapping of 'key: value' lines")
        loaded.data = {}
        return doc
    model = RunbookMeta if kind == "runbook" else ArticleMeta
    # MkDocs and Material keys pass through untouched (their types are theirs).
    report_as_written(model, loaded, rel, report, skip=PASSTHROUGH_KEYS - set(model.model_fields))
    own = {k: v for k, v in data.items()
           if (k not in PASSTHROUGH_KEYS or k in model.model_fields) and k not in ("draft", "published")}
    # ... and so do the keys of the repository's own site generator (option front_matter)
    foreign = FLAVOUR_KEYS[flavour] | set(opts.front_matter_keys)
    if foreign:
        own = _foreign(own, foreign, flavour, kind)
    try:
        doc.obj = model.model_validate(own)
    except ValidationError as exc:
        report_validation(exc, model, loaded, rel, report, front_matter=True, passthrough=PASSTHROUGH_KEYS)
        # unknown keys are only warnings in Markdown: the page still builds
        doc.obj = _salvage(model, own, exc)
    return doc


def _foreign(own: dict, foreign, flavour: str, kind: str) -> dict:
    """Front matter without another generator's keys. Hugo's aliases and
    Jekyll's redirect_from (paths the page had before) become a runbook's
    kbgen aliases when they end in a slug, so old links still redirect."""
    out = {k: v for k, v in own.items() if k not in foreign}
    old = own.get("aliases") if flavour == "hugo" else own.get("redirect_from") if flavour == "jekyll" else None
    if kind == "runbook" and isinstance(old, list):
        slugs = []
        for a in old:
            seg = str(a).strip("/").rsplit("/", 1)[-1].lower()
            if seg[:1].isalnum() and all((c.isascii() and c.isalnum()) or c == "-" for c in seg):
                slugs.append(seg)
        if slugs:
            out["aliases"] = slugs
    return out
