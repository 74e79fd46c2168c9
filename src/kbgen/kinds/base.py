"""What kbgen knows about one kind of content, in one object.

A kind declares its schema model, page template, anchors, titles, search
text and weights, export sections, kb.json data, references to other
entities, index pages and audience filtering. The rest of kbgen asks an
entity's kind (`ent.kind`) instead of comparing type names, so adding a kind
is one module and one template (docs/content-model-extensions.md).

Every method has a default that suits a plain data kind; a kind overrides
what it does differently. Methods get the audience-filtered knowledge base
they work on (`kb`) and the entity (`ent`); `memo(kb, key, fn)` keeps a
KB-wide lookup for the whole build instead of one scan per entity.
"""
from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..markdown import scan_markdown
from ..model.links import MARKDOWN_FIELDS
from ..text.plaintext import plain

if TYPE_CHECKING:
    from ..model.entities import Entity, KnowledgeBase


@dataclass
class Ref:
    """A reference one entity's data makes to another: checked to resolve
    (KB303-307), and, on public content, to be defined publicly (KB504)."""
    to: str                 # "code", "tier", "priority" or "runbook"
    path: tuple             # where in the source file (for the diagnostic's line and column)
    value: str


def entry_refs(field: str, entries) -> Iterable[Ref]:
    """The runbook and the severity each entry of a list names (an error
    table's codes, an alert catalogue's alerts), at (field, i, name)."""
    for i, e in enumerate(entries):
        if e.runbook:
            yield Ref("runbook", (field, i, "runbook"), e.runbook)
        if e.severity:
            yield Ref("priority", (field, i, "severity"), e.severity)


@dataclass
class SearchText:
    """The fields of an entity's agent-search document (kbgen.search.documents)."""
    symptoms: list[str] = field(default_factory=list)   # what a reader sees or types: ranks above body text
    body: list[str] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)        # normalised codes it answers exactly
    hints: list[str] = field(default_factory=list)      # words readers use for this kind: searched, never shown


@dataclass
class Listing:
    """A page listing entities under group headings (a group with no
    heading: ""), sorted by title within each group; past INDEX_CHUNK
    entries, a page of parts (kbgen.pages.listings)."""
    title: str
    path: str                                  # docs-relative .md path
    intro: str = ""                            # Markdown, escaped already
    groups: list[tuple[str, list]] = field(default_factory=list)  # (heading, entities)


@dataclass
class CodeTable:
    """error-codes/: every error code of the view in one table, with its
    message, table and runbook (kbgen.pages.listings.code_table_pages)."""


@dataclass
class Part:
    """A part of a page that answers a question on its own (an FAQ question,
    a template, one alert): its own search document, linked to its anchor."""
    anchor: str
    title: str
    symptoms: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)
    hints: list[str] = field(default_factory=list)


def memo(kb: "KnowledgeBase", key: str, fn: Callable[[], Any]) -> Any:
    """fn() once per knowledge base view (a build renders, indexes and exports one view)."""
    cache = vars(kb).setdefault("_kind_memo", {})
    if key not in cache:
        cache[key] = fn()
    return cache[key]


def index(kb: "KnowledgeBase", name: str) -> Any:
    """One of the knowledge base's lookups (runbook_by_alias, tiers_index,
    priorities_index), made once per view and shared by every page, rule and
    output that asks: each is a scan of the whole KB."""
    return memo(kb, name, getattr(kb, name))


def remember(kb: "KnowledgeBase", key: str, value: Any) -> None:
    """Set what memo(kb, key, ...) returns (a caller that computed it already)."""
    vars(kb).setdefault("_kind_memo", {})[key] = value


def forget(kb: "KnowledgeBase") -> None:
    """Drop the memos of a knowledge base changed in place (an incremental update)."""
    vars(kb).pop("_kind_memo", None)


