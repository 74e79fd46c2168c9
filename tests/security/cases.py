"""The hostile cases, as data: payloads (payloads.py) x the fields they go
into, plus leak cases (symlinks, includes, nav, internal references).

A Case says which files it writes, where a validator must point if it
reports it (file, lines), which leak markers must never reach the public
build, and which token must reach it when it is not reported (so a case
that silently fell out of the KB cannot pass). Cases are grouped into
batches: one KB, one validate, one build, one browser pass per batch."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import payloads

from kbfactory import MKDOCS


def token(case_id: str) -> str:
    # lower-case letters and digits only: survives slugs, case folding, URLs
    return "z" + hashlib.sha256(case_id.encode()).hexdigest()[:9]


@dataclass
class Case:
    id: str
    batch: str
    tok: str
    value: str = ""                 # the hostile value (field cases)
    sink: str = ""                  # kind.field the value goes into
    files: dict[str, str] = field(default_factory=dict)  # leak cases: files they add
    # where a report must point: alternatives of (file or folder, lines; None: any line)
    where: tuple[tuple[str, tuple[int, ...] | None], ...] = ()
    markers: tuple[str, ...] = ()   # must be in no file or file name of the public build
    witness: bool = True            # the token must reach the public build unless reported
    setup: Callable | None = None   # (kb_root, outside_dir) -> None, e.g. symlinks
    mkdocs: str | None = None       # the batch's mkdocs.yml (same for every case of a batch)


def q(value: str) -> str:
    """A YAML double-quoted scalar on one line (JSON is valid YAML here)."""
    return json.dumps(value)


class Doc:
    """Lines of a file, remembering on which line each case's value sits."""

    def __init__(self):
        self.lines: list[str] = []
        self.locs: dict[str, tuple[int, ...]] = {}

    def add(self, line: str, case: Case | None = None) -> None:
        first = len(self.lines) + 1
        self.lines.extend(line.split("\n"))  # a Markdown value may span lines
        if case is not None:
            self.locs[case.id] = tuple(range(first, len(self.lines) + 1))

    def block(self, text: str, case: Case) -> None:
        first = len(self.lines) + 1
        self.lines.extend(text.split("\n"))
        self.locs[case.id] = tuple(range(first, len(self.lines) + 1))

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


# --- fields -------------------------------------------------------------------
# Builders take entries: one dict per payload, field name -> (Case, value).
# List kinds put every payload of a batch in one file (one entry each);
# page kinds get one file per payload. Each returns {path: Doc}.

def _v(entry, name, default):
    got = entry.get(name)
    return (got[1], got[0]) if got else (default, None)


def runbook_lists(sfx, entries):
    d = Doc()
    d.add("kind: runbook")
    d.add(f"id: lists-{sfx}")
    d.add(f"title: Lists {sfx}")
    d.add("audience: public")
    for key, name in (("symptoms", "symptom"), ("tools", "tool"), ("prerequisites", "prerequisite")):
        d.add(f"{key}:")
        for e in entries:
            d.add(f"  - {q(_v(e, name, 'plain')[0])}", _v(e, name, '')[1])
    for key in ("diagnostics", "verification", "rollback", "resolution"):
        d.add(f"{key}:")
        for e in entries:
            if key == "diagnostics":
                d.add(f"  - title: {q(_v(e, 'step-title', 'Step')[0])}", _v(e, 'step-title', '')[1])
                for sub in ("run", "expect", "note"):
                    d.add(f"    {sub}: {q(_v(e, 'step-' + sub, 'x')[0])}", _v(e, 'step-' + sub, '')[1])
            else:
                name = key + "-step"
                d.add(f"  - {q(_v(e, name, 'Do it')[0])}", _v(e, name, '')[1])
    d.add("causes:")
    for i, e in enumerate(entries):
        d.add(f"  - id: cause-{i}")
        d.add(f"    title: {q(_v(e, 'cause-title', 'Cause')[0])}", _v(e, 'cause-title', '')[1])
        d.add(f"    description: {q(_v(e, 'cause-description', 'Why')[0])}", _v(e, 'cause-description', '')[1])
        d.add("    resolution:")
        d.add(f"      - {q(_v(e, 'cause-step', 'Fix')[0])}", _v(e, 'cause-step', '')[1])
    d.add("escalation:")
    d.add("  to: tier2")
    d.add("  when:")
    for e in entries:
        d.add(f"    - {q(_v(e, 'escalation-when', 'Stuck')[0])}", _v(e, 'escalation-when', '')[1])
    return {f"runbooks/lists-{sfx}.yaml": d}


def runbook_page(sfx, entries):
    (e,) = entries
    d = Doc()
    d.add("kind: runbook")
    d.add(f"id: rb-{sfx}")
    d.add(f"title: {q(_v(e, 'title', 'Runbook')[0])}", _v(e, 'title', '')[1])
    d.add(f"summary: {q(_v(e, 'summary', 'Summary')[0])}", _v(e, 'summary', '')[1])
    d.add(f"description: {q(_v(e, 'description', 'About')[0])}", _v(e, 'description', '')[1])
    d.add("audience: public")
    d.add("tags:")
    d.add(f"  - {q(_v(e, 'tag', 'tag')[0])}", _v(e, 'tag', '')[1])
    d.add("resolution:")
    d.add("  - Restart it")
    return {f"runbooks/rb-{sfx}.yaml": d}


