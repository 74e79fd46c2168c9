"""Runbooks must be usable: steps to follow, and the required sections,
one rule for both forms.

Passing:  a YAML runbook with `resolution` (or a cause with resolution
          steps), a Markdown runbook with ## Resolution
Failing:  a YAML runbook without `resolution`, a Markdown runbook without
          ## Resolution -> KB220 (the same message)

Sections are the option runbook_sections: names, or {name, aliases,
required}; by default Symptoms, Diagnosis and Resolution are known and none
is required (`kbgen init` writes Resolution required). In a YAML runbook a section is its field (Diagnosis: `diagnostics`;
kbgen.kinds.runbook.FIELD_OF_SECTION); a section no YAML field is (an
adopted repository's own, say) is asked of Markdown runbooks only. In
Markdown a heading counts as a section when it is the name or an alias,
compared without case, punctuation or extra spaces ("Diagnosis and
mitigation" can count for both Diagnosis and Mitigation). Any heading
below the title counts (a `### Mitigation` under a `## Alert` too), and so
does a bold label that opens a paragraph (`**Impact:** ...`), as
one-finding-per-file runbooks write their sections. An adopted
repository sets KB220 to a warning (`rules: {KB220: warning}`) so runbooks
written before the check are reported without blocking the build.
"""
from __future__ import annotations

import re

from ..config import Section
from ..kinds.runbook import FIELD_OF_SECTION, SECTIONS, yaml_sections


def sections(option) -> list[Section]:
    return [s if isinstance(s, Section) else Section(name=s) for s in option]


def norm(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text.lower()).strip()


def _levels(headings) -> list:
    """The section headings: level 2, else the shallowest level used below the title."""
    h2 = [h for h in headings if h.level == 2]
    if h2:
        return h2
    rest = [h for h in headings if h.level > 1]
    if not rest:
        return []
    top = min(h.level for h in rest)
    return [h for h in rest if h.level == top]


def check(kb, report) -> None:
    opts = kb.config.options
    specs = sections(opts.runbook_sections)
    required = [(s, {norm(s.name), *(norm(a) for a in s.aliases)}) for s in specs if s.required]
    for ent in kb.of_type("runbook"):
        doc = ent.doc
        if doc.fmt == "yaml":
            if not _steps(doc, ent.obj, report) or doc.salvaged:
                continue  # no steps at all says it all; a field that failed is reported already
            have = yaml_sections(ent.obj)
            missing = [s.name for s, names in required if names & FIELD_OF_SECTION.keys() and not names & have]
            found = [n.capitalize() for n in SECTIONS if n in have]
            where, fix = doc.loaded.where(("kind",)), "field"
        else:
            found = [h.text for h in _levels(doc.md.headings)]
            # a section may sit deeper (### under a ##) or be a bold label opening a paragraph (**Impact:**)
            below = [h.text for h in doc.md.headings[1 if doc.md.headings and doc.md.headings[0].level == 1 else 0:]]
            names = {norm(f) for f in below + list(getattr(doc.md, "labels", []))}
            # "Diagnosis and mitigation" is a Diagnosis and a Mitigation section
            names |= {part.strip() for h in list(names) for part in re.split(r"\band\b", h) if part.strip()}
            missing = [s.name for s, names_ in required if not names_ & names]
            where, fix = (doc.body_line, 1), "##"
        if missing:
            shown = [f"`{FIELD_OF_SECTION[norm(m)]}`" if fix == "field" and norm(m) in FIELD_OF_SECTION else f"## {m}"
                     for m in missing]
            report.error(doc.rel, where, "KB220",
                         f"runbook is missing required section{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(shown)} (found: {', '.join(found) or 'none'})",
                         f"required sections (option runbook_sections), in both forms: "
                         f"{', '.join(s.name for s, _ in required)}")


def _steps(doc, rb, report) -> bool:
    """Has the YAML runbook steps? KB211 when it has none."""
    if not doc.salvaged and not rb.diagnostics and not rb.resolution and not any(c.resolution for c in rb.causes):
        report.error(doc.rel, doc.loaded.where(("kind",)), "KB211",
                     "runbook has no steps: give diagnostics, resolution, or a cause with resolution")
        return False
    return True
