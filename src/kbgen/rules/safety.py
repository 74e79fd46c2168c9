"""Content must be safe to publish.

- KB510 secrets: private key blocks, cloud access keys, bearer tokens,
  passwords in URLs, tokens of well-known services. `${VAR}` is fine.
- KB511 raw <script>, KB512 on*= event handlers, KB513 javascript:/data:/
  vbscript: URLs, KB517 HTML tags and KB518 attributes off the allowlist
  (kbgen.markdown.sanitize): what the sanitizer would remove from the page,
  found by the same reading of Markdown the renderer does (never in code).
  KB517/KB518 are errors in public content, warnings in internal content.
- KB514 TODO/FIXME/TBD left in public content (warning).
- KB515 template placeholders used but not declared; KB516 declared, unused.

Passing:  -H "Authorization: Bearer ${API_KEY}"
Failing:  -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc123def456" -> KB510
"""
from __future__ import annotations

import re

from ..markdown.lines import Lines
from ..model.links import field_position, field_readings

# (pattern, what, needles): the regex runs only on text containing a needle
# (checked on the lower-cased text), which keeps a 2,000-file KB fast.
SECRETS = [
    # a key block has its base64 body after the header; a sentence naming the header is not a secret
    (re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[ \t]*\r?\n(?:[A-Za-z0-9+/=:, \t-]*\r?\n)*?"
                r"[ \t]*[A-Za-z0-9+/=]{40,}"), "a private key block", ("private key",)),
    (re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Z0-9])"), "an AWS access key id", ("akia", "asia")),
    (re.compile(r"(?i)aws_secret_access_key\s*[:=]\s*['\"]?[A-Za-z0-9/+=]{40}"), "an AWS secret access key",
     ("aws_secret_access_key",)),
    (re.compile(r"(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,}"), "a GitHub token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")),
    (re.compile(r"(?<![A-Za-z0-9])xox[abprs]-[A-Za-z0-9-]{10,}"), "a Slack token", ("xox",)),
    (re.compile(r"sk_live_[0-9a-zA-Z]{16,}"), "a Stripe live key", ("sk_live_",)),
    (re.compile(r"AIza[0-9A-Za-z_-]{35}"), "a Google API key", ("aiza",)),
    (re.compile(r"(?i)(?<![a-z])bearer\s+(?!\$\{|\$[A-Z_]|<|\[|\{\{|YOUR|TOKEN|xxx)[A-Za-z0-9._~+/-]{20,}=*"),
     "a bearer token", ("bearer",)),
    (re.compile(r"[a-z][a-z0-9+.-]*://[^\s:/@]+:(?!\$\{|\$[A-Z_]|\*+@|<|\[|\{\{|password@|pass@|PASSWORD@)"
                r"(?P<password>[^\s@/]+)@(?P<host>[^\s/:?#\])>'\"`]*)"),
     "a password in a URL", ("@",)),
]
# A password that is only a mask (******, xxxx, •••) or a placeholder, and a
# credential for the writer's own machine (a documented local development
# default: postgres://postgres:postgres@localhost), are not secrets to leak.
_MASK = re.compile(r"^(?:[*x•.#_\\-]+|X+|<[^>]*>|%[a-z]|\$\w+|\{\{[^}]*\}\}|\{[^}]*\}|\[[^\]]*\])$", re.I)
_PLACEHOLDERS = frozenset({"password", "passwd", "pass", "secret", "changeme", "change-me", "example", "pw",
                           "yourpassword", "your-password", "mypassword", "redacted", "hidden", "masked"})
_LOCAL = re.compile(r"^(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[?::1\]?|host\.docker\.internal|"
                    r"[\w.-]+\.(?:localhost|local|test|example|invalid)|(?:[\w-]+\.)*example\.(?:com|org|net))$", re.I)


def _documented(password: str, host: str) -> bool:
    return bool(_MASK.match(password) or password.lower() in _PLACEHOLDERS or _LOCAL.match(host or ""))


_TODO = re.compile(r"\b(TODO|FIXME|TBD)\b")


_NEEDLES = re.compile("|".join(re.escape(n) for _, _, needles in SECRETS for n in needles))


def _scan(text: str, rel: str, report, public: bool) -> None:
    """Run each pattern over the whole text (fast), locating only the matches."""
    lines = None
    lower = text.lower()
    present = set(_NEEDLES.findall(lower))
    for rx, what, needles in SECRETS:
        if not present.intersection(needles):
            continue
        for m in rx.finditer(text):
            if "password" in rx.groupindex and _documented(m.group("password"), m.group("host")):
                continue
            lines = lines or Lines(text)
            report.error(rel, lines.at(m.start()), "KB510", f"possible secret in content: {what}",
                         "never publish credentials; use a placeholder such as ${API_KEY} and rotate the secret")
    if public and ("TODO" in text or "FIXME" in text or "TBD" in text):
        lines = lines or Lines(text)
        for m in _TODO.finditer(text):
            report.warning(rel, lines.at(m.start()), "KB514", f"'{m.group(1)}' left in public content",
                           "finish the text before publishing, or make the page internal")


_HINTS = {
    "KB511": "scripts belong in the theme (overrides/ or extra_javascript), not in pages",
    "KB512": "inline event handlers run script; remove the attribute",
    "KB513": "links go to pages or http(s)/mailto/tel addresses",
    "KB517": "allowed HTML: see docs/security.md; use Markdown, or an admonition, table or details block",
    "KB518": "allowed attributes: see docs/security.md (ids and classes are fine: {#id .class})",
}


def check(kb, report) -> None:
    for ent in list(kb.by_source.values()):
        doc = ent.doc
        _scan(doc.text, doc.rel, report, ent.public)
        if doc.md is not None:
            _unsafe(report, doc.rel, ent.public, doc.md.unsafe)
        elif doc.obj is not None:
            for path, reading in field_readings(doc, kb.config).items():
                if reading.unsafe:
                    _unsafe(report, doc.rel, ent.public, reading.unsafe, doc.loaded.where(path), doc)


def _unsafe(report, rel, public, found, start=None, doc=None) -> None:
    for u in found:
        pos = (u.line, u.column)
        if start is not None:  # a YAML field: its n-th line, counted from where the field starts
            pos = field_position(doc, start, u.line, u.column)
        add = report.error if public or u.code in ("KB511", "KB512", "KB513") else report.warning
        add(rel, pos, u.code, u.message, _HINTS.get(u.code))