def runbook_md(sfx, entries):
    (e,) = entries
    d = Doc()
    d.add("---")
    d.add("audience: public")
    d.add(f"title: {q(_v(e, 'title', 'Runbook')[0])}", _v(e, 'title', '')[1])
    d.add(f"summary: {q(_v(e, 'summary', 'Summary')[0])}", _v(e, 'summary', '')[1])
    d.add("symptoms:")
    d.add(f"  - {q(_v(e, 'symptom', 'Slow')[0])}", _v(e, 'symptom', '')[1])
    d.add("---")
    d.add(f"# Structured {sfx}")
    for section in ("Symptoms", "Diagnosis", "Resolution"):
        d.add("")
        d.add(f"## {section}")
        d.add("")
        d.add("Text.")
    return {f"runbooks/md-{sfx}.md": d}


def error_codes(sfx, entries):
    d = Doc()
    d.add("kind: error-codes")
    d.add(f"id: codes-{sfx}")
    d.add(f"title: Codes {sfx}")
    d.add("audience: public")
    d.add("codes:")
    for i, e in enumerate(entries):
        d.add(f"  - code: {q(_v(e, 'code', f'C{sfx}-{i}')[0])}", _v(e, 'code', '')[1])
        for name in ("message", "category", "description"):
            d.add(f"    {name}: {q(_v(e, name, 'text')[0])}", _v(e, name, '')[1])
        d.add("    causes:")
        d.add(f"      - {q(_v(e, 'cause', 'A cause')[0])}", _v(e, 'cause', '')[1])
        d.add(f"    resolution: {q(_v(e, 'resolution', 'Retry')[0])}", _v(e, 'resolution', '')[1])
    return {f"content/codes-{sfx}.yaml": d}


def sla(sfx, entries):
    d = Doc()
    d.add("kind: sla")
    d.add(f"id: sla-{sfx}")
    d.add(f"title: SLA {sfx}")
    d.add("audience: public")
    d.add("priorities:")
    for i, e in enumerate(entries):
        d.add(f"  - id: q{sfx}{i}")
        for name in ("name", "definition", "impact", "communication"):
            d.add(f"    {name}: {q(_v(e, 'priority-' + name, 'text')[0])}", _v(e, 'priority-' + name, '')[1])
        d.add("    examples:")
        d.add(f"      - {q(_v(e, 'priority-example', 'Down')[0])}", _v(e, 'priority-example', '')[1])
    d.add("channels:")
    for i, e in enumerate(entries):
        d.add(f"  - id: ch{i}")
        d.add(f"    name: {q(_v(e, 'channel-name', 'Phone')[0])}", _v(e, 'channel-name', '')[1])
        d.add(f"    hours: {q(_v(e, 'channel-hours', '24/7')[0])}", _v(e, 'channel-hours', '')[1])
    d.add("plans:")
    for i, e in enumerate(entries):
        d.add(f"  - id: plan{i}")
        d.add(f"    name: {q(_v(e, 'plan-name', 'Plan')[0])}", _v(e, 'plan-name', '')[1])
        d.add(f"    description: {q(_v(e, 'plan-description', 'Plan')[0])}", _v(e, 'plan-description', '')[1])
        d.add("    features:")
        d.add(f"      - {q(_v(e, 'plan-feature', 'Feature')[0])}", _v(e, 'plan-feature', '')[1])
    d.add("targets:")
    for i, e in enumerate(entries):
        d.add(f"  - priority: q{sfx}{i}")
        d.add("    response: 1h")
        d.add(f"    handled_by: {q(_v(e, 'target-handled-by', 'Tier 1')[0])}", _v(e, 'target-handled-by', '')[1])
        d.add(f"    note: {q(_v(e, 'target-note', 'Note')[0])}", _v(e, 'target-note', '')[1])
    return {f"content/sla-{sfx}.yaml": d}


def tiers(sfx, entries):
    d = Doc()
    d.add("kind: tiers")
    d.add(f"id: tiers-{sfx}")
    d.add(f"title: Tiers {sfx}")
    d.add("audience: public")
    d.add("tiers:")
    for i, e in enumerate(entries):
        d.add(f"  - id: t{sfx}{i}")
        for name in ("name", "description", "process"):
            d.add(f"    {name}: {q(_v(e, 'tier-' + name, 'text')[0])}", _v(e, 'tier-' + name, '')[1])
        for key, name in (("capabilities", "capability"), ("tools", "tool"), ("escalate_when", "escalate-when")):
            d.add(f"    {key}:")
            d.add(f"      - {q(_v(e, 'tier-' + name, 'text')[0])}", _v(e, 'tier-' + name, '')[1])
    d.add("management_chain:")
    for e in entries:
        d.add(f"  - {q(_v(e, 'management-chain', 'Manager')[0])}", _v(e, 'management-chain', '')[1])
    d.add("response_protocol:")
    for e in entries:
        d.add(f"  - step: {q(_v(e, 'protocol-step', 'Acknowledge')[0])}", _v(e, 'protocol-step', '')[1])
        d.add("    target: 15m")
    return {f"content/tiers-{sfx}.yaml": d}


