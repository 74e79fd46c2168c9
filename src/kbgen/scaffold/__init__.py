"""Files for `kbgen init` (kb/) and the bodies `kbgen new` writes."""
from __future__ import annotations

from pathlib import Path

KB_TEMPLATE = Path(__file__).resolve().parent / "kb"

# The site_url `kbgen init` writes until it is told the real one (--site-url):
# canonical links, the sitemap, kb.json and llms.txt are made from it, so
# validation warns while it is still there (KB214; --strict and CI fail).
SITE_URL_PLACEHOLDER = "https://your-kb.example.com/"  # no path: `kbgen serve` serves at /

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
    "Replace this placeholder.",
    "Write this section.",
    "One line on what this holds.",
    "One line on what these targets cover.",
)

# The fields every YAML file `kbgen new` writes starts with.
HEADER = """\
# yaml-language-server: $schema={schema}
kind: {kind}
id: {id}
title: {title}
summary: {summary}
audience: {audience}
products: [{products}]
owner: {owner}
last_reviewed: {today}
"""

# What `kbgen new` writes under the header for each of kbgen's kinds (a kind
# added by a package gets its required fields, kbgen.commands.new); the
# Markdown ones are whole files. Placeholders: PLACEHOLDERS above.
NEW = {
    "runbook": ("One line on when to use this runbook.", """\
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
"""),
    "error-codes": ("What these error codes mean.", """\
codes:
  - code: {code}
    message: Describe what the error means
"""),
    "sla": ("One line on what these targets cover.", """\
priorities:                   # fastest first
  - {{id: P1, name: Critical, definition: Complete outage}}
  - {{id: P2, name: High, definition: Partial outage or degraded performance}}
channels:
  - {{id: email, name: Email}}
targets:
  - {{priority: P1, response: 15m, resolution: 4h}}
  - {{priority: P2, response: 1h, resolution: 8h}}
"""),
    "tiers": ("Who handles what, and when to escalate.", """\
tiers:
  - id: {id}-tier1
    name: Tier 1
    description: Replace this placeholder.
    escalates_to: {id}-tier2
  - id: {id}-tier2
    name: Tier 2
    description: Replace this placeholder.
"""),
    "contacts": ("How to reach support.", """\
channels:
  - name: Email
    hours: Replace this placeholder.
people: []
"""),
    "templates": ("Messages to send, ready to fill in.", """\
templates:
  - id: {id}-first
    title: First template
    use_when: Replace this placeholder.
    body: |
      Replace this placeholder.
"""),
    "faq": ("Questions customers ask, answered.", """\
questions:
  - q: Replace this placeholder.
    a: Replace this placeholder.
"""),
    "alerts": ("The alerts that page us, and their runbooks.", """\
alerts:
  - name: ExampleAlert
    condition: Replace this placeholder.
    description: Replace this placeholder.
"""),
}

ARTICLE = """\
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
# {heading}

Write the article here.
"""

RUNBOOK_MARKDOWN = """\
---
id: {id}
title: {title}
summary: One line on when to use this runbook.
audience: {audience}
products: [{products}]
owner: {owner}
last_reviewed: {today}
---
# {heading}

{sections}"""

# a Markdown runbook's sections (the option runbook_sections), with what goes in each
SECTION_TEXT = {
    "symptoms": "- What the customer or the alert reports",
    "diagnosis": "1. First check:\n\n    ```bash\n    echo \"replace with the command to run\"\n    ```\n\n    "
                 "What a healthy system shows",
    "resolution": "1. Describe the fix",
    "verification": "1. How to prove it is fixed",
}
