"""Runbooks: YAML (`kind: runbook`) or structured Markdown in runbooks/."""
from __future__ import annotations

import posixpath

from ..read.conventions.summary import first_paragraph
from ..schema.kinds import Runbook
from ..text.anchors import alert_name_of, normalize_code
from ..text.plaintext import dur, joined, plain, step_texts, steps_text
from .base import Kind, Listing, Ref, index, markdown_sections, memo

# The sections a YAML runbook's page has, in order (templates/runbook.md.j2)
SECTIONS = ("symptoms", "diagnostics", "causes", "resolution", "escalation", "verification", "rollback")
# the names a required section (option runbook_sections) may have, and the YAML field that is it
FIELD_OF_SECTION = {"symptoms": "symptoms", "diagnosis": "diagnostics", "diagnostics": "diagnostics",
                    "causes": "causes", "resolution": "resolution", "escalation": "escalation",
                    "verification": "verification", "rollback": "rollback"}


def yaml_sections(obj) -> set[str]:
    """The section names a YAML runbook has (FIELD_OF_SECTION's keys): a
    field with content; a cause's resolution steps are a resolution too."""
    have = {name for name, f in FIELD_OF_SECTION.items() if getattr(obj, f, None)}
    if any(c.resolution for c in obj.causes):
        have.add("resolution")
    return have
_STRS = {"type": "array", "items": {"type": "string"}}


def code_runbooks(kb) -> dict[str, list]:
    """Runbook id (or alias) -> the error-code entities whose entry names it."""
    def build():
        out: dict[str, list] = {}
        for ents in kb.codes.values():
            for c in ents:
                if c.obj.runbook:
                    out.setdefault(c.obj.runbook, []).append(c)
        return out
    return memo(kb, "code_runbooks", build)


def answered_codes(kb) -> dict[str, set[str]]:
    """Runbook id -> the normalised codes it answers: those it lists and those whose entry names it."""
    def build():
        out: dict[str, set[str]] = {}
        aliases = {a: r.id for a, r in index(kb, "runbook_by_alias").items()}
        for rb in kb.of_type(RunbookKind.type):
            for ref in rb.obj.error_codes:
                out.setdefault(rb.id, set()).update(normalize_code(c.obj.code) for c in kb.resolve_code(str(ref)))
        for rid, codes in code_runbooks(kb).items():
            out.setdefault(aliases.get(rid, rid), set()).update(normalize_code(c.obj.code) for c in codes)
        return out
    return memo(kb, "runbook_codes", build)


def _listed_codes(kb, rb_id: str, refs: tuple[str, ...]) -> list:
    """The error-code entities a runbook's page lists: those it names and those whose entry names it."""
    found: dict[str, object] = {}
    for ref in refs:
        for c in kb.resolve_code(ref):
            found[c.id] = c
    for c in code_runbooks(kb).get(rb_id, []):
        found.setdefault(c.id, c)
    return [found[k] for k in sorted(found)]


def listed_code_ids(kb, rb_id: str, refs: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c.id for c in _listed_codes(kb, rb_id, refs))


def listed_codes(kb, ent) -> list[str]:
    """The codes a runbook lists in error_codes, as written in their tables."""
    return sorted({str(c.obj.code) for ref in ent.obj.error_codes for c in kb.resolve_code(str(ref))})