def contacts(sfx, entries):
    d = Doc()
    d.add("kind: contacts")
    d.add(f"id: contacts-{sfx}")
    d.add(f"title: Contacts {sfx}")
    d.add("audience: public")
    d.add("channels:")
    for e in entries:
        d.add(f"  - name: {q(_v(e, 'channel-name', 'Email')[0])}", _v(e, 'channel-name', '')[1])
        for name in ("hours", "response", "notes", "url"):
            d.add(f"    {name}: {q(_v(e, 'channel-' + name, 'text')[0])}", _v(e, 'channel-' + name, '')[1])
    d.add("people:")
    for e in entries:
        d.add(f"  - name: {q(_v(e, 'person-name', 'Ann')[0])}", _v(e, 'person-name', '')[1])
        for name in ("role", "hours", "notes"):
            d.add(f"    {name}: {q(_v(e, 'person-' + name, 'text')[0])}", _v(e, 'person-' + name, '')[1])
    return {f"content/contacts-{sfx}.yaml": d}


def templates(sfx, entries):
    d = Doc()
    d.add("kind: templates")
    d.add(f"id: templates-{sfx}")
    d.add(f"title: Templates {sfx}")
    d.add("audience: public")
    d.add("templates:")
    for i, e in enumerate(entries):
        d.add(f"  - id: tpl-{i}")
        d.add(f"    title: {q(_v(e, 'title', 'Template')[0])}", _v(e, 'title', '')[1])
        for name in ("use_when", "subject", "body"):
            d.add(f"    {name}: {q(_v(e, name.replace('_', '-'), 'text')[0])}", _v(e, name.replace('_', '-'), '')[1])
    return {f"content/templates-{sfx}.yaml": d}


def faq(sfx, entries):
    d = Doc()
    d.add("kind: faq")
    d.add(f"id: faq-{sfx}")
    d.add(f"title: FAQ {sfx}")
    d.add("audience: public")
    d.add("questions:")
    for e in entries:
        d.add(f"  - q: {q(_v(e, 'question', 'Why?')[0])}", _v(e, 'question', '')[1])
        d.add(f"    a: {q(_v(e, 'answer', 'Because.')[0])}", _v(e, 'answer', '')[1])
    return {f"content/faq-{sfx}.yaml": d}


def alerts(sfx, entries):
    d = Doc()
    d.add("kind: alerts")
    d.add(f"id: alerts-{sfx}")
    d.add(f"title: Alerts {sfx}")
    d.add("audience: public")
    d.add("alerts:")
    for i, e in enumerate(entries):
        d.add(f"  - name: Alert{sfx}{i}")
        d.add(f"    condition: {q(_v(e, 'condition', 'up == 0')[0])}", _v(e, 'condition', '')[1])
        d.add(f"    description: {q(_v(e, 'description', 'Down')[0])}", _v(e, 'description', '')[1])
        d.add("    runbook: public-rb")
    return {f"content/alerts-{sfx}.yaml": d}


def article(sfx, entries):
    (e,) = entries
    d = Doc()
    d.add("---")
    d.add("audience: public")
    d.add(f"title: {q(_v(e, 'title', 'Article')[0])}", _v(e, 'title', '')[1])
    for name in ("summary", "description", "subtitle", "status"):
        if name in e:  # only what the case sets: summary would hide description
            d.add(f"{name}: {q(e[name][1])}", e[name][0])
    if "tag" in e:
        d.add("tags:")
        d.add(f"  - {q(e['tag'][1])}", e['tag'][0])
    d.add("---")
    d.add("")
    d.add(f"Article {sfx}.")
    return {f"content/fm-{sfx}.md": d}


def article_h1(sfx, entries):
    (e,) = entries
    d = Doc()
    d.add("---")
    d.add("audience: public")
    if "description" in e:  # no title or summary here: the page's meta description
        d.add(f"description: {q(e['description'][1])}", e['description'][0])
    d.add("---")
    d.add(f"# {_v(e, 'h1', 'Heading')[0]}", _v(e, 'h1', '')[1])
    d.add("")
    d.add("Text.")
    return {f"content/h1-{sfx}.md": d}


def article_body(sfx, entries):
    (e,) = entries
    d = Doc()
    d.add("---")
    d.add("audience: public")
    d.add("---")
    d.add(f"# Body {sfx}")
    d.add("")
    value, case = _v(e, "body", "Text.")
    if case is None:
        d.add(value)
    else:
        d.block(value, case)
    d.add("")
    return {f"content/body-{sfx}.md": d}


# kind -> (builder, fields, one file per payload?)
KINDS: dict[str, tuple[Callable, tuple[str, ...], bool]] = {
    "runbook": (runbook_lists, ("symptom", "tool", "prerequisite", "step-title", "step-run", "step-expect",
                                "step-note", "verification-step", "rollback-step", "resolution-step", "cause-title",
                                "cause-description", "cause-step", "escalation-when"), False),
    "runbook-page": (runbook_page, ("title", "summary", "description", "tag"), True),
    "runbook-md": (runbook_md, ("title", "summary", "symptom"), True),
    "error-codes": (error_codes, ("code", "message", "category", "description", "cause", "resolution"), False),
    "sla": (sla, ("priority-name", "priority-definition", "priority-impact", "priority-communication",
                  "priority-example", "channel-name", "channel-hours", "plan-name", "plan-description",
                  "plan-feature", "target-handled-by", "target-note"), False),
    "tiers": (tiers, ("tier-name", "tier-description", "tier-process", "tier-capability", "tier-tool",
                      "tier-escalate-when", "management-chain", "protocol-step"), False),
    "contacts": (contacts, ("channel-name", "channel-hours", "channel-response", "channel-notes", "channel-url",
                            "person-name", "person-role", "person-hours", "person-notes"), False),
    "templates": (templates, ("title", "use-when", "subject", "body"), False),
    "faq": (faq, ("question", "answer"), False),
    "alerts": (alerts, ("condition", "description"), False),
    "article": (article, ("title", "summary", "subtitle", "status", "tag"), True),
    "article-h1": (article_h1, ("h1", "description"), True),
    "article-body": (article_body, ("body",), True),
}
SITE_FIELDS = ("site-name", "site-description", "product-name")

