"""What `kbgen mcp`'s tools answer: plain functions over the live view of
the knowledge base (kbgen.agents.live), and the shape of each answer as a
pydantic model, which the MCP SDK publishes as the tool's output schema and
sends as structuredContent.

Answers name entities by id and pages by their URL on the site (the
config's site_url), never by source path: an agent can quote and follow
them. A bad argument raises ToolError with what is allowed."""
from __future__ import annotations

import html
import re
from typing import Any, Literal

from pydantic import BaseModel

from ..kinds.runbook import RunbookKind, answered_codes
from ..outputs.kbjson import entity_json
from ..pages.entity import environment, render_entity
from ..pages.linker import SiteLinker
from ..pages.page import tidy
from ..text.anchors import code_anchor, normalize_code
from ..text.escape import code_spans

SEARCH_LIMIT = 100      # as `kbgen search --limit`
LIST_LIMIT = 200
LIST_DEFAULT = 50
RUNBOOK = RunbookKind.type


class ToolError(Exception):
    """A bad argument from the agent: answered as a tool error it can read and correct."""


# --- the answers' shapes (output schemas) -------------------------------------------------

class Summary(BaseModel):
    id: str
    type: str
    title: str
    url: str
    summary: str
    products: list[str]


class Hit(BaseModel):
    id: str
    type: str
    title: str
    url: str
    score: float
    snippet: str


class SearchAnswer(BaseModel):
    query: str
    results: list[Hit]
    suggestion: str | None = None


class EntityAnswer(BaseModel):
    """The entity's kb.json record, and its page as Markdown with links as site URLs."""
    id: str
    type: str
    title: str
    summary: str
    url: str
    path: str
    anchor: str | None = None
    audience: str
    products: list[str]
    tags: list[str]
    owner: str | None = None
    last_reviewed: str | None = None
    source: str
    data: dict[str, Any]
    markdown: str


class CodeEntry(Summary):
    code: str
    message: str
    table: str
    description: str
    causes: list[str]


class CodeAnswer(BaseModel):
    code: str
    matched_by: Literal["code", "message", "nothing"]  # "message": no such code; entries whose message matches
    entries: list[CodeEntry]
    runbooks: list[Summary]


class AlertEntry(BaseModel):
    alerts: str
    name: str
    condition: str | None = None
    severity: str | None = None
    description: str
    url: str
    runbook: str | None = None
    runbook_url: str | None = None


class AlertAnswer(BaseModel):
    alert: str
    runbooks: list[Summary]
    alert_entries: list[AlertEntry]


class ListAnswer(BaseModel):
    total: int                    # entities matching the filters, all pages
    offset: int
    count: int                    # in this answer
    next_offset: int | None       # ask again with this offset for the next page; None: this was the last
    entities: list[Summary]


# --- checks of the arguments ---------------------------------------------------------------

def _check_filters(state, type: str | None, product: str | None) -> None:
    types = state.cfg.kinds.types()  # the registry: a kind a package adds is a type too
    if type is not None and type not in types:
        raise ToolError(f"unknown type '{type}' (types: {', '.join(types)})")
    if product is not None and product not in state.cfg.product_ids():
        raise ToolError(f"unknown product '{product}' (products: {', '.join(sorted(state.cfg.product_ids()))})")


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ToolError(f"{name} must be between {low} and {high} (got {value})")


# --- the answers ---------------------------------------------------------------------------

def summary(kb, ent) -> Summary:
    return Summary(id=ent.id, type=ent.type, title=ent.title, url=kb.site_url(ent.url) or "./",
                   summary=ent.summary or "", products=list(ent.products))


def search_answer(state, query: str, type: str | None = None, product: str | None = None,
                  limit: int = 10) -> SearchAnswer:
    q = (query or "").strip()
    if not q:
        raise ToolError("the query is empty")
    _check_filters(state, type, product)
    _check_range("limit", limit, 1, SEARCH_LIMIT)
    result = state.query(q, limit=limit, type_=type, product=product)
    return SearchAnswer.model_validate(result.as_json())


def get_answer(state, id: str) -> EntityAnswer:
    kb = state.kb
    ent = kb.entities.get(id)
    if ent is None:
        # a public server answers an internal id exactly like an unknown one
        raise ToolError(f"no entity with id '{id}' (use the search or list tool to find ids)")
    return EntityAnswer(**entity_json(kb, ent), markdown=markdown(kb, ent))


def markdown(kb, ent) -> str:
    """The entity as Markdown for a reader outside the site: its page as the
    site renders it (an error code: its own entry), without the front matter,
    links as site URLs, and text as written (no HTML entities)."""
    if ent.parent:  # an entry of a table: its own entry, not the whole page
        return _entry(kb, ent)
    page = render_entity(kb, ent, environment(kb), linker=SiteLinker(kb, ent.page))
    text = _without_front_matter(page.markdown if page.verbatim else tidy(page.markdown))
    return as_written(text, kb.site_url(ent.url.split("#", 1)[0]) or "./")


def _entry(kb, ent) -> str:
    o = ent.obj
    lines = [f"# {o.code}: {o.message}", ""]
    if o.description:
        lines += [str(o.description), ""]
    if o.causes:
        lines += ["## Causes", "", *[f"- {c}" for c in o.causes], ""]
    if o.resolution:
        lines += ["## Resolution", ""]
        if isinstance(o.resolution, str):
            lines += [o.resolution, ""]
        else:
            lines += [f"{i}. {s.title}" + (f" — `{s.run}`" if s.run else "") for i, s in enumerate(o.resolution, 1)]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _without_front_matter(text: str) -> str:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end >= 0:
            return text[end + 5:].lstrip("\n")
    return text


