"""Alert catalogues: one Markdown page listing many alerts (option
alert_catalogues), as kubernetes-mixin's runbook.md does:

    ##### Alert Name: "KubeAPIDown"
    + *Message*: `KubeAPI has disappeared from Prometheus target discovery.`
    + *Severity*: critical
    + *Runbook*: [Link](https://runbooks.example/kubeapidown/)

Each heading that names an alert (`Alert Name: X`, `Alert: X`, or an
identifier such as `KubeAPIDown` alone) is an entry; its `Key: value` list
items give the severity and message, and its first external link labelled
Runbook (or its only external link) is the runbook URL. Headings and links
come from kbgen.source; only the list items are read here."""
from __future__ import annotations

import re

_HEADING = re.compile(r"""^(?:alert(?:\s*name)?\s*:\s*)?["'`]?([A-Za-z_:][A-Za-z0-9_:]*)["'`]?$""", re.I)
_FIELD = re.compile(r"^\s*[-+*]\s+[*_]{0,2}([A-Za-z][A-Za-z ]*?)[*_]{0,2}\s*:\s*[*_]{0,2}\s*(.*)$")


def alert_heading(text: str) -> str | None:
    m = _HEADING.match(text.strip())
    if not m:
        return None
    name = m.group(1)
    prefixed = text.strip().lower().startswith("alert")
    camel = sum(c.isupper() for c in name) >= 2 and any(c.islower() for c in name)
    return name if prefixed or camel else None


def entries(doc) -> list[dict]:
    md = doc.md
    lines = doc.body.split("\n")
    heads = md.headings
    out = []
    for i, h in enumerate(heads):
        name = alert_heading(h.text)
        if not name:
            continue
        end = next((x.line for x in heads[i + 1:] if x.level <= h.level), doc.body_line + len(lines))
        fields: dict[str, str] = {}
        for n in range(h.line + 1, end):
            m = _FIELD.match(lines[n - doc.body_line]) if 0 <= n - doc.body_line < len(lines) else None
            if m:
                fields.setdefault(m.group(1).strip().lower(), m.group(2).strip())
        urls = [(lk.line, lk.target) for lk in md.links
                if h.line < lk.line < end and lk.target.startswith(("http://", "https://"))]
        runbook_line = next((n for n in range(h.line + 1, end)
                             if re.match(r"^\s*[-+*]\s+[*_]{0,2}runbook", lines[n - doc.body_line], re.I)), None)
        url = next((u for ln, u in urls if ln == runbook_line), None) or (urls[0][1] if len(urls) == 1 else None)
        severity = fields.get("severity", "").strip("`*_ ") or None
        message = fields.get("message") or fields.get("summary") or fields.get("description") or ""
        action = fields.get("action", "")
        description = " ".join(x.strip("` ") for x in (message, action) if x)
        out.append({"name": name, "anchor": h.anchor, "line": h.line, "severity": severity,
                    "description": description, "runbook_url": url})
    return out