# The sinks MkDocs' own templates fill (nav, <title>, meta description, tags,
# header): every inline vector goes there. YAML fields rendered by kbgen's
# page templates get the core vectors, one per technique.
THEME_KINDS = ("runbook-page", "article", "article-h1", "article-body")
CORE = ("script-tag", "svg-onload-slash", "img-onerror", "decimal-entities", "iframe-srcdoc", "form-action-js",
        "attr-breakout-double", "attr-breakout-single", "close-script-json", "md-link-js", "md-link-js-angle",
        "md-link-entity", "jinja-expression", "comment-breakout", "mxss-noscript", "meta-refresh-js", "base-href",
        "newline-raw-html", "newline-html-block")
NEWLINE = [("newline-raw-html", "{tok} first line\n\n<img src=x onerror={jsq}>"),
           ("newline-html-block", "{tok}\n\n<div>\n<svg/onload={jsq}>\n</div>")]

PER_BATCH = 8


def mkdocs_for(site: dict[str, str] | None = None, extra: str = "") -> str:
    text = MKDOCS.replace("  name: material\n", "  name: material\n  font: false\n")  # nothing fetched from Google
    if site:
        text = text.replace("site_name: Test KB", f"site_name: {q(site.get('site-name', 'Test KB'))}")
        text = text.replace("site_url:", f"site_description: {q(site.get('site-description', 'KB'))}\nsite_url:")
        text = text.replace("{id: prod, name: Product}", f"{{id: prod, name: {q(site.get('product-name', 'Product'))}}}")
    return text + extra


def field_cases() -> list[Case]:
    vectors = payloads.INLINE + NEWLINE
    cases: list[Case] = []
    for i, (vname, template) in enumerate(vectors):
        batch = f"fields-{i // PER_BATCH}"
        for kind, (_, fields, _) in KINDS.items():
            if kind not in THEME_KINDS and vname not in CORE:
                continue
            for f in fields:
                cid = f"{vname}@{kind}.{f}"
                tok = token(cid)
                value = payloads.render(template, tok)
                if not (f == "code" or f == "channel-url"):
                    value = f"{tok} {value}"  # visible text beside the payload: the witness
                # a status that is not a plain name is dropped (it becomes a CSS class), and so is
                # a contact URL that is not http(s)/mailto: nothing to witness
                cases.append(Case(cid, batch, tok, value=value, sink=f"{kind}.{f}", witness=f not in ("status", "channel-url")))
        if i % PER_BATCH == 0:  # one payload per batch goes into the site-wide fields
            for f in SITE_FIELDS:
                cid = f"{vname}@site.{f}"
                tok = token(cid)
                cases.append(Case(cid, batch, tok, value=f"{tok} {payloads.render(template, tok)}", sink=f"site.{f}"))
    for i, (vname, template) in enumerate(payloads.BLOCK):
        cid = f"{vname}@article-body.body"
        tok = token(cid)
        cases.append(Case(cid, f"blocks-{i // 16}", tok, value=payloads.render(template, tok), sink="article-body.body"))
    return cases


def build_field_files(cases: list[Case], neutral: set[str]) -> tuple[dict[str, str], str, dict[str, tuple]]:
    """The files of one batch of field cases: {path: text}, mkdocs.yml, and
    {case id: (path, lines)}. Cases in `neutral` get a harmless value."""
    def value(c: Case) -> str:
        return f"{c.tok} neutralized" if c.id in neutral else c.value

    by_kind: dict[str, dict[str, dict[str, tuple]]] = {}  # kind -> payload tok group -> entry
    site = {}
    site_cases = {}
    for c in cases:
        kind, f = c.sink.split(".", 1)
        if kind == "site":
            site[f] = value(c)
            site_cases[c.id] = c
            continue
        group = c.id.split("@")[0]
        by_kind.setdefault(kind, {}).setdefault(group, {})[f] = (c, value(c))
    files: dict[str, str] = {}
    locs: dict[str, tuple] = {}
    for kind, groups in by_kind.items():
        builder, _, per_payload = KINDS[kind]
        if per_payload:
            parts = [(token(g + kind)[1:7], [entry]) for g, entry in groups.items()]
        else:
            parts = [(token(",".join(groups))[1:7], list(groups.values()))]
        for sfx, entries in parts:
            for path, doc in builder(sfx, entries).items():
                files[path] = doc.text()
                for cid, lines in doc.locs.items():
                    locs[cid] = (path, lines)
    mk = mkdocs_for(site)
    for cid in site_cases:
        f = cid.split("@site.")[1]
        key = {"site-name": "site_name:", "site-description": "site_description:", "product-name": "{id: prod"}[f]
        line = next(n for n, text in enumerate(mk.splitlines(), 1) if key in text)
        locs[cid] = ("mkdocs.yml", (line,))
    return files, mk, locs


# --- leak cases -----------------------------------------------------------------

SNIPPETS = "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: ['.']\nextra:\n  secret: LEAKMKDOCS\n"


def _public_page(tok: str, body: str) -> str:
    return f"---\naudience: public\n---\n# Page {tok}\n\n{body}\n"


def _internal_page(marker: str) -> str:
    return f"---\naudience: internal\n---\n# Internal {marker}\n\nSecret {marker} text.\n"