_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_TAG = re.compile(r"<(?=[A-Za-z/!?])")
# what kbgen's templates add for the site's layout and anchors only (kbgen.css, links to a row)
_LAYOUT = ('<div class="kbgen-facts" markdown>', "</div>")
_ANCHOR = re.compile(r'<span id="[^"<>]*"></span>')
_HEADING_ID = re.compile(r"^(#{1,6} .*?) \{#[^{}]*\}$")  # `## Symptoms {#symptoms}`: the site's anchor


def as_written(text: str, here: str) -> str:
    """Generated Markdown with its HTML entities turned back into the
    characters they stand for, outside code (a command stays byte for byte);
    a `<` that would open a tag is kept inert as the Markdown escape `\\<`;
    links to an anchor of the page itself go to `here#anchor` (its URL)."""
    out, fence = [], ""
    for line in text.split("\n"):
        m = _FENCE.match(line)
        if fence:
            out.append(line)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = ""
            continue
        if m:
            fence = m.group(1)
            out.append(line)
            continue
        if line in _LAYOUT or (not line.strip() and out and not out[-1].strip()):
            continue  # the site's layout, and the blank line it leaves
        line = _HEADING_ID.sub(r"\1", _ANCHOR.sub("", line))
        pieces, pos = [], 0
        for start, end in code_spans(line):
            pieces += [_prose(line[pos:start], here), line[start:end]]
            pos = end
        pieces.append(_prose(line[pos:], here))
        out.append("".join(pieces))
    return "\n".join(out)


def _prose(text: str, here: str) -> str:
    if "&" in text:
        text = _TAG.sub(r"\\<", html.unescape(text))
    return text.replace("](#", f"]({here}#")


def lookup_code_answer(state, code: str) -> CodeAnswer:
    """An error code in any spelling; when no table has it, the codes whose
    message the words match (`kbgen search` over error codes)."""
    kb = state.kb
    text = (code or "").strip()
    n = normalize_code(text)
    if not n:
        raise ToolError("give an error code (QT-001, 429, ENOSPC) or the words of its message")
    entries = sorted((e for e in kb.codes.get(n, []) if e.id in kb.entities), key=lambda e: e.id)
    matched: Literal["code", "message", "nothing"] = "code"
    if not entries:
        hits = state.query(text, limit=10, type_="error-code").results
        entries = [kb.entities[h.id] for h in hits if h.id in kb.entities]
        matched = "message" if entries else "nothing"
    codes = {normalize_code(str(e.obj.code)) for e in entries}
    runbooks = sorted((kb.entities[rid] for rid, answered in answered_codes(kb).items()
                       if answered & codes and rid in kb.entities and kb.entities[rid].type == RUNBOOK),
                      key=lambda e: e.id)
    items = [CodeEntry(**summary(kb, e).model_dump(), code=str(e.obj.code), message=e.obj.message,
                       table=str(e.parent), description=e.obj.description or "", causes=list(e.obj.causes))
             for e in entries]
    return CodeAnswer(code=text, matched_by=matched, entries=items, runbooks=[summary(kb, r) for r in runbooks])


def runbook_for_alert_answer(state, alert: str) -> AlertAnswer:
    kb = state.kb
    name = (alert or "").strip()
    if not name:
        raise ToolError("give an alert name, e.g. QuantumGatewayDown")
    key = name.lower()
    aliases = kb.runbook_by_alias()
    runbooks: dict[str, Any] = {}
    entries = []
    for rb in kb.of_type(RUNBOOK):
        if any(str(a).lower() == key for a in rb.obj.alerts):
            runbooks[rb.id] = rb
    for cat in kb.of_type("alerts"):
        for a in cat.obj.alerts:
            if a.name.lower() != key:
                continue
            rb = (kb.entities.get(a.runbook) or aliases.get(a.runbook)) if a.runbook else None
            if rb is not None and rb.type == RUNBOOK:
                runbooks[rb.id] = rb
            entries.append(AlertEntry(alerts=cat.id, name=a.name, condition=a.condition, severity=a.severity,
                                      description=a.description or "",
                                      url=kb.site_url(cat.url.split("#", 1)[0] + "#" + code_anchor(a.name)),
                                      runbook=rb.id if rb is not None and rb.type == RUNBOOK else None,
                                      runbook_url=a.runbook_url))
    for entry_name, items in state.alert_entries.items():
        if entry_name.lower() != key:
            continue
        for e in items:
            page = kb.entities.get(e.entity.id)
            if page is None:  # a catalogue page this audience does not see
                continue
            entries.append(AlertEntry(alerts=page.id, name=entry_name, severity=e.severity,
                                      description=e.description or "",
                                      url=kb.site_url(page.url.split("#", 1)[0] + "#" + e.anchor),
                                      runbook_url=e.runbook_url))
    return AlertAnswer(alert=name, runbooks=[summary(kb, r) for r in sorted(runbooks.values(), key=lambda e: e.id)],
                       alert_entries=entries)


def list_answer(state, type: str | None = None, product: str | None = None, offset: int = 0,
                limit: int = LIST_DEFAULT) -> ListAnswer:
    """One page of the entities of a type and/or product, sorted by type and title."""
    kb = state.kb
    _check_filters(state, type, product)
    _check_range("limit", limit, 1, LIST_LIMIT)
    if offset < 0:
        raise ToolError(f"offset must be 0 or more (got {offset})")
    ents = [e for e in kb.entities.values()
            if (type is None or e.type == type) and (product is None or product in e.products)]
    ents.sort(key=lambda e: (e.type, e.title.lower(), e.id))
    page = ents[offset:offset + limit]
    after = offset + len(page)
    return ListAnswer(total=len(ents), offset=offset, count=len(page),
                      next_offset=after if after < len(ents) else None, entities=[summary(kb, e) for e in page])
