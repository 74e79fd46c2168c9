"""Content must be safe to publish.

- KB510 secrets: private key blocks, cloud access keys, bearer tokens,
  passwords in URLs, tokens of well-known services. `${VAR}` is fine.
- KB511 raw <script>, KB512 on*= event handlers, KB513 javascript: URLs.
- KB514 TODO/FIXME/TBD left in public content (warning).
- KB515 template placeholders used but not declared; KB516 declared, unused.

Passing:  -H "Authorization: Bearer ${API_KEY}"
Failing:  -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc123def456" -> KB510
"""
from __future__ import annotations

import re

SECRETS = [
    (re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"), "a private key block"),
    (re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"), "an AWS access key id"),
    (re.compile(r"(?i)aws_secret_access_key\s*[:=]\s*['\"]?[A-Za-z0-9/+=]{40}"), "an AWS secret access key"),
    (re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"), "a GitHub token"),
    (re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"), "a Slack token"),
    (re.compile(r"\bsk_live_[0-9a-zA-Z]{16,}"), "a Stripe live key"),
    (re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"), "a Google API key"),
    (re.compile(r"(?i)\bbearer\s+(?!\$\{|\$[A-Z_]|<|\[|\{\{|YOUR|TOKEN|xxx)[A-Za-z0-9._~+/-]{20,}=*"), "a bearer token"),
    (re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@]+:(?!\$\{|\$[A-Z_]|\*+@|<|\[|\{\{|password@|pass@|PASSWORD@)[^\s@/]+@[^\s]+"),
     "a password in a URL"),
]
_SCRIPT = re.compile(r"<\s*script\b", re.I)
_HANDLER = re.compile(r"<[a-zA-Z][^>]*\s(on[a-z]+)\s*=", re.I)
_JS_URL = re.compile(r"(?i)(?:\]\(\s*|href\s*=\s*[\"']?|src\s*=\s*[\"']?)\s*(javascript\s*:)")
_TODO = re.compile(r"\b(TODO|FIXME|TBD)\b")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
PLACEHOLDER = re.compile(r"\[([^\[\]\n]+)\](?!\()")


def _scan(lines, rel, report, public: bool, html: bool) -> None:
    for lineno, line in lines:
        for rx, what in SECRETS:
            m = rx.search(line)
            if m:
                report.error(rel, (lineno, m.start() + 1), "KB510", f"possible secret in content: {what}",
                             "never publish credentials; use a placeholder such as ${API_KEY} and rotate the secret")
        if html:
            # `<script>` in inline code is text, not markup
            line = _INLINE_CODE.sub(lambda mm: " " * len(mm.group(0)), line)
            m = _SCRIPT.search(line)
            if m:
                report.error(rel, (lineno, m.start() + 1), "KB511", "raw <script> in content",
                             "scripts belong in the theme (overrides/ or extra_javascript), not in pages")
            m = _HANDLER.search(line)
            if m:
                report.error(rel, (lineno, m.start(1) + 1), "KB512", f"HTML event handler attribute '{m.group(1)}'",
                             "inline event handlers run script; remove it")
            m = _JS_URL.search(line)
            if m:
                report.error(rel, (lineno, m.start(1) + 1), "KB513", "javascript: URL in content",
                             "links must go to pages or web addresses")
        if public:
            m = _TODO.search(line)
            if m:
                report.warning(rel, (lineno, m.start() + 1), "KB514", f"'{m.group(1)}' left in public content",
                               "finish the text before publishing, or make the page internal")


def check(kb, report) -> None:
    seen = set()
    for ent in list(kb.by_source.values()):
        doc = ent.doc
        seen.add(doc.rel)
        if doc.fmt == "md":
            prose = doc.md.prose + [(i + 1, l) for i, l in enumerate(doc.text.split("\n")[: doc.body_line - 1])]
            _scan(prose, doc.rel, report, ent.public, html=True)
            _scan(doc.md.code, doc.rel, report, ent.public, html=False)
        else:
            _scan(list(enumerate(doc.text.split("\n"), 1)), doc.rel, report, ent.public, html=True)
        if ent.type == "templates":
            _placeholders(ent, report)


def _placeholders(ent, report) -> None:
    doc = ent.doc
    lines = doc.text.split("\n")
    for i, t in enumerate(ent.obj.templates):
        declared = set(t.placeholders)
        used = []
        for field in ("subject", "body"):
            value = getattr(t, field) or ""
            for m in PLACEHOLDER.finditer(value):
                name = m.group(1).strip()
                if name.lower() in ("x", "") or not name.strip():
                    continue  # Markdown task-list boxes
                used.append(name)
                if name not in declared:
                    start = doc.loaded.where(("templates", i, field))
                    pos = _find(lines, f"[{m.group(1)}]", start)
                    report.error(doc.rel, pos, "KB515", f"placeholder [{name}] in template '{t.id}' is not declared",
                                 f"add '{name}' to the template's placeholders")
        for j, name in enumerate(t.placeholders):
            if name not in used:
                report.warning(doc.rel, doc.loaded.where(("templates", i, "placeholders", j)), "KB516",
                               f"placeholder '{name}' is declared but not used in template '{t.id}'")


def _find(lines, needle, start):
    for n in range(start[0] - 1, len(lines)):
        col = lines[n].find(needle)
        if col >= 0:
            return (n + 1, col + 1)
    return start