def _fill(text: str, fmt: dict) -> str:
    # mkdocs.yml holds YAML braces: replace the names only
    for k, v in fmt.items():
        text = text.replace("{" + k + "}", v)
    return text


def leak_cases() -> list[Case]:
    out: list[Case] = []

    def add(name, batch, files=None, where=None, witness=True, setup=None, mkdocs=None, body=None, page=None):
        cid = f"{'fault' if batch == 'faults' else 'leak'}:{name}"
        tok = token(cid)
        marker = "LEAK" + tok.upper()
        fmt = {"tok": tok, "marker": marker, "low": marker.lower(), "rest": marker.lower()[1:]}
        fs = {k.format(**fmt): v.format(**fmt) for k, v in (files or {}).items()}
        alts = []
        if where is not None:
            alts.append((where[0].format(**fmt), where[1]))
        if body is not None:
            path = page or f"content/p-{tok}.md"
            text = _public_page(tok, body.format(**fmt))
            fs[path] = text
            first = text.splitlines().index(body.format(**fmt).splitlines()[0]) + 1
            alts.append((path, tuple(range(first, first + len(body.splitlines())))))
        out.append(Case(cid, batch, tok, files=fs, where=tuple(alts), markers=(marker, marker.lower()),
                        witness=witness, setup=setup, mkdocs=mkdocs and _fill(mkdocs, fmt)))

    # 1. symlinks
    def link_outside(kb, outside, tok):
        marker = "LEAK" + tok.upper()
        d = outside / f"dir-{tok}"
        d.mkdir(parents=True, exist_ok=True)
        (d / "page.md").write_text(_internal_page(marker))
        (d / "open.md").write_text(f"---\naudience: public\n---\n# Outside {marker}\n\nNot KB content {marker}.\n")
        (d / f"notes-{marker}.txt").write_text(f"plain file {marker}\n")
        (kb / "content" / f"linked-{tok}").symlink_to(d, target_is_directory=True)

    def link_runbooks(kb, outside, tok):
        (kb / "content" / f"rb-{tok}").symlink_to("../runbooks", target_is_directory=True)

    def link_file(kb, outside, tok):
        marker = "LEAK" + tok.upper()
        f = outside / f"secret-{tok}.md"
        f.write_text(f"---\naudience: public\n---\n# Outside file {marker}\n")
        (kb / "content" / f"file-{tok}.md").symlink_to(f)

    def link_image(kb, outside, tok):
        marker = "LEAK" + tok.upper()
        f = outside / f"img-{tok}.png"
        f.write_bytes(b"\x89PNG\r\n\x1a\n" + marker.encode())
        (kb / "content" / f"img-{tok}.png").symlink_to(f)

    def link_text(kb, outside, tok):
        marker = "LEAK" + tok.upper()
        f = outside / f"cfg-{tok}.txt"
        f.write_text(f"outside config {marker}\n")
        (kb / "content" / f"cfg-{tok}.txt").symlink_to(f)

    for name, fn, where in (("symlink-folder-outside", link_outside, "content/linked-{tok}"),
                            ("symlink-to-runbooks", link_runbooks, "content/rb-{tok}"),
                            ("symlink-file-outside", link_file, "content/file-{tok}.md"),
                            ("symlink-text-file-outside", link_text, "content/cfg-{tok}.txt")):
        add(name, "leaks-symlinks", where=(where, None), witness=False, setup=fn)
    # the runbooks symlink leaks a marker planted in an internal runbook
    out[1].files["runbooks/int-" + out[1].tok + ".yaml"] = (
        f"kind: runbook\nid: int-{out[1].tok}\ntitle: Internal {out[1].markers[0]}\naudience: internal\n"
        f"resolution:\n  - Secret step {out[1].markers[0]}\n")
    add("symlink-image-outside", "leaks-symlinks", setup=link_image, where=("content/img-{tok}.png", None),
        body="![diagram](img-{tok}.png)")

    # 2. includes (pymdownx.snippets enabled by the writer)
    internal_snip = {"content/snip-{tok}.md": "---\naudience: internal\n---\nSnippet {marker} internal.\n"}
    rb = {"runbooks/snip-{tok}.yaml": "kind: runbook\nid: snip-{tok}\naudience: internal\nresolution:\n  - Run {marker}\n"}
    add("include-internal-md", "leaks-includes", files=internal_snip, mkdocs=mkdocs_for(extra=SNIPPETS),
        body="Before.\n\n--8<-- \"content/snip-{tok}.md\"\n\nAfter.")
    add("include-runbook-yaml", "leaks-includes", files=rb, mkdocs=mkdocs_for(extra=SNIPPETS),
        body="Before.\n\n--8<-- \"runbooks/snip-{tok}.yaml\"\n\nAfter.")
    add("include-block-form", "leaks-includes", files=internal_snip, mkdocs=mkdocs_for(extra=SNIPPETS),
        body="Before.\n\n--8<--\ncontent/snip-{tok}.md\n--8<--\n\nAfter.")
    add("include-line-range", "leaks-includes", files=internal_snip, mkdocs=mkdocs_for(extra=SNIPPETS),
        body="--8<-- \"content/snip-{tok}.md:4:4\"")
    add("include-outside-kb", "leaks-includes", mkdocs=mkdocs_for(extra=SNIPPETS),
        body="--8<-- \"../outside/out-{tok}.md\"",
        setup=lambda kb, outside, tok: (outside / f"out-{tok}.md").write_text(f"Outside {'LEAK' + tok.upper()}\n"))
    add("include-mkdocs-yml", "leaks-includes", mkdocs=mkdocs_for(extra=SNIPPETS),
        body="--8<-- \"mkdocs.yml\"")
    out[-1].markers = ("LEAKMKDOCS",)
    add("include-in-yaml-markdown-field", "leaks-includes", mkdocs=mkdocs_for(extra=SNIPPETS),
        files={**internal_snip, "content/faq-{tok}.yaml":
               "kind: faq\nid: faq-{tok}\naudience: public\nquestions:\n  - q: Included?\n"
               "    a: \"--8<-- \\\"content/snip-{tok}.md\\\"\"\n"},
        where=("content/faq-{tok}.yaml", (6,)))

    # 3. an internal contact entry's image in a public contacts file
    add("contacts-internal-entry-image", "leaks-refs", witness=False,
        files={"content/img/{low}.png": "PNG {marker}",
               "content/contacts-{tok}.yaml":
               "kind: contacts\nid: contacts-{tok}\naudience: public\nchannels:\n  - name: Public\n"
               "    email: help@example.com\npeople:\n  - name: Secret person\n    audience: internal\n"
               "    notes: \"![photo](img/{low}.png)\"\n"},
        where=("content/contacts-{tok}.yaml", (10,)))
    # 4. nav naming an internal file
    add("nav-names-internal-file", "leaks-nav", witness=False,
        files={"content/{low}.md": "---\naudience: internal\n---\n# Internal page\n"},
        mkdocs=mkdocs_for() + "nav:\n  - Home: index.md\n  - Secret: {low}.md\n",
        where=("mkdocs.yml", None))
    # 5. internal-only ids referenced by public runbooks
    add("public-runbook-internal-code", "leaks-refs",
        files={"content/icodes-{tok}.yaml": "kind: error-codes\nid: icodes-{tok}\naudience: internal\ncodes:\n"
                                            "  - code: {marker}\n    message: internal\n",
               "runbooks/pub-code-{tok}.yaml": "kind: runbook\nid: pub-code-{tok}\ntitle: Public {tok}\naudience: public\n"
                                               "error_codes: [{marker}]\nresolution:\n  - Fix\n"},
        where=("runbooks/pub-code-{tok}.yaml", (5,)))
    add("public-runbook-internal-priority", "leaks-refs",
        files={"content/isla-{tok}.yaml": "kind: sla\nid: isla-{tok}\naudience: internal\npriorities:\n"
                                          "  - {{id: {marker}, name: Internal priority}}\n",
               "runbooks/pub-prio-{tok}.yaml": "kind: runbook\nid: pub-prio-{tok}\ntitle: Public {tok}\naudience: public\n"
                                               "severity: {marker}\nresolution:\n  - Fix\n"},
        where=("runbooks/pub-prio-{tok}.yaml", (5,)))
    add("public-code-internal-priority", "leaks-refs",
        files={"content/isla2-{tok}.yaml": "kind: sla\nid: isla2-{tok}\naudience: internal\npriorities:\n"
                                           "  - {{id: {marker}, name: Internal priority}}\n",
               "content/pcodes-{tok}.yaml": "kind: error-codes\nid: pcodes-{tok}\naudience: public\ncodes:\n"
                                            "  - code: P{tok}\n    message: {tok}\n    severity: {marker}\n"},
        where=("content/pcodes-{tok}.yaml", (7,)))
    add("public-runbook-internal-tier", "leaks-refs",
        files={"content/itiers-{tok}.yaml": "kind: tiers\nid: itiers-{tok}\naudience: internal\ntiers:\n"
                                            "  - {{id: {low}, name: Internal tier}}\n",
               "runbooks/pub-tier-{tok}.yaml": "kind: runbook\nid: pub-tier-{tok}\ntitle: Public {tok}\naudience: public\n"
                                               "escalation: {{to: {low}}}\nresolution:\n  - Fix\n"},
        where=("runbooks/pub-tier-{tok}.yaml", (5,)))
    add("public-related-internal-id", "leaks-refs",
        files={"runbooks/{low}.yaml": "kind: runbook\nid: {low}\naudience: internal\nresolution:\n  - Fix\n",
               "runbooks/pub-rel-{tok}.yaml": "kind: runbook\nid: pub-rel-{tok}\ntitle: Public {tok}\naudience: public\n"
                                              "related: [{low}]\nresolution:\n  - Fix\n"},
        where=("runbooks/pub-rel-{tok}.yaml", (5,)))
    add("internal-tag-in-tags-index", "leaks-refs", witness=False,
        files={"content/itag-{tok}.md": "---\naudience: internal\ntags: [{low}]\n---\n# Internal tagged\n"},
        where=("content/itag-{tok}.md", (3,)))
    add("internal-alias-redirect", "leaks-refs", witness=False,
        files={"runbooks/ialias-{tok}.yaml": "kind: runbook\nid: ialias-{tok}\naudience: internal\naliases: [{low}]\n"
                                             "resolution:\n  - Fix\n"},
        where=("runbooks/ialias-{tok}.yaml", (4,)))
    add("prometheus-rules-outside-kb", "leaks-refs", witness=False,
        files={"content/palerts-{tok}.yaml": "kind: alerts\nid: palerts-{tok}\naudience: public\n"
                                             "prometheus_rules: [../outside/rules-{tok}.yml]\nalerts: []\n"},
        setup=lambda kb, outside, tok: (outside / f"rules-{tok}.yml").write_text(
            "groups:\n  - name: g\n    rules:\n      - alert: " + "LEAK" + tok.upper() + "\n        expr: up == 0\n"
            "        annotations: {runbook_url: 'https://kb.test/runbooks/public-rb/'}\n"),
        where=("content/palerts-{tok}.yaml", (4,)))
    # 14, 16. input that once crashed the build: a located problem, never an internal error
    add("kind-is-a-list", "faults", files={"content/k1-{tok}.yaml": "kind: [faq]\nid: k1-{tok}\ntitle: K {tok}\n"
                                                                 "audience: public\nquestions:\n  - {{q: a, a: b}}\n"},
        where=("content/k1-{tok}.yaml", (1,)))
    add("kind-is-a-mapping", "faults", files={"content/k2-{tok}.yaml": "kind: {{a: b}}\nid: k2-{tok}\ntitle: K {tok}\n"
                                                                    "audience: public\nquestions:\n  - {{q: a, a: b}}\n"},
        where=("content/k2-{tok}.yaml", (1,)))
    add("id-300-characters", "faults",
        files={"runbooks/long-{tok}.yaml": "kind: runbook\nid: " + "a" * 300 + "\ntitle: Long {tok}\naudience: public\n"
                                           "resolution:\n  - Fix\n"},
        where=("runbooks/long-{tok}.yaml", (2,)))
    add("code-400-characters", "faults",
        files={"content/lc-{tok}.yaml": "kind: error-codes\nid: lc-{tok}\ntitle: Codes {tok}\naudience: public\ncodes:\n"
                                        "  - code: " + "C" * 400 + "\n    message: m\n"},
        where=("content/lc-{tok}.yaml", (6,)))
    # 6. links to an internal page, in every form (the page's file name is the marker)
    secret = {"content/{low}.md": "---\naudience: internal\n---\n# Internal linked page\n"}
    for name, body in (("inline", "See [the page]({low}.md)."),
                       ("text-two-lines", "See [the\nsecret page]({low}.md) now."),
                       ("angle-brackets-space", "See [x](<./{low}.md >)."),
                       ("reference-style", "See [x][s{tok}].\n\n[s{tok}]: {low}.md"),
                       ("raw-a-href", "See <a href=\"{low}.md\">x</a>."),
                       ("raw-a-href-dir", "See <a href=\"../{low}/\">x</a>."),
                       ("image-link", "![x]({low}.md)"),
                       ("with-fragment", "See [x]({low}.md#top)."),
                       ("url-encoded", "See [x](%6C{rest}.md)."),
                       ("internal-runbook-yaml", "See [x](../runbooks/{low}-rb.yaml).")):
        files = dict(secret)
        if name == "internal-runbook-yaml":
            files = {"runbooks/{low}-rb.yaml": "kind: runbook\nid: {low}-rb\naudience: internal\nresolution:\n  - Fix\n"}
        add(f"link-internal-{name}", "leaks-links", files=files, body=body)
    return out


