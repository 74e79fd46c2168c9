"""The sections runbooks have, by family of names ("Mitigating" is a
Mitigation, "Diagnosis and mitigation" both): which files are runbooks,
which sections most of them share (required: runbook_sections), and which
runbooks lack one."""
from __future__ import annotations

import re
from collections import Counter

from ..rules.runbooks import norm
from .files import MdFile

# Section names runbooks use for the same thing; the first is the canonical name.
SECTION_FAMILIES = [
    ["Meaning", "Description", "Overview", "Summary", "Alert description", "What does this alert mean"],
    ["Impact", "Business impact", "User impact", "Consequences"],
    ["Diagnosis", "Diagnosing", "Diagnostics", "Investigation", "Investigating", "Troubleshooting",
     "Diagnosis and mitigation", "Diagnosis and remediation", "Triage"],
    ["Mitigation", "Mitigating", "Remediation", "Resolution", "Fix", "Solution", "Mitigation steps",
     "Diagnosis and mitigation", "Diagnosis and remediation"],
    ["Symptoms", "Symptom", "Signs"],
    ["Resolution", "Resolving", "Fix", "Solution", "Remediation", "Mitigation"],
    ["Escalation", "Escalate", "When to escalate"],
    ["Verification", "Verify", "Validation"],
]


RUNBOOK_WORDS = {norm(n) for fam in SECTION_FAMILIES for n in fam}


def runbook_sections(f: MdFile) -> list[str]:
    """The sections (headings or bold labels) named like a runbook's."""
    return [s for s in f.sections + f.labels if norm(s) in RUNBOOK_WORDS or
            any(w in RUNBOOK_WORDS for w in norm(s).split(" and "))]


def is_runbook(f: MdFile) -> bool:
    return not not_a_runbook(f) and len({norm(s) for s in runbook_sections(f)}) >= 2


_TEMPLATE = re.compile(r"\btemplates?\b", re.I)
_REVIEW = re.compile(r"post[\s_-]?mortems?|retrospectives?|incident[\s_-]reviews?|\bpir\b", re.I)
_LEARNING = re.compile(r"\b(tutorials?|training|courses?|how[\s_-]?to|getting[\s_-]started|guides?|"
                       r"introduction|overview|process|principles)\b", re.I)
_STEP = re.compile(r"^(step|stage|lesson|part)\s*\d", re.I)


def not_a_runbook(f: MdFile) -> str | None:
    """Why a page with runbook-like headings is not a runbook (one finding,
    what to check, what to do): a template to copy, a postmortem, a
    tutorial or process description; None when nothing says so."""
    stem = re.sub(r"[_-]+", " ", f.rel.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    names = " ".join([stem, *f.h1, str(f.meta.get("title") or "")])
    if _TEMPLATE.search(names):
        return "a template to copy"
    if _REVIEW.search(names):
        return "a postmortem or review"
    if _LEARNING.search(names) or sum(1 for h in f.sections if _STEP.match(h)) >= 2:
        return "a tutorial, guide or process"
    return None


def families(heading: str) -> set[str]:
    """The canonical section names a heading counts as: its families, and
    each part of "X and Y"; a heading of no family is its own."""
    key = norm(heading)
    parts = {key} | {p.strip() for p in key.split(" and ") if p.strip()}
    out = {norm(fam[0]) for fam in SECTION_FAMILIES for p in parts if p in map(norm, fam)}
    return out or {key}


def section_specs(runbook_files: list[MdFile]) -> tuple[list, list[str]]:
    freq: Counter = Counter()
    spelled: dict[str, Counter] = {}
    first_seen: dict[str, int] = {}
    for f in runbook_files:
        fams: set[str] = set()
        for i, h in enumerate((f.subsections or f.sections) + f.labels):  # at any depth: ### under ## too
            for fam in families(h):
                fams.add(fam)
                first_seen.setdefault(fam, i)
                if norm(h) == fam or fam in map(norm, next((x for x in SECTION_FAMILIES if norm(x[0]) == fam), [])) \
                        and " and " not in norm(h):
                    spelled.setdefault(fam, Counter())[h] += 1
        freq.update(fams)
    specs: list = []
    names: list[str] = []
    for fam, n in sorted(freq.items(), key=lambda kv: (first_seen.get(kv[0], 99), kv[0])):
        if n < 0.6 * len(runbook_files):
            continue
        name = spelled[fam].most_common(1)[0][0] if fam in spelled else fam.capitalize()
        if norm(name) in map(norm, names):
            continue
        family = next((x for x in SECTION_FAMILIES if norm(x[0]) == fam), [])
        aliases = [a for a in family if norm(a) != norm(name)]
        aliases += [h for h in spelled.get(fam, {}) if norm(h) != norm(name) and h not in aliases]
        names.append(name)
        specs.append({"name": name, "aliases": aliases} if aliases else name)
    return specs, names


def has_all_sections(f: MdFile, specs) -> bool:
    have = {norm(h) for h in f.sections + f.labels + f.subsections}
    have |= {p.strip() for h in list(have) for p in h.split(" and ") if p.strip()}
    for s in specs:
        names = {norm(s)} if isinstance(s, str) else {norm(s["name"]), *(norm(a) for a in s["aliases"])}
        if not names & have:
            return False
    return True