class RunbookKind(Kind):
    type = "runbook"
    name = "runbook"
    model = Runbook
    template = "runbook.md.j2"
    facts_template = "runbook-markdown.md.j2"
    title = "Runbooks"
    label = "Runbook"
    order = 10
    page_boost = 2
    search_weight = 1.25
    exact_rank = 1
    browse = False  # runbooks/ is their listing
    index_path = "runbooks/index.md"  # a class constant where Kind has a property
    data_schema = {"required": ["format"], "properties": {"format": {"enum": ["yaml", "md"]}, "sections": _STRS,
                                                          "error_codes": _STRS, "symptoms": _STRS}}

    def prepare(self, ent, kb):
        if kb.config.options.alert_from_filename:
            name = alert_name_of(posixpath.splitext(posixpath.basename(ent.doc.rel))[0])
            if name and name not in ent.obj.alerts:
                ent.obj.alerts = [*ent.obj.alerts, name]

    def anchors(self, ent):
        if ent.doc.fmt != "yaml":
            return []  # a Markdown runbook's ids are its headings'
        obj = ent.obj
        out = [s for s in SECTIONS if getattr(obj, s)]
        if obj.related:
            out.append("related")
        return out + [c.id for c in obj.causes]

    def references(self, ent):
        obj = ent.obj
        for i, ref in enumerate(obj.error_codes):
            yield Ref("code", ("error_codes", i), str(ref))
        if obj.escalation:
            yield Ref("tier", ("escalation", "to"), obj.escalation.to)
        if obj.severity:
            yield Ref("priority", ("severity",), obj.severity)

    def check(self, kb, ent, report):
        ids, aliases = kb.entities, index(kb, "runbook_by_alias")
        for i, alias in enumerate(ent.obj.aliases):
            where = ent.doc.loaded.where(("aliases", i))
            if alias in ids and ids[alias] is not ent:
                report.error(ent.source, where, "KB312", f"alias '{alias}' is the id of {ids[alias].source}",
                             "an alias is a former id; it must not be in use")
            elif aliases.get(alias) is not ent:
                report.error(ent.source, where, "KB312",
                             f"alias '{alias}' is claimed by another runbook too ({aliases[alias].source})")

    # -- the page --------------------------------------------------------------

    def page_context(self, kb, ent, ctx):
        refs = tuple(str(r) for r in ent.obj.error_codes)
        ctx["link"].read(listed_code_ids, ent.id, refs)  # the page cache sees a code added to or gone from it
        out = {"codes": _listed_codes(kb, ent.id, refs)}
        if ent.doc.fmt == "md":
            # a Markdown runbook shows its summary under its facts, as a YAML one does,
            # unless the summary is its first paragraph (summary_from_body, or the same words)
            out["summary_in_body"] = "summary" not in ent.doc.data or \
                " ".join(str(ent.summary or "").split()) == first_paragraph(ent.doc.md)
        return out

    def listings(self, kb, entities):
        products = kb.config.options.products
        ids = {p.id for p in products}
        groups = [(p.name, [r for r in entities if p.id in r.products]) for p in products]
        groups.append(("Other", [r for r in entities if not set(r.products) & ids]))
        return [Listing("Runbooks", self.index_path, "Step-by-step procedures, grouped by product.", groups)]

    # -- search, export, kb.json ----------------------------------------------

    def search_text(self, kb, ent, text):
        o = ent.obj
        text.codes |= answered_codes(kb).get(ent.id, set())
        text.symptoms += [*o.symptoms, *o.alerts, *(c.title for c in getattr(o, "causes", []))]
        if ent.doc.fmt == "md":
            text.body.append(plain(ent.doc.body))
            text.symptoms += [h.text for h in ent.doc.md.headings if h.level == 1]
        else:
            text.body += [plain(o.description), *step_texts(o.diagnostics), *step_texts(o.resolution),
                          *step_texts(o.verification)]
            for c in o.causes:
                text.body += [plain(c.description), *step_texts(c.resolution)]
        if o.escalation:
            text.hints.append("escalate escalation")
            text.body += o.escalation.when

    def sections(self, kb, ent):
        o, codes = ent.obj, listed_codes(kb, ent)
        if ent.doc.fmt == "md":
            return [(a, t, x, codes) for a, t, x in markdown_sections(ent.title, ent.doc.body)]
        out = [("", ent.title, plain(joined(ent.summary, o.description)), codes)]
        if o.prerequisites or o.tools:
            out[0] = (*out[0][:2], " ".join([out[0][2], *o.prerequisites, *o.tools]).strip(), codes)
        if o.symptoms:
            out.append(("symptoms", "Symptoms", " ".join(o.symptoms), codes))
        if o.diagnostics:
            out.append(("diagnostics", "Diagnostics", steps_text(o.diagnostics), codes))
        for c in o.causes:
            out.append((c.id, c.title, joined(plain(c.description), steps_text(c.resolution)), codes))
        if o.resolution:
            out.append(("resolution", "Resolution", steps_text(o.resolution), codes))
        if o.escalation:
            out.append(("escalation", "Escalation", self._escalation(kb, o.escalation), codes))
        if o.verification:
            out.append(("verification", "Verification", steps_text(o.verification), codes))
        if o.rollback:
            out.append(("rollback", "Rollback", steps_text(o.rollback), codes))
        return out

    @staticmethod
    def _escalation(kb, esc) -> str:
        tiers = index(kb, "tiers_index").get(esc.to)  # a tier this audience cannot see stays unnamed
        return joined(f"Escalate to {tiers[0][1].name}" if tiers else "Escalate",
                      f"after {dur(esc.after)}" if esc.after else "", *esc.when, esc.contact or "")

    def data(self, kb, ent, data, refs):
        esc = data.get("escalation")
        if esc and esc.get("to") not in refs.tiers:
            esc.pop("to", None)  # a tier this audience cannot see stays unnamed
        data["format"] = ent.doc.fmt
        if ent.doc.fmt == "md":
            data["sections"] = [h.text for h in ent.doc.md.headings if h.level == 2]
        return data


KIND = RunbookKind()