# --- issue 22: what the site publishes besides pages, front matter that fails open -----

SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40">'
ALERT = "alert('{tok}')"
# (name, path, text): a file in content/ that a public page links; a browser opening it must
# see nothing run, and nothing of it may tell a host what to do
ACTIVE_FILES = (
    ("svg-script", "content/img-{tok}.svg", SVG_OPEN + "<script>" + ALERT + "</script><title>{tok}</title></svg>"),
    ("svg-onload", "content/img-{tok}.svg",
     SVG_OPEN.replace("<svg ", '<svg onload="' + ALERT.replace("'", "&apos;") + '" ') + "<title>{tok}</title></svg>"),
    ("svg-foreignobject", "content/img-{tok}.svg",
     SVG_OPEN + '<foreignObject width="40" height="40"><body xmlns="http://www.w3.org/1999/xhtml">'
     '<iframe src="javascript:' + ALERT + '"></iframe>{tok}</body></foreignObject></svg>'),
    ("svg-xlink-javascript", "content/img-{tok}.svg",
     SVG_OPEN + '<a xlink:href="javascript:' + ALERT + '"><text y="20">{tok}</text></a></svg>'),
    ("svg-animate-href", "content/img-{tok}.svg",
     SVG_OPEN + '<a><set attributeName="href" to="javascript:' + ALERT + '"/><text y="20">{tok}</text></a></svg>'),
    ("svg-external-image", "content/img-{tok}.svg",
     SVG_OPEN + '<image href="https://evil.example/{tok}.png" width="10" height="10"/></svg>'),
    ("svg-css-import", "content/img-{tok}.svg",
     SVG_OPEN + '<style>@import url("https://evil.example/{tok}.css");</style></svg>'),
    ("svg-xml-stylesheet", "content/img-{tok}.svg",
     '<?xml-stylesheet type="text/xsl" href="https://evil.example/{tok}.xsl"?>' + SVG_OPEN + "</svg>"),
    ("html-script-before-charset", "content/page-{tok}.html",
     "<script>" + ALERT + '</script><meta charset="utf-8"><p>{tok}</p>'),
    ("htm-file", "content/page-{tok}.htm", "<!doctype html><p>{tok}</p><img src=x onerror=\"" + ALERT + '">'),
    ("xhtml-file", "content/page-{tok}.xhtml",
     '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>{tok}</p><script>' + ALERT + "</script></body></html>"),
    ("xml-with-xhtml-script", "content/data-{tok}.xml",
     '<root><x:script xmlns:x="http://www.w3.org/1999/xhtml">' + ALERT + "</x:script>{tok}</root>"),
    ("xsl-file", "content/style-{tok}.xsl",
     '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><!-- {tok} --></xsl:stylesheet>'),
    ("js-file", "content/app-{tok}.js", ALERT + ";"),
    ("mjs-file", "content/app-{tok}.mjs", "export default '{tok}'; " + ALERT + ";"),
    ("markup-without-extension", "content/notes-{tok}", "<html><body><p>{tok}</p><script>" + ALERT + "</script>"),
    ("markup-in-txt", "content/notes-{tok}.txt", "\ufeff  <html><script>" + ALERT + "</script>{tok}"),
)
# files static hosts obey (Netlify, Cloudflare Pages, GitLab Pages, Vercel, Azure, IIS, GitHub Pages, Surge)
HOST_FILES = (
    ("_redirects", "content/_redirects", "/* https://evil.example/{tok}/:splat 301!\n"),
    ("_headers", "content/_headers", "/*\n  X-Case: {tok}\n"),
    ("_worker.js", "content/_worker.js", "export default {{ fetch() {{ return new Response('{tok}') }} }};\n"),
    ("_worker.js-folder", "content/_worker.js/index.js", "export default {{}}; // {tok}\n"),
    ("_routes.json", "content/_routes.json", '{{"version": 1, "include": ["/{tok}/*"], "exclude": []}}\n'),
    ("netlify.toml", "content/netlify.toml", '[[redirects]]\nfrom = "/*"\nto = "https://evil.example/{tok}"\n'),
    ("vercel.json", "content/vercel.json", '{{"redirects": [{{"source": "/(.*)", "destination": "https://evil.example/{tok}"}}]}}\n'),
    ("web.config", "content/web.config", "<configuration><!-- {tok} --></configuration>\n"),
    ("staticwebapp.config.json", "content/staticwebapp.config.json", '{{"routes": [], "x": "{tok}"}}\n'),
    ("CNAME", "content/CNAME", "{tok}.evil.example\n"),
    ("nested-_redirects", "content/docs/_redirects", "/* https://evil.example/{tok} 301!\n"),
)
FM_DEFAULTS = ('      defaults:\n        - {path: "content/help/**", audience: public}\n')
# (name, text): a page under a public folder default whose own marking says internal, or draft,
# in a form kbgen might not read; its marker must never be published
FRONT_MATTER = (
    ("blank-line-first", "\n---\naudience: internal\n---\n# {marker}\n"),
    ("blank-lines-and-spaces-first", "\n  \n---\naudience: internal\n---\n# {marker}\n"),
    ("second-bom", "\ufeff\ufeff---\naudience: internal\n---\n# {marker}\n"),
    ("zero-width-space", "\u200b---\naudience: internal\n---\n# {marker}\n"),
    ("toml", "+++\naudience = \"internal\"\n+++\n# {marker}\n"),
    ("json", "{{\n\"audience\": \"internal\"\n}}\n# {marker}\n"),
    ("key-capitalised", "---\nAudience: internal\n---\n# {marker}\n"),
    ("key-upper-case", "---\nAUDIENCE: internal\n---\n# {marker}\n"),
    ("value-capitalised", "---\naudience: Internal\n---\n# {marker}\n"),
    ("value-unknown", "---\naudience: staff\n---\n# {marker}\n"),
    ("value-empty", "---\naudience:\n---\n# {marker}\n"),
    ("duplicate-key", "---\naudience: internal\naudience: public\n---\n# {marker}\n"),
    ("toml-draft", "+++\ndraft = true\n+++\n# {marker}\n"),
    ("yaml-draft", "---\ndraft: true\n---\n# {marker}\n"),
    ("yaml-draft-text", "---\ndraft: \"yes\"\n---\n# {marker}\n"),
    ("jekyll-unpublished", "---\npublished: false\n---\n# {marker}\n"),
    ("draft-capitalised", "---\nDraft: true\n---\n# {marker}\n"),
)


