#!/usr/bin/env python3
"""Write docs/fields.md, the writers' field reference, from the content model
(the pydantic models in src/kbgen/schema/, through the JSON Schemas editors
use). Types, required fields and defaults come from the models; the one-line
meanings and the examples are kept here, next to the generator, and a test
(tests/test_docs.py) checks that every field has one, that every
example validates, and that docs/fields.md is what this script writes.

    .venv/bin/python scripts/gen_fields_doc.py          # rewrite docs/fields.md
    .venv/bin/python scripts/gen_fields_doc.py --check  # exit 1 if it is out of date
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "fields.md"

# Where each kind lives and what it is for.
KINDS = {
    "article": ("Markdown article", "`content/**/*.md`: YAML front matter (optional as a whole), then the Markdown page."),
    "runbook": ("Runbook (YAML)", "`runbooks/**/*.yaml`: ordered steps to diagnose and fix one problem; the "
                                  "sections the plugin option `runbook_sections` requires are its fields "
                                  "(`resolution`, or a cause's, for Resolution), as they are `##` headings in Markdown."),
    "runbook-markdown": ("Runbook (Markdown)", "`runbooks/**/*.md`: front matter, then `## Symptoms`, `## Diagnosis`, "
                                               "`## Resolution` sections; the plugin option `runbook_sections` says "
                                               "which are required (`kbgen init` writes `## Resolution`)."),
    "error-codes": ("Error-code table", "`kind: error-codes` under content/: each code gets an anchor, a short URL "
                                        "`e/<code>/` and an entry in kb.json."),
    "sla": ("Service levels", "`kind: sla`: priorities, channels, plans and the response/resolution matrix."),
    "tiers": ("Support tiers", "`kind: tiers`: who handles what, and the escalation path."),
    "contacts": ("Contacts", "`kind: contacts`: support channels and people; each entry may be internal."),
    "templates": ("Communication templates", "`kind: templates`: messages with declared `[Placeholders]`."),
    "faq": ("FAQ", "`kind: faq`: questions and Markdown answers."),
    "alerts": ("Alerts", "`kind: alerts`: alert rules mapped to runbooks, and Prometheus rule files to check."),
}

# One line per field. `Model.field` for fields of nested mappings; a plain
# name for the top-level fields of every kind (kind-specific: `kind:field`).
NOTES = {
    "kind": "What the file is; decides every other field.",
    "id": "Unique across the whole knowledge base; becomes the page URL. Markdown: defaults to the file name.",
    "title": "The page title. Markdown: defaults to the first `# Heading`.",
    "summary": "One line, shown in search results and kb.json.",
    "audience": "`public` or `internal`. Missing: the plugin option `default_audience` (itself `internal`).",
    "products": "Product ids declared in mkdocs.yml (plugin option `products`).",
    "tags": "Free labels; Material's tags plugin lists them.",
    "owner": "Team or person responsible for the page (shown in `kbgen report`).",
    "last_reviewed": "Date of the last review, YYYY-MM-DD. Reviews fall due `review_every` later (KB601, never failing).",
    "review_every": "How often to review. Missing: the plugin option `review_every` (365d by default).",
    "related": "Ids of other pages to link at the bottom; each must exist.",
    "description": "Markdown shown on the page under the summary.",
    "type": "`howto`, `faq`, `troubleshooting`, `reference`, `policy`, `template` or `announcement`.",
    "severity": "A priority id from an SLA file (P1, sev-2...).",
    "error_codes": "Codes this runbook answers: `QT-001`, or `TABLEID:CODE` when a code is in two tables.",
    "escalation": "Who takes over, and when.",
    "alerts": "Alert names this runbook answers; `runbooks/<AlertName>/` redirects here.",
    "alerts:alerts": "The alert rules, each mapped to a runbook.",
    "aliases": "Former ids: old links and alert URLs keep working.",
    "last_tested": "When the steps were last tried for real (YYYY-MM-DD).",
    "tools": "Tools the reader needs.",
    "prerequisites": "What must be true or at hand before starting.",
    "symptoms": "What the customer or the alert reports, one per line.",
    "diagnostics": "Checks, in order.",
    "causes": "Possible causes, each with its own fix.",
    "resolution": "Steps that fix it.",
    "verification": "How to prove it is fixed.",
    "rollback": "How to undo the fix.",
    "codes": "The codes of this table.",
    "priorities": "Priority levels, fastest first.",
    "channels": "Support channels.",
    "plans": "Support plans (optional).",
    "targets": "The matrix: one target per priority (and channel, plan).",
    "tiers": "The tiers, first line first.",
    "management_chain": "Who to involve beyond the tiers, in order.",
    "management_triggers": "When management is involved.",
    "response_protocol": "Steps of the response and their targets.",
    "people": "People to contact.",
    "templates": "The templates.",
    "questions": "The questions and answers.",
    "prometheus_rules": "Prometheus rule files (paths from this file); each `runbook_url` must reach a runbook.",
    "Step.title": "What to do, in one line (a step may be just this text).",
    "Step.run": "A command to run; shown with a copy button.",
    "Step.lang": "Language of `run` for highlighting (default bash).",
    "Step.expect": "What a healthy system shows.",
    "Step.note": "A remark for the reader.",
    "Cause.id": "Id of the cause, unique in the runbook (an anchor).",
    "Cause.title": "The cause in one line.",
    "Cause.description": "More on it, in Markdown.",
    "Cause.resolution": "Steps that fix this cause.",
    "Escalation.to": "A tier id from a tiers file.",
    "Escalation.after": "Escalate after this long without a fix.",
    "Escalation.when": "Conditions that call for escalating at once.",
    "Escalation.contact": "How to reach them.",
    "ErrorCode.code": "The code as users see it (`QT-001`, `429`); unique in the table.",
    "ErrorCode.message": "The message that comes with it.",
    "ErrorCode.category": "A group for the code.",
    "ErrorCode.severity": "A priority id from an SLA file.",
    "ErrorCode.description": "What it means, in Markdown.",
    "ErrorCode.causes": "Why it happens.",
    "ErrorCode.resolution": "What to do: text or steps.",
    "ErrorCode.runbook": "Id of the runbook for this code.",
    "ErrorCode.http_status": "The HTTP status that carries it.",
    "Priority.id": "The priority id (P1, critical, sev-2).",
    "Priority.name": "Its name (Critical).",
    "Priority.definition": "What makes an issue this priority.",
    "Priority.impact": "The business impact.",
    "Priority.examples": "Example issues.",
    "Priority.update_every": "How often customers hear from support.",
    "Priority.communication": "How they hear.",
    "Channel.id": "Channel id, used by targets.",
    "Channel.name": "Its name (Phone).",
    "Channel.hours": "When it is staffed.",
    "Channel.contact": "Number, address or URL.",
    "Plan.id": "Plan id, used by targets.",
    "Plan.name": "Its name.",
    "Plan.price": "Its price, as written.",
    "Plan.uptime": "Its uptime commitment.",
    "Plan.hours": "Support hours of the plan.",
    "Plan.features": "What it includes.",
    "Plan.description": "More on it.",
    "Target.priority": "A priority id of this file.",
    "Target.channel": "A channel id (missing: every channel).",
    "Target.plan": "A plan id (missing: every plan).",
    "Target.response": "First response within this long.",
    "Target.resolution": "Resolution within this long (`n/a`: no target).",
    "Target.escalation": "Escalate after this long.",
    "Target.update_every": "Update the customer this often.",
    "Target.handled_by": "Who handles it.",
    "Target.note": "A remark shown in the matrix.",
    "Tier.id": "Tier id, used by escalations.",
    "Tier.name": "Its name (Frontline support).",
    "Tier.description": "What the tier does.",
    "Tier.capabilities": "What it can do.",
    "Tier.tools": "Tools it uses.",
    "Tier.escalates_to": "The next tier's id (absent for the last tier).",
    "Tier.escalate_when": "When to hand over to the next tier.",
    "Tier.handoff": "How long a handover may take.",
    "Tier.process": "How it works, in Markdown.",
    "Tier.response": "Its response target.",
    "ProtocolStep.step": "What happens.",
    "ProtocolStep.target": "By when.",
    "ContactChannel.name": "The channel (Email support).",
    "ContactChannel.email": "Its address.",
    "ContactChannel.phone": "Its number.",
    "ContactChannel.url": "Its web address.",
    "ContactChannel.hours": "When it is staffed.",
    "ContactChannel.response": "How fast it answers.",
    "ContactChannel.notes": "A remark.",
    "ContactChannel.audience": "`internal` hides this entry from the public site.",
    "Person.name": "The person.",
    "Person.role": "Their role.",
    "Person.email": "Their address.",
    "Person.phone": "Their number (usually internal).",
    "Person.hours": "When to reach them.",
    "Person.notes": "A remark.",
    "Person.audience": "`internal` hides this entry from the public site.",
    "Template.id": "Template id (an anchor).",
    "Template.title": "Its name.",
    "Template.use_when": "When to send it.",
    "Template.subject": "The message subject.",
    "Template.body": "The message; `[Placeholders]` must be declared below.",
    "Template.placeholders": "The placeholders the body uses (`Customer Name`).",
    "Question.q": "The question.",
    "Question.a": "The answer, in Markdown.",
    "Question.id": "An anchor for the question (default: from the question).",
    "Alert.name": "The alert name, as in Prometheus.",
    "Alert.condition": "When it fires (the expression, or words).",
    "Alert.severity": "A priority id from an SLA file.",
    "Alert.runbook": "Id of the runbook for this alert.",
    "Alert.runbook_url": "The runbook URL the alert carries; checked against the runbooks.",
    "Alert.for": "How long the condition must hold.",
    "Alert.description": "More on it.",
}

# One example per kind: each must validate (the test checks), so examples
# never drift from the model either.
EXAMPLES = {
    "article": """\