class Kind:
    type: ClassVar[str]                    # the entity type in kb.json and search ("error-table")
    name: ClassVar[str | None] = None      # the `kind:` of its YAML files ("error-codes"); None: not a YAML kind
    model: ClassVar[builtins.type | None] = None  # the pydantic model of such a file
    template: ClassVar[str | None] = None  # the Jinja template of its page
    facts_template: ClassVar[str | None] = None  # a Markdown source's facts under its title (runbooks)
    template_dir: ClassVar[Path | None] = None  # where that template is, when not among kbgen's own
    title: ClassVar[str]                   # a listing of them: "Error codes"
    label: ClassVar[str]                   # one of them, in search results: "Error codes"
    order: ClassVar[int] = 100             # place in listings (llms.txt, product pages)
    page_boost: ClassVar[float | None] = None   # the page's weight in the site's search
    search_weight: ClassVar[float] = 1.0        # agent search: the whole entity
    part_weight: ClassVar[float | None] = None  # agent search: one of its parts (None: search_weight)
    exact_rank: ClassVar[int] = 2          # among exact code matches, lower comes first
    listed: ClassVar[bool] = True          # in listings: llms.txt, product pages (not the codes inside a table)
    browse: ClassVar[bool] = True          # listed on its own browse/<type>/ page
    # the navigation (kbgen.pages.navigation): a section of its own, titled `title` and opened
    # by its listing (index_path), inside the section nav_group names when there is one;
    # in_folders: its pages stay in the writers' folders instead (articles)
    nav_group: ClassVar[str | None] = None
    in_folders: ClassVar[bool] = False
    data_schema: ClassVar[dict | None] = None  # what its kb.json `data` must hold (JSON Schema)
    # fields (by name, at any depth of its object) whose text is Markdown: read, checked, rendered as Markdown
    markdown_fields: ClassVar[frozenset[str]] = MARKDOWN_FIELDS

    # -- the model -------------------------------------------------------------

    def prepare(self, ent: "Entity", kb: "KnowledgeBase") -> None:
        """Complete an entity from the conventions in force, before anything reads it."""

    def anchors(self, ent: "Entity") -> Iterable[str]:
        """The ids its page has besides the headings of Markdown (links to them are checked)."""
        return ()

    def children(self, ent: "Entity", report) -> Iterable["Entity"]:
        """Entities inside this one with their own identity (the codes of a table)."""
        return ()

    def code(self, ent: "Entity") -> str | None:
        """The code an entity is (an error code): looked up by code, in any spelling."""
        return None

    # -- checks ----------------------------------------------------------------

    def references(self, ent: "Entity") -> Iterable[Ref]:
        return ()

    def check(self, kb: "KnowledgeBase", ent: "Entity", report) -> None:
        """Checks only this kind has (beyond its schema and its references)."""

    def checked_files(self, ent: "Entity") -> Iterable[str]:
        """Files this entity names that kbgen reads to check, never publishes (KB-root paths)."""
        return ()

    def for_audience(self, ent: "Entity", audience: str):
        """Its object as readers of this audience see it; None: as it is."""
        return None

    # -- the page --------------------------------------------------------------

    def page_context(self, kb: "KnowledgeBase", ent: "Entity", ctx: dict) -> dict:
        """Template variables beyond the common ones (e, o, link, internal, meta, description, kb)."""
        return {}

    @property
    def index_path(self) -> str:
        """Its listing page, which opens its section of the navigation."""
        return f"browse/{self.type}/index.md"

    def listings(self, kb: "KnowledgeBase", entities: list["Entity"]) -> list["Listing | CodeTable"]:
        """The pages listing the entities of this kind, as data the page
        writer (kbgen.pages.listings) turns into pages; default: browse/<type>/."""
        if not self.browse or not entities:
            return []
        return [Listing(self.title, self.index_path, "", [("", entities)])]

    # -- search, export, kb.json ----------------------------------------------

    def search_text(self, kb: "KnowledgeBase", ent: "Entity", text: SearchText) -> None:
        """Fill the search document's fields (the summary is in body already)."""

    def parts(self, kb: "KnowledgeBase", ent: "Entity") -> list[Part]:
        return []

    def sections(self, kb: "KnowledgeBase", ent: "Entity") -> list[tuple[str, str, str, list[str]]]:
        """(anchor, title, text, error codes) of each section of its page, for the export."""
        return [("", ent.title, ent.summary, [])]

    def data(self, kb: "KnowledgeBase", ent: "Entity", data: dict, refs) -> dict:
        """Its kb.json `data`: `data` holds the object's fields beyond the common ones;
        refs (kbgen.outputs.kbjson.Refs) tells what this audience can see."""
        return data

    def __repr__(self) -> str:
        return f"<kind {self.type}>"


def markdown_sections(title: str, body: str) -> list[tuple[str, str, str]]:
    """(anchor, section title, text) per H2 of a Markdown body; the intro first."""
    info = scan_markdown(body)
    lines = body.split("\n")
    h2 = [h for h in info.headings if h.level == 2]
    out = []
    end_intro = h2[0].line - 1 if h2 else len(lines)
    intro = "\n".join(lines[:end_intro])
    if plain(intro) != plain(f"# {title}") or not h2:  # an intro that is only the H1 is no section
        out.append(("", title, plain(intro)))
    for i, h in enumerate(h2):
        end = h2[i + 1].line - 1 if i + 1 < len(h2) else len(lines)
        out.append((h.anchor, h.text, plain("\n".join(lines[h.line:end]))))
    return out