def origin_cases() -> list[Case]:
    out: list[Case] = []
    for family, batch, items in (("active", "published-active", ACTIVE_FILES),
                                 ("host", "published-host", HOST_FILES)):
        for name, path, text in items:
            cid = f"{family}:{name}"
            tok = token(cid)
            p = path.replace("{tok}", tok)
            page = f"content/p-{tok}.md"
            target = p[len("content/"):]
            # a file and a folder of one name cannot share a KB: the folder form gets its own batch
            out.append(Case(cid, batch + ("-2" if name.endswith("-folder") else ""), tok,
                            files={p: text.format(tok=tok), page: _public_page(tok, f"[the file]({target})")},
                            where=((p, None),)))
    for name, text in FRONT_MATTER:
        cid = f"front-matter:{name}"
        tok = token(cid)
        marker = "LEAK" + tok.upper()
        out.append(Case(cid, "front-matter", tok, files={f"content/help/fm-{tok}.md": text.format(marker=marker)},
                        where=((f"content/help/fm-{tok}.md", None),), markers=(marker, marker.lower()), witness=False,
                        mkdocs=mkdocs_for().replace("      today:", FM_DEFAULTS + "      today:")))
    return out


def all_cases() -> list[Case]:
    return field_cases() + leak_cases() + origin_cases()


CASES = all_cases()
BATCHES: dict[str, list[Case]] = {}
for _c in CASES:
    BATCHES.setdefault(_c.batch, []).append(_c)
