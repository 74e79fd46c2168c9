"""Files for `kbgen init` (kb/) and the bodies `kbgen new` writes."""
from __future__ import annotations

from pathlib import Path

KB_TEMPLATE = Path(__file__).resolve().parent / "kb"

# The site_url `kbgen init` writes until it is told the real one (--site-url):
# canonical links, the sitemap, kb.json and llms.txt are made from it, so
# validation warns while it is still there (KB214; --strict and CI fail).
SITE_URL_PLACEHOLDER = "https://your-org.github.io/your-kb/"

# The text `kbgen new` leaves for the writer to replace. Validation flags any
# of it still in a file (KB212, a warning: --strict and CI fail until it is gone).
PLACEHOLDERS = (
    "One line on when to use this runbook.",
    "What the customer or the alert reports",
    "replace with the command to run",
    "What a healthy system shows",
    "Describe the fix",
    "How to prove it is fixed",
    "One line on what this article answers.",
    "Write the article here.",
    "What these error codes mean.",
    "Describe what the error means",
)

NEW = {
    "runbook": """\
# yaml-language-server: $schema={schema}
kind: runbook
id: {id}
title: {title}
summary: One line on when to use this runbook.
audience: {audience}
products: [{products}]
owner: {owner}
last_reviewed: {today}
symptoms:
  - What the customer or the alert reports
diagnostics:
  - title: First check
    run: echo "replace with the command to run"
    expect: What a healthy system shows
resolution:
  - Describe the fix
verification:
  - How to prove it is fixed
""",
    "article": """\
---
id: {id}
title: {title}
summary: One line on what this article answers.
audience: {audience}
type: howto
products: [{products}]
owner: {owner}
last_reviewed: {today}
---
# {title}

Write the article here.
""",
    "error-codes": """\
# yaml-language-server: $schema={schema}
kind: error-codes
id: {id}
title: {title}
summary: What these error codes mean.
audience: {audience}
products: [{products}]
owner: {owner}
last_reviewed: {today}
codes:
  - code: {code}
    message: Describe what the error means
""",
    "sla": """\
# yaml-language-server: $schema={schema}
kind: sla
id: {id}
title: {title}
summary: Response and resolution targets.
audience: {audience}
products: [{products}]
owner: {owner}
last_reviewed: {today}
priorities:                   # fastest first
  - {{id: P1, name: Critical, definition: Complete outage}}
  - {{id: P2, name: High, definition: Partial outage or degraded performance}}
channels:
  - {{id: email, name: Email}}
targets:
  - {{priority: P1, response: 15m, resolution: 4h}}
  - {{priority: P2, response: 1h, resolution: 8h}}
""",
}
