"""Find and parse every source file of a KB into documents with positions.

Everything is loaded before any reference is resolved, so the rules see the
whole knowledge base (as Pelican does)."""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .config import Config
from .diagnostics import Report
from .schema import KINDS, PASSTHROUGH_KEYS, ArticleMeta, RunbookMeta
from .schema.errors import clean_loc, did_you_mean, report_validation
from .markdown import read_page
from .source import MarkdownInfo, read_text, split_front_matter
from .yamlload import Loaded, load

YAML_EXT = (".yaml", ".yml")
MD_EXT = (".md", ".markdown")


@dataclass
class Doc:
    rel: str                  # path from the KB root, with '/'
    area: str                 # "content" or "runbooks"
    fmt: str                  # "yaml" or "md"
    kind: str                 # "article", "runbook", "error-codes", ...
    text: str
    loaded: Loaded            # YAML, or the Markdown front matter (positions)
    obj: BaseModel | None = None   # the typed object; None when its schema failed
    body: str = ""
    body_line: int = 1
    md: MarkdownInfo | None = None
    salvaged: bool = False    # obj was built without the fields that failed

    @property
    def data(self) -> dict:
        return self.loaded.data if isinstance(self.loaded.data, dict) else {}


@dataclass
class Sources:
    docs: list[Doc] = field(default_factory=list)
    assets: list[str] = field(default_factory=list)   # other files under content/ (images...)


def _walk(base: Path):
    if not base.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(base):
        # dot-folders (.git, .kbgen) and dot-files are never content, as in MkDocs
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def discover(cfg: Config) -> list[tuple[Path, str, str]]:
    """(path, rel, area) for every source file, content/ first, sorted."""
    out = []
    for area, base in (("content", cfg.content_dir), ("runbooks", cfg.runbooks_dir)):
        for path in _walk(base):
            out.append((path, path.relative_to(cfg.root).as_posix(), area))
    return out


def load_sources(cfg: Config, report: Report) -> Sources:
    src = Sources()
    for path, rel, area in discover(cfg):
        name = path.name.lower()
        if name.endswith(YAML_EXT):
            report.files += 1
            doc = _load_yaml(path, rel, area, cfg, report)
        elif name.endswith(MD_EXT):
            report.files += 1
            doc = _load_markdown(path, rel, area, cfg, report)
        elif area == "content":
            src.assets.append(rel)
            continue
        else:
            report.warning(rel, (1, 1), "KB110", "file in the runbooks folder is neither YAML nor Markdown; it is ignored",
                           "runbooks are *.yaml, *.yml or *.md; put images under the docs folder")
            continue
        if doc is not None:
            src.docs.append(doc)
    return src


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
    if kind not in KINDS:
        if kind is None:
            report.error(rel, (1, 1), "KB107", "file has no 'kind'; kbgen cannot tell what it is",
                         f"add 'kind: <kind>' at the top; kinds: {', '.join(KINDS)}")
        else:
            report.error(rel, loaded.where(("kind",)), "KB107", f"unknown kind '{kind}'",
                         did_you_mean(kind, KINDS) or f"kinds: {', '.join(KINDS)}")
        return None
    model = KINDS[kind]
    doc = Doc(rel, area, "yaml", kind, text, loaded)
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
            if err["type"] == "missing" or (path, err["type"]) in seen:
                path = path[:-1]
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


def _load_markdown(path: Path, rel: str, area: str, cfg: Config, report: Report) -> Doc | None:
    text = read_text(path, rel, report, cfg.options.max_file_size)
    if text is None:
        return None
    fm = split_front_matter(text)
    loaded = fm.meta or Loaded(data={})
    for e in loaded.errors:
        report.error(rel, (e.line, e.column), e.code,
                     ("front matter: " + e.message) if e.code != "KB108" else e.message, e.hint)
    kind = "runbook" if area == "runbooks" else "article"
    doc = Doc(rel, area, "md", kind, text, loaded, body=fm.body, body_line=fm.body_line)
    doc.md = read_page(cfg, rel, fm.body, fm.body_line)  # kbgen.markdown: the renderer's own reading
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
    own = {k: v for k, v in data.items() if k not in PASSTHROUGH_KEYS or k in model.model_fields}
    try:
        doc.obj = model.model_validate(own)
    except ValidationError as exc:
        report_validation(exc, model, loaded, rel, report, front_matter=True, passthrough=PASSTHROUGH_KEYS)
        # unknown keys are only warnings in Markdown: the page still builds
        doc.obj = _salvage(model, own, exc)
    return doc
