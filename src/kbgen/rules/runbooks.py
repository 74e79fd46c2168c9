"""Runbooks must be usable: steps to follow, and the required sections.

Passing:  a YAML runbook with diagnostics, or a Markdown runbook with
          ## Symptoms, ## Diagnosis and ## Resolution
Failing:  a Markdown runbook without ## Resolution -> KB220
"""
from __future__ import annotations


def check(kb, report) -> None:
    required = kb.config.options.runbook_sections
    for ent in kb.of_type("runbook"):
        doc = ent.doc
        if doc.fmt == "yaml":
            rb = ent.obj
            if not doc.salvaged and not rb.diagnostics and not rb.resolution and not any(c.resolution for c in rb.causes):
                report.error(doc.rel, doc.loaded.where(("kind",)), "KB211",
                             "runbook has no steps: give diagnostics, resolution, or a cause with resolution")
            continue
        found = [h.text for h in doc.md.headings if h.level == 2]
        lower = {f.strip().lower() for f in found}
        missing = [s for s in required if s.lower() not in lower]
        if missing:
            line = doc.body_line
            report.error(doc.rel, (line, 1), "KB220",
                         f"runbook is missing required section{'s' if len(missing) > 1 else ''} "
                         f"{', '.join('## ' + m for m in missing)} (found: {', '.join(found) or 'no ## sections'})",
                         f"required sections (option runbook_sections): {', '.join(required)}")