---
id: reset-2fa
title: Reset two-factor authentication
summary: What to do when a user lost their second factor.
audience: public
type: howto
products: [my-product]
owner: support-docs
last_reviewed: 2026-11-01
tags: [account]
---
# Reset two-factor authentication

Ask the user to open **Settings > Security**, then ...
""",
    "runbook": """\
kind: runbook
id: payment-webhook-failures
title: Payment webhooks stop arriving
summary: Webhook delivery checks, signature errors and retries.
audience: internal
products: [my-product]
severity: P2
error_codes: [PAY-101]
owner: payments-oncall
last_reviewed: 2026-11-01
symptoms:
  - Orders stay "pending" after payment
diagnostics:
  - title: Check the delivery log
    run: curl -s https://payments.example/api/webhooks/failures | jq .
    expect: An empty list
causes:
  - id: bad-signature
    title: The signing secret was rotated
    resolution:
      - Update WEBHOOK_SECRET and redeploy
resolution:
  - Replay the failed deliveries from the provider's dashboard
verification:
  - A test payment moves the order to "paid"
escalation: {to: tier2, after: 30m}
""",
    "runbook-markdown": """\
---
id: disk-full
title: Disk full on a worker
audience: internal
severity: P2
---
# Disk full on a worker

## Symptoms

Jobs fail with "No space left on device".

## Diagnosis

Run `df -h` on the worker.

## Resolution

Clear old logs: `journalctl --vacuum-size=500M`.
""",
    "error-codes": """\
kind: error-codes
id: payment-errors
title: Payment error codes
audience: public
codes:
  - code: PAY-101
    message: Webhook signature invalid
    severity: P2
    http_status: 401
    runbook: payment-webhook-failures
""",
    "sla": """\
kind: sla
id: support-sla
title: Response and resolution targets
audience: public
priorities:
  - {id: P1, name: Critical, definition: Complete outage, update_every: 30m}
  - {id: P2, name: High, definition: Degraded service}
channels:
  - {id: phone, name: Phone, hours: "24/7"}
targets:
  - {priority: P1, channel: phone, response: 15m, resolution: 4h}
  - {priority: P2, channel: phone, response: 1h, resolution: n/a}
""",
    "tiers": """\
kind: tiers
id: support-tiers
title: Support tiers
audience: internal
tiers:
  - {id: tier1, name: Frontline support, escalates_to: tier2, handoff: 15m}
  - {id: tier2, name: Engineering}
management_chain: [Team lead, Support manager]
""",
    "contacts": """\
kind: contacts
id: contacts
title: Contact support
audience: public
channels:
  - {name: Email support, email: support@example.com, hours: "Mon-Fri 9-17"}
people:
  - {name: Dana Lee, role: Support manager, phone: "+1 555 0100", audience: internal}
""",
    "templates": """\
kind: templates
id: outage-templates
title: Outage messages
audience: internal
templates:
  - id: outage-start
    title: Outage started
    subject: "We are investigating an issue"
    body: "Hello [Customer Name], we are investigating ..."
    placeholders: [Customer Name]
""",
    "faq": """\
kind: faq
id: billing-faq
title: Billing questions
audience: public
questions:
  - q: When am I charged?
    a: On the first day of each month.
""",
    "alerts": """\
kind: alerts
id: payment-alerts
title: Payment alerts
audience: internal
alerts:
  - name: PaymentWebhookFailures
    condition: rate(webhook_failures_total[5m]) > 0.1
    for: 10m
    severity: P2
    runbook: payment-webhook-failures
""",
}


def _schemas() -> dict[str, dict]:
    sys.path.insert(0, str(ROOT / "src"))
    from kbgen.outputs.schemas import all_names, kind_schema
    return {name: kind_schema(name) for name in all_names()}


def _describe(s: dict, defs: dict) -> str:
    from kbgen.schema.types import SLUG_RE
    if "$ref" in s:
        name = s["$ref"].rsplit("/", 1)[-1]
        return "[step](#step)" if name == "Step" else f"[{name}](#{name.lower()})"
    if "anyOf" in s:
        parts = [p for p in s["anyOf"] if p.get("type") != "null"]
        if len(parts) == 2 and parts[0].get("type") == "string" and "$ref" in parts[1]:
            return "text or " + _describe(parts[1], defs)
        return " or ".join(_describe(p, defs) for p in parts) if parts else "null"
    if "const" in s:
        return f"`{s['const']}`"
    if "enum" in s:
        return " or ".join(f"`{v}`" for v in s["enum"])
    t = s.get("type")
    if t == "array":
        return "list of " + _describe(s.get("items", {}), defs)
    if isinstance(t, list):
        return "text"
    if t == "string":
        pattern = s.get("pattern", "")
        if s.get("format") == "date":
            return "date (YYYY-MM-DD)"
        if pattern == SLUG_RE:
            return "id (a-z, 0-9, -)"
        if "immediate" in pattern:
            return "duration (15m, 4h, 2d, 1w, n/a)"
        if pattern.startswith("^[A-Za-z_:]"):
            return "alert name"
        if pattern.startswith("^[A-Za-z0-9]"):
            return "priority id"
        return "text"
    return {"integer": "whole number", "number": "number", "boolean": "true or false", "object": "mapping"}.get(t, "any")


def _default(s: dict) -> str:
    if "default" not in s or s["default"] in (None, [], {}, ""):
        return ""
    return f"`{s['default']}`"


def _note(kind: str, field: str, model: str | None = None) -> str:
    if model:
        return NOTES.get(f"{model}.{field}", "")
    return NOTES.get(f"{kind}:{field}") or NOTES.get(field, "")


COMMON = ("kind", "id", "title", "summary", "audience", "products", "tags", "owner", "last_reviewed",
          "review_every", "related", "description")


def _table(props: dict, required: set, defs: dict, kind: str, model: str | None = None) -> list[str]:
    rows = ["| field | type | required | default | meaning |", "|---|---|---|---|---|"]
    # top level: kind and the common fields first, then the kind's own, as the model lists them
    order = sorted(props, key=lambda n: COMMON.index(n) if n in COMMON and not model else len(COMMON))
    for name in order:
        s = props[name]
        rows.append(f"| `{name}` | {_describe(s, defs)} | {'yes' if name in required else ''} | {_default(s)} | "
                    f"{_note(kind, name, model)} |")
    return rows


def _object(schema: dict) -> dict:
    # Step is "text or a mapping" (kbgen.outputs.schemas): document the mapping
    if "anyOf" in schema:
        return next((p for p in schema["anyOf"] if p.get("type") == "object"), {})
    return schema


def missing_notes() -> list[str]:
    """Fields of the model without a one-line meaning here."""
    out = []
    for kind, schema in _schemas().items():
        for name in schema["properties"]:
            if not _note(kind, name):
                out.append(f"{kind}.{name}")
        for model, d in schema.get("$defs", {}).items():
            for name in _object(d).get("properties", {}):
                if not _note(kind, name, model):
                    out.append(f"{model}.{name}")
    return sorted(set(out))


def render() -> str:
    schemas = _schemas()
    out = [
        "# Field reference",
        "",
        "<!-- Generated by scripts/gen_fields_doc.py from the models in src/kbgen/schema/: do not edit by hand;",
        "     run `.venv/bin/python scripts/gen_fields_doc.py` after changing a model. -->",
        "",
        "Every kind of file a knowledge base holds, every field it takes, and an example of each. "
        "Types, required fields and defaults come from kbgen's content model, so this page matches "
        "what `kbgen validate` checks. Editors get the same fields as JSON Schemas: `kbgen schema --out schemas`.",
        "",
        "Common to every kind: `id`, `title`, `summary`, `audience`, `products`, `tags`, `owner`, "
        "`last_reviewed`, `review_every`, `related`. In YAML files an unknown field is an error (with "
        "\"did you mean\"); in Markdown front matter MkDocs' and Material's keys (`hide`, `template`, "
        "`search`, `status`, `icon`, `subtitle`, `description`, `comments`) pass through and any other "
        "unknown key is a warning.",
        "",
        "Kinds: " + ", ".join(f"[{KINDS[k][0]}](#{k})" for k in KINDS if k in schemas) + ".",
        "",
    ]
    nested: dict[str, tuple[str, dict, dict]] = {}
    for kind, (title, where) in KINDS.items():
        if kind not in schemas:
            continue
        schema = schemas[kind]
        defs = schema.get("$defs", {})
        out += [f"## {kind}", "", f"**{title}.** {where}", ""]
        out += _table(schema["properties"], set(schema.get("required", [])), defs, kind)
        out += ["", "Example:", "", "```" + ("markdown" if kind in ("article", "runbook-markdown") else "yaml"),
                EXAMPLES[kind].rstrip("\n"), "```", ""]
        for model, d in defs.items():
            nested.setdefault(model, (kind, _object(d), defs))
    out += ["## Nested mappings", "",
            "Entries of the lists and mappings above. A **step** is either plain text or a mapping:", ""]
    for model in sorted(nested):
        kind, d, defs = nested[model]
        out += [f"### {model}", ""]
        out += _table(d.get("properties", {}), set(d.get("required", [])), defs, kind, model)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/fields.md is not what this script writes")
    args = ap.parse_args(argv)
    text = render()
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print("docs/fields.md is out of date: run .venv/bin/python scripts/gen_fields_doc.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    missing = missing_notes()
    if missing:
        print("fields without a meaning in scripts/gen_fields_doc.py NOTES: " + ", ".join(missing), file=sys.stderr)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
