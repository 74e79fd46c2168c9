"""Every rule, yamllint-style: a small source, the expected (code, line, column),
and a passing twin that must not raise that code."""
from __future__ import annotations

import pytest

from kbfactory import BASE, MKDOCS, json_problems, run_kbgen, write_kb
from kbgen.validate import validate

RB = "kind: runbook\nid: rb\ntitle: RB\n"
TODAY = {"KBGEN_TODAY": "2026-06-01"}
# what `kbgen init` writes: the resolution required of every runbook, in both forms
SECTIONS = MKDOCS.replace("      today:", "      runbook_sections: [{name: Symptoms, required: false}, "
                                         "{name: Diagnosis, required: false}, Resolution]\n      today:")
# ... and the base KB's public runbook with its resolution
WITH_SECTIONS = {"mkdocs.yml": SECTIONS,
                 "runbooks/public-rb.yaml": BASE["runbooks/public-rb.yaml"] + "        resolution: [Restart the gateway]\n"}

# (case id, files that break the rule, files that fix it, (file, line, column, code))
KEY_BODY = "MIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi5\nZNnqK6TnwPQ7q0dz9R5v0xvHqJrW1mZk3kF2b8Fq\n"

CASES = [
    # --- KB1xx loading and parsing ---
    ("yaml-syntax", {"content/x.yaml": "kind: faq\nid: x\nquestions: [unclosed\n"},
     {"content/x.yaml": "kind: faq\nid: x\nquestions: [{q: a, a: b}]\n"}, ("content/x.yaml", 4, 1, "KB102")),
    ("tab-indent", {"content/x.yaml": "kind: faq\nid: x\nquestions:\n\t- q: a\n"},
     {"content/x.yaml": "kind: faq\nid: x\nquestions:\n  - {q: a, a: b}\n"}, ("content/x.yaml", 4, 1, "KB102")),
    ("duplicate-key", {"content/x.yaml": "kind: faq\nid: x\nid: y\nquestions: [{q: a, a: b}]\n"},
     {"content/x.yaml": "kind: faq\nid: x\nquestions: [{q: a, a: b}]\n"}, ("content/x.yaml", 3, 1, "KB103")),
    ("not-a-mapping", {"content/x.yaml": "- kind: faq\n"},
     {"content/x.yaml": "kind: faq\nid: x\nquestions: [{q: a, a: b}]\n"}, ("content/x.yaml", 1, 1, "KB104")),
    ("two-documents", {"content/x.yaml": "kind: faq\nid: x\nquestions: [{q: a, a: b}]\n---\nkind: faq\n"},
     {"content/x.yaml": "kind: faq\nid: x\nquestions: [{q: a, a: b}]\n"}, ("content/x.yaml", 4, 1, "KB104")),
    ("empty-file", {"content/x.yaml": "\n"},
     {"content/x.yaml": "kind: faq\nid: x\nquestions: [{q: a, a: b}]\n"}, ("content/x.yaml", 1, 1, "KB106")),
    ("missing-kind", {"content/x.yaml": "id: x\n"},
     {"content/x.yaml": "kind: faq\nid: x\nquestions: [{q: a, a: b}]\n"}, ("content/x.yaml", 1, 1, "KB107")),
    ("unknown-kind", {"content/x.yaml": "kind: faqs\nid: x\n"},
     {"content/x.yaml": "kind: faq\nid: x\nquestions: [{q: a, a: b}]\n"}, ("content/x.yaml", 1, 7, "KB107")),
    ("bad-utf8", {"content/x.md": b"# Hi\n\xff\xfe bad\n"},
     {"content/x.md": "# Hi\n\u00e9 good\n"}, ("content/x.md", 2, 1, "KB101")),
    ("unclosed-front-matter", {"content/x.md": "---\ntitle: x\n# Hi\n"},
     {"content/x.md": "---\ntitle: x\n---\n# Hi\n"}, ("content/x.md", 1, 1, "KB108")),
    ("runbooks-folder-stray-file", {"runbooks/diagram.png": "not a runbook"},
     {"runbooks/diagram.yaml": "kind: runbook\nid: diagram\nresolution: [a]\n"}, ("runbooks/diagram.png", 1, 1, "KB110")),
    ("kind-is-a-list", {"content/x.yaml": "id: x\nkind: [faq]\nquestions: [{q: a, a: b}]\n"},
     {"content/x.yaml": "id: x\nkind: faq\nquestions: [{q: a, a: b}]\n"}, ("content/x.yaml", 2, 7, "KB107")),
    ("kind-is-a-mapping", {"content/x.yaml": "kind: {a: b}\nid: x\n"},
     {"content/x.yaml": "kind: faq\nid: x\nquestions: [{q: a, a: b}]\n"}, ("content/x.yaml", 1, 7, "KB107")),
    ("unquoted-octal-code", {"content/c.yaml": "kind: error-codes\nid: c\ncodes:\n  - code: 01000\n    message: m\n"},
     {"content/c.yaml": "kind: error-codes\nid: c\ncodes:\n  - code: \"01000\"\n    message: m\n"},
     ("content/c.yaml", 4, 11, "KB111")),
    ("unquoted-yes-tag", {"content/a.md": "---\ntags: [ok, on]\n---\n# A\n"},
     {"content/a.md": "---\ntags: [ok, 'on']\n---\n# A\n"}, ("content/a.md", 2, 12, "KB111")),
    # --- KB2xx schema ---
    ("missing-field", {"content/x.yaml": "kind: faq\nid: x\nquestions:\n  - q: Why?\n"},
     {"content/x.yaml": "kind: faq\nid: x\nquestions:\n  - {q: Why?, a: Because.}\n"}, ("content/x.yaml", 4, 5, "KB201")),
    ("unknown-field", {"runbooks/rb.yaml": RB + "diagnostics:\n  - title: a\n    rnu: ls\n"},
     {"runbooks/rb.yaml": RB + "diagnostics:\n  - title: a\n    run: ls\n"}, ("runbooks/rb.yaml", 6, 5, "KB202")),
    ("unknown-top-field", {"runbooks/rb.yaml": RB + "symptom: [x]\nresolution: [a]\n"},
     {"runbooks/rb.yaml": RB + "symptoms: [x]\nresolution: [a]\n"}, ("runbooks/rb.yaml", 4, 1, "KB202")),
    ("wrong-type", {"runbooks/rb.yaml": RB + "symptoms: Gateway down\nresolution: [a]\n"},
     {"runbooks/rb.yaml": RB + "symptoms: [Gateway down]\nresolution: [a]\n"}, ("runbooks/rb.yaml", 4, 11, "KB203")),
    ("bad-slug", {"runbooks/rb.yaml": "kind: runbook\nid: My Runbook\nresolution: [a]\n"},
     {"runbooks/rb.yaml": "kind: runbook\nid: my-runbook\nresolution: [a]\n"}, ("runbooks/rb.yaml", 2, 5, "KB204")),
    ("bad-alert-name", {"runbooks/rb.yaml": RB + "alerts: [../../etc/passwd]\nresolution: [a]\n"},
     {"runbooks/rb.yaml": RB + "alerts: [GatewayDown]\nresolution: [a]\n"}, ("runbooks/rb.yaml", 4, 10, "KB204")),
    ("bad-date", {"runbooks/rb.yaml": RB + "last_reviewed: 2026-13-01\nresolution: [a]\n"},
     {"runbooks/rb.yaml": RB + "last_reviewed: 2026-01-13\nresolution: [a]\n"}, ("runbooks/rb.yaml", 4, 16, "KB205")),
    ("bad-audience", {"runbooks/rb.yaml": RB + "audience: everyone\nresolution: [a]\n"},
     {"runbooks/rb.yaml": RB + "audience: public\nresolution: [a]\n"}, ("runbooks/rb.yaml", 4, 11, "KB206")),
    ("bad-duration", {"runbooks/rb.yaml": RB + "escalation: {to: tier3, after: soon}\nresolution: [a]\n"},
     {"runbooks/rb.yaml": RB + "escalation: {to: tier3, after: 30 minutes}\nresolution: [a]\n"},
     ("runbooks/rb.yaml", 4, 32, "KB207")),
    ("bad-article-type", {"content/a.md": "---\ntype: tutorial\n---\n# A\n"},
     {"content/a.md": "---\ntype: howto\n---\n# A\n"}, ("content/a.md", 2, 7, "KB208")),
    ("id-too-long", {"runbooks/rb.yaml": "kind: runbook\nid: " + "a" * 300 + "\nresolution: [a]\n"},
     {"runbooks/rb.yaml": "kind: runbook\nid: " + "a" * 100 + "\nresolution: [a]\n"}, ("runbooks/rb.yaml", 2, 5, "KB219")),
    ("code-too-long", {"content/c.yaml": "kind: error-codes\nid: c\ncodes:\n  - {code: " + "E" * 400 + ", message: m}\n"},
     {"content/c.yaml": "kind: error-codes\nid: c\ncodes:\n  - {code: " + "E" * 100 + ", message: m}\n"},
     ("content/c.yaml", 4, 12, "KB219")),
    ("front-matter-id-too-long", {"content/a.md": "---\nid: " + "b" * 101 + "\n---\n# A\n"},
     {"content/a.md": "---\nid: b\n---\n# A\n"}, ("content/a.md", 2, 5, "KB219")),
    ("unknown-product", {"runbooks/rb.yaml": RB + "products: [prdo]\nresolution: [a]\n"},
     {"runbooks/rb.yaml": RB + "products: [prod]\nresolution: [a]\n"}, ("runbooks/rb.yaml", 4, 12, "KB209")),
    ("front-matter-unknown-key", {"content/a.md": "---\nowner: a\nreviewed: 2026-01-01\n---\n# A\n"},
     {"content/a.md": "---\nowner: a\nhide: [toc]\n---\n# A\n"}, ("content/a.md", 3, 1, "KB210")),
    ("runbook-no-steps", {"runbooks/rb.yaml": RB + "symptoms: [x]\n"},
     {"runbooks/rb.yaml": RB + "symptoms: [x]\ncauses:\n  - id: c\n    title: C\n    resolution: [fix]\n"},
     ("runbooks/rb.yaml", 1, 7, "KB211")),
    ("md-runbook-sections", {**WITH_SECTIONS, "runbooks/m.md": "# M\n\n## Symptoms\n\nx\n\n## Diagnosis\n\ny\n"},
     {**WITH_SECTIONS, "runbooks/m.md": "# M\n\n## Symptoms\n\nx\n\n## Diagnosis\n\ny\n\n## Resolution\n\nz\n"},
     ("runbooks/m.md", 1, 1, "KB220")),
    ("yaml-runbook-resolution", {**WITH_SECTIONS, "runbooks/rb.yaml": RB + "symptoms: [x]\ndiagnostics: [look]\n"},
     {**WITH_SECTIONS, "runbooks/rb.yaml": RB + "symptoms: [x]\ndiagnostics: [look]\nresolution: [fix]\n"},
     ("runbooks/rb.yaml", 1, 7, "KB220")),
    ("site-url-placeholder", {"mkdocs.yml": MKDOCS.replace("https://kb.test/", "https://your-kb.example.com/")},
     {"mkdocs.yml": MKDOCS}, ("mkdocs.yml", 2, 11, "KB214")),
    # --- KB3xx identity and references ---
    ("duplicate-id", {"runbooks/b.yaml": "kind: runbook\nid: public-rb\nresolution: [a]\n"},
     {"runbooks/b.yaml": "kind: runbook\nid: b\nresolution: [a]\n"}, ("runbooks/b.yaml", 2, 5, "KB301")),
    ("duplicate-id-md-stem", {"content/public-rb.md": "# Same id as a runbook\n"},
     {"content/public-rb-notes.md": "# Same id as a runbook\n"}, ("content/public-rb.md", 1, 1, "KB301")),
    ("related-missing", {"runbooks/rb.yaml": RB + "related: [nope]\nresolution: [a]\n"},
     {"runbooks/rb.yaml": RB + "related: [internal-rb]\nresolution: [a]\n"}, ("runbooks/rb.yaml", 4, 11, "KB302")),
    ("runbook-unknown-code", {"runbooks/rb.yaml": RB + "error_codes: [QT-002]\nresolution: [a]\n"},
     {"runbooks/rb.yaml": RB + "error_codes: [qt-001]\nresolution: [a]\n"}, ("runbooks/rb.yaml", 4, 15, "KB303")),
    ("ambiguous-code", {"content/more.yaml": "kind: error-codes\nid: more\ncodes:\n  - {code: QT-001, message: x}\n",
                        "runbooks/rb.yaml": RB + "error_codes: [QT-001]\nresolution: [a]\n"},
     {"content/more.yaml": "kind: error-codes\nid: more\ncodes:\n  - {code: QT-001, message: x}\n",
      "runbooks/rb.yaml": RB + "error_codes: ['more:QT-001']\nresolution: [a]\n",
      "runbooks/public-rb.yaml": None, "content/index.md": "# Home\n"},
     ("runbooks/rb.yaml", 4, 15, "KB304")),
    ("code-runbook-missing", {"content/e.yaml": "kind: error-codes\nid: e\ncodes:\n  - {code: E1, message: x, runbook: rbx}\n"},
     {"content/e.yaml": "kind: error-codes\nid: e\ncodes:\n  - {code: E1, message: x, runbook: internal-rb}\n"},
     ("content/e.yaml", 4, 37, "KB305")),
    ("alert-runbook-missing", {"content/al.yaml": "kind: alerts\nid: al\nalerts:\n  - {name: Down, condition: up == 0, runbook: gone}\n"},
     {"content/al.yaml": "kind: alerts\nid: al\nalerts:\n  - {name: Down, condition: up == 0, runbook: internal-rb}\n"},
     ("content/al.yaml", 4, 47, "KB305")),
    ("escalation-tier-missing", {"runbooks/rb.yaml": RB + "escalation: {to: tier9}\nresolution: [a]\n"},
     {"runbooks/rb.yaml": RB + "escalation: {to: tier3}\nresolution: [a]\n"}, ("runbooks/rb.yaml", 4, 18, "KB306")),
    ("tier-escalates-to-missing", {"content/t2.yaml": "kind: tiers\nid: t2\ntiers:\n  - {id: l1, name: L1, escalates_to: l2}\n"},
     {"content/t2.yaml": "kind: tiers\nid: t2\ntiers:\n  - {id: l1, name: L1, escalates_to: tier2}\n"},
     ("content/t2.yaml", 4, 38, "KB306")),
    ("tier-id-in-two-files", {"content/t2.yaml": "kind: tiers\nid: t2\ntiers:\n  - {id: tier1, name: Other frontline}\n"},
     {"content/t2.yaml": "kind: tiers\nid: t2\ntiers:\n  - {id: other-tier1, name: Other frontline}\n"},
     ("content/tiers.yaml", 5, 10, "KB304")),  # the later file in path order is reported
    ("severity-not-priority", {"runbooks/rb.yaml": RB + "severity: P9\nresolution: [a]\n"},
     {"runbooks/rb.yaml": RB + "severity: P3\nresolution: [a]\n"}, ("runbooks/rb.yaml", 4, 11, "KB307")),
    ("link-missing-page", {"content/a.md": "# A\n\nSee [b](b.md).\n"},
     {"content/a.md": "# A\n\nSee [home](index.md).\n"}, ("content/a.md", 3, 5, "KB308")),
    ("link-missing-runbook", {"content/a.md": "# A\n\nSee [rb](../runbooks/nope.yaml).\n"},
     {"content/a.md": "# A\n\nSee [rb](../runbooks/internal-rb.yaml#resolution).\n"}, ("content/a.md", 3, 5, "KB308")),
    ("link-missing-anchor", {"content/a.md": "# A\n\nSee [c](reference/errors.yaml#qt-002).\n"},
     {"content/a.md": "# A\n\nSee [c](reference/errors.yaml#qt-001).\n"}, ("content/a.md", 3, 5, "KB309")),
    ("link-missing-heading-anchor", {"content/a.md": "# A\n\n## Setup steps\n\nSee [s](#setup).\n"},
     {"content/a.md": "# A\n\n## Setup steps\n\nSee [s](#setup-steps).\n"}, ("content/a.md", 5, 5, "KB309")),
    ("link-in-yaml-description", {"content/f.yaml": "kind: faq\nid: f\nquestions:\n  - q: Where?\n    a: |\n      See the [codes](reference/errors.yaml#qt-009).\n"},
     {"content/f.yaml": "kind: faq\nid: f\nquestions:\n  - q: Where?\n    a: |\n      See the [codes](reference/errors.yaml#qt-001).\n"},
     ("content/f.yaml", 6, 15, "KB309")),
    ("prometheus-runbook-url", {"content/al.yaml": "kind: alerts\nid: al\nprometheus_rules: [rules.yml]\n",
                                "content/rules.yml": None,
                                "content/prom/rules.rules": None},
     {"content/al.yaml": "kind: alerts\nid: al\nalerts: []\n"}, ("content/al.yaml", 3, 20, "KB310")),
    ("prometheus-rules-outside-kb", {"content/al.yaml": "kind: alerts\nid: al\nprometheus_rules: [ok.yml, ../../outside.yml]\n",
                                     "content/ok.yml": "groups: []\n", "../outside.yml": "groups: []\n"},
     {"content/al.yaml": "kind: alerts\nid: al\nprometheus_rules: [ok.yml, ../rules/outside.yml]\n",
      "content/ok.yml": "groups: []\n", "rules/outside.yml": "groups: []\n"}, ("content/al.yaml", 3, 28, "KB310")),
    ("prometheus-rules-absolute-path", {"content/al.yaml": "kind: alerts\nid: al\nprometheus_rules: [/etc/hostname]\n"},
     {"content/al.yaml": "kind: alerts\nid: al\nprometheus_rules: [../rules/r.yml]\n", "rules/r.yml": "groups: []\n"},
     ("content/al.yaml", 3, 20, "KB310")),
    ("prometheus-rules-too-large", {"content/al.yaml": "kind: alerts\nid: al\nprometheus_rules: [../rules/r.yml]\n",
                                    "rules/r.yml": "groups: []\n" + "#" * (1024 * 1024 + 1) + "\n"},
     {"content/al.yaml": "kind: alerts\nid: al\nprometheus_rules: [../rules/r.yml]\n", "rules/r.yml": "groups: []\n"},
     ("rules/r.yml", 1, 1, "KB109")),
    ("duplicate-code-in-table", {"content/e.yaml": "kind: error-codes\nid: e\ncodes:\n  - {code: E1, message: x}\n  - {code: E1, message: y}\n"},
     {"content/e.yaml": "kind: error-codes\nid: e\ncodes:\n  - {code: E1, message: x}\n  - {code: E2, message: y}\n"},
     ("content/e.yaml", 5, 12, "KB311")),
    ("alias-is-an-id", {"runbooks/rb.yaml": RB + "aliases: [internal-rb]\nresolution: [a]\n"},
     {"runbooks/rb.yaml": RB + "aliases: [old-rb]\nresolution: [a]\n"}, ("runbooks/rb.yaml", 4, 11, "KB312")),
    ("two-sources-one-page", {"content/faq.md": "# FAQ\n", "content/faq.yaml": "kind: faq\nid: faq-data\nquestions: [{q: a, a: b}]\n"},
     {"content/faq.md": "# FAQ\n", "content/faq-data.yaml": "kind: faq\nid: faq-data\nquestions: [{q: a, a: b}]\n"},
     ("content/faq.yaml", 1, 1, "KB312")),
    ("reference-by-alias", {"runbooks/rb.yaml": RB + "aliases: [old-rb]\nresolution: [a]\n",
                            "content/e.yaml": "kind: error-codes\nid: e\ncodes:\n  - {code: E1, message: x, runbook: old-rb}\n"},
     {"runbooks/rb.yaml": RB + "aliases: [old-rb]\nresolution: [a]\n",
      "content/e.yaml": "kind: error-codes\nid: e\ncodes:\n  - {code: E1, message: x, runbook: rb}\n"},
     ("content/e.yaml", 4, 37, "KB313")),
    # --- KB4xx SLA ---
    ("sla-response-after-resolution", {"content/s2.yaml": "kind: sla\nid: s2\npriorities: [{id: A, name: A}]\ntargets:\n  - {priority: A, response: 8h, resolution: 4h}\n"},
     {"content/s2.yaml": "kind: sla\nid: s2\npriorities: [{id: A, name: A}]\ntargets:\n  - {priority: A, response: 1h, resolution: 4h}\n"},
     ("content/s2.yaml", 5, 29, "KB401")),
    ("sla-inversion", {"content/s2.yaml": "kind: sla\nid: s2\npriorities: [{id: A, name: A}, {id: B, name: B}]\ntargets:\n"
                                          "  - {priority: A, response: 2h}\n  - {priority: B, response: 1h}\n"},
     {"content/s2.yaml": "kind: sla\nid: s2\npriorities: [{id: A, name: A}, {id: B, name: B}]\ntargets:\n"
                         "  - {priority: A, response: 1h}\n  - {priority: B, response: 2h}\n"},
     ("content/s2.yaml", 5, 29, "KB402")),
    ("sla-inversion-across-all-channels",
     {"content/s2.yaml": "kind: sla\nid: s2\npriorities: [{id: A, name: A}, {id: B, name: B}]\nchannels: [{id: phone, name: P}]\n"
                         "targets:\n  - {priority: A, response: 2h}\n  - {priority: B, channel: phone, response: 1h}\n"},
     {"content/s2.yaml": "kind: sla\nid: s2\npriorities: [{id: A, name: A}, {id: B, name: B}]\nchannels: [{id: phone, name: P}]\n"
                         "targets:\n  - {priority: A, response: 2h}\n  - {priority: A, channel: phone, response: 30m}\n"
                         "  - {priority: B, channel: phone, response: 1h}\n"},
     ("content/s2.yaml", 6, 29, "KB402")),
    ("sla-undefined-channel", {"content/s2.yaml": "kind: sla\nid: s2\npriorities: [{id: A, name: A}]\ntargets:\n  - {priority: A, channel: fax, response: 1h}\n"},
     {"content/s2.yaml": "kind: sla\nid: s2\npriorities: [{id: A, name: A}]\nchannels: [{id: fax, name: Fax}]\ntargets:\n  - {priority: A, channel: fax, response: 1h}\n"},
     ("content/s2.yaml", 5, 28, "KB403")),
    ("sla-duplicate-target", {"content/s2.yaml": "kind: sla\nid: s2\npriorities: [{id: A, name: A}]\ntargets:\n  - {priority: A, response: 1h}\n  - {priority: A, response: 1h}\n"},
     {"content/s2.yaml": "kind: sla\nid: s2\npriorities: [{id: A, name: A}]\ntargets:\n  - {priority: A, response: 1h}\n"},
     ("content/s2.yaml", 6, 5, "KB404")),
    # --- KB5xx audience and safety ---
    ("public-links-internal", {"content/a.md": "---\naudience: public\n---\n# A\n\n[x](../runbooks/internal-rb.yaml)\n"},
     {"content/a.md": "---\naudience: public\n---\n# A\n\n[x](../runbooks/public-rb.yaml)\n"}, ("content/a.md", 6, 1, "KB501")),
    ("public-relates-internal", {"runbooks/rb.yaml": RB + "audience: public\nrelated: [internal-rb]\nresolution: [a]\n"},
     {"runbooks/rb.yaml": RB + "audience: public\nrelated: [public-rb]\nresolution: [a]\n"}, ("runbooks/rb.yaml", 5, 11, "KB502")),
    ("secret-private-key", {"content/a.md": "# A\n\n```\n-----BEGIN RSA PRIVATE KEY-----\n" + KEY_BODY + "```\n"},
     # naming the header in prose (a key's body is what leaks) is not a secret
     {"content/a.md": "# A\n\nKeys start with `-----BEGIN RSA PRIVATE KEY-----`.\n"}, ("content/a.md", 4, 1, "KB510")),
    ("secret-aws-key", {"runbooks/rb.yaml": RB + "resolution:\n  - run: export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n    title: x\n"},
     {"runbooks/rb.yaml": RB + "resolution:\n  - run: export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID}\n    title: x\n"},
     ("runbooks/rb.yaml", 5, 35, "KB510")),
    ("secret-bearer", {"content/a.md": "# A\n\n    curl -H 'Authorization: Bearer 9f8e7d6c5b4a39281706f5e4d3c2b1a0'\n"},
     {"content/a.md": "# A\n\n    curl -H 'Authorization: Bearer ${API_KEY}'\n"}, ("content/a.md", 3, 29, "KB510")),
    ("secret-url-password", {"content/a.md": "# A\n\nConnect to postgres://admin:hunter2@db.internal/app\n"},
     {"content/a.md": "# A\n\nConnect to postgres://admin:${DB_PASSWORD}@db.internal/app\n"}, ("content/a.md", 3, 12, "KB510")),
    ("raw-script", {"content/a.md": "# A\n\n<script>alert(1)</script>\n"},
     {"content/a.md": "# A\n\n`<script>` tags are not allowed.\n"}, ("content/a.md", 3, 1, "KB511")),
    ("event-handler", {"content/a.md": "# A\n\n<img src=\"x.png\" onerror=\"alert(1)\">\n"},
     {"content/a.md": "# A\n\n<img src=\"x.png\" alt=\"x\">\n"}, ("content/a.md", 3, 18, "KB512")),
    ("javascript-url", {"content/a.md": "# A\n\n[click](javascript:alert(1))\n"},
     {"content/a.md": "# A\n\n[click](https://example.com)\n"}, ("content/a.md", 3, 9, "KB513")),
    ("todo-in-public", {"content/a.md": "---\naudience: public\n---\n# A\n\nTODO: write this\n"},
     {"content/a.md": "---\naudience: internal\n---\n# A\n\nTODO: write this\n"}, ("content/a.md", 6, 1, "KB514")),
    ("undeclared-placeholder", {"content/t.yaml": "kind: templates\nid: t\ntemplates:\n  - id: hi\n    title: Hi\n    body: |\n      Dear [Customer Name],\n      - [x] done\n    placeholders: []\n"},
     {"content/t.yaml": "kind: templates\nid: t\ntemplates:\n  - id: hi\n    title: Hi\n    body: |\n      Dear [Customer Name],\n      - [x] done\n    placeholders: [Customer Name]\n"},
     ("content/t.yaml", 7, 12, "KB515")),
    ("unused-placeholder", {"content/t.yaml": "kind: templates\nid: t\ntemplates:\n  - id: hi\n    title: Hi\n    body: Hello\n    placeholders: [Name]\n"},
     {"content/t.yaml": "kind: templates\nid: t\ntemplates:\n  - id: hi\n    title: Hi\n    body: Hello [Name]\n    placeholders: [Name]\n"},
     ("content/t.yaml", 7, 20, "KB516")),
    # --- KB6xx freshness ---
    ("review-overdue", {"runbooks/rb.yaml": RB + "last_reviewed: 2025-01-01\nreview_every: 90d\nresolution: [a]\n"},
     {"runbooks/rb.yaml": RB + "last_reviewed: 2026-04-01\nreview_every: 90d\nresolution: [a]\n"}, ("runbooks/rb.yaml", 4, 16, "KB601")),
    ("reviewed-in-the-future", {"runbooks/rb.yaml": RB + "last_reviewed: 2027-01-01\nresolution: [a]\n"},
     {"runbooks/rb.yaml": RB + "last_reviewed: 2026-01-01\nresolution: [a]\n"}, ("runbooks/rb.yaml", 4, 16, "KB602")),
]


def problems(root):
    _, report = validate(root)
    return report.sorted()


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_rule_fails(tmp_path, case):
    name, bad, good, (file, line, col, code) = case
    write_kb(tmp_path, bad)
    got = [(p.file, p.line, p.column, p.code) for p in problems(tmp_path)]
    assert (file, line, col, code) in got, f"{name}: expected {file}:{line}:{col} {code}, got {got}"


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_rule_passes(tmp_path, case):
    name, bad, good, (file, line, col, code) = case
    write_kb(tmp_path, good)
    got = [(p.file, p.line, p.column, p.code, p.message) for p in problems(tmp_path)]
    assert not [g for g in got if g[3] == code], f"{name}: the passing twin still raises {code}: {got}"


def test_base_kb_is_clean(tmp_path):
    write_kb(tmp_path)
    assert problems(tmp_path) == []


def test_an_error_in_a_block_does_not_hide_the_rest_of_it(tmp_path):
    kb = write_kb(tmp_path / "kb", {"runbooks/rb.yaml": (
        "kind: runbook\nid: rb\ntitle: R\nescalation:\n  to: anya-tier99\n  when: 5\n  after: soon\n  colour: red\n"
        "resolution: [a]\n"),
        "content/reference/more.yaml": (
            "kind: error-codes\nid: more\ntitle: More\ncodes:\n"
            "  - {code: M-1, message: One, causes: 5, runbook: nope-too}\n"
            "  - {code: M-2, message: Two, runbook: nope}\n"
            "  - {code: M-3, message: Three, http_status: lots, runbook: also-nope}\n")})
    proc = run_kbgen("validate", kb, "--format", "json", env=TODAY)
    got = sorted((p["file"], p["line"], p["code"]) for p in json_problems(proc))
    assert got == sorted([
        ("runbooks/rb.yaml", 5, "KB306"),   # the tier, checked although `when` and `after` are wrong
        ("runbooks/rb.yaml", 6, "KB203"),
        ("runbooks/rb.yaml", 7, "KB207"),
        ("runbooks/rb.yaml", 8, "KB202"),
        ("content/reference/more.yaml", 5, "KB203"),
        ("content/reference/more.yaml", 5, "KB305"),
        ("content/reference/more.yaml", 6, "KB305"),
        ("content/reference/more.yaml", 7, "KB203"),
        ("content/reference/more.yaml", 7, "KB305"),  # the code with a bad http_status keeps its runbook check
    ])


def test_unknown_tier_and_unknown_error_code_hints(tmp_path):
    kb = write_kb(tmp_path / "kb", {"runbooks/rb.yaml": (
        "kind: runbook\nid: rb\ntitle: R\nerror_codes: [E42]\nescalation: {to: anya-tier99}\nresolution: [a]\n")})
    problems = {p["code"]: p for p in json_problems(run_kbgen("validate", kb, "--format", "json", env=TODAY))}
    assert problems["KB306"]["hint"].endswith("Tiers: tier1, tier2, tier3.")
    assert problems["KB303"]["hint"] is not None
    assert "error-code table (errors)" in problems["KB303"]["hint"]
    no_tiers = write_kb(tmp_path / "kb2", {"content/tiers.yaml": None, "runbooks/rb.yaml": (
        "kind: runbook\nid: rb\ntitle: R\nescalation: {to: tier1}\nresolution: [a]\n")})
    hints = [p["hint"] for p in json_problems(run_kbgen("validate", no_tiers, "--format", "json", env=TODAY))
             if p["code"] == "KB306"]
    assert hints and set(hints) == {"no tiers file defines any tier"}


def test_one_rule_for_a_runbooks_sections_in_both_forms(tmp_path):
    """Issue 24, item 11: a YAML runbook without `resolution` and a Markdown
    runbook without ## Resolution are the same problem, said the same way; a
    cause's resolution steps are a resolution; sections no YAML field is
    (an adopted repository's own) are asked of Markdown only; a KB that
    requires nothing (the default) asks neither."""
    write_kb(tmp_path, {"runbooks/y.yaml": RB + "symptoms: [x]\ndiagnostics: [look]\n",
                        "runbooks/m.md": "---\nid: m\n---\n# M\n\n## Symptoms\n\nx\n"})
    assert [p for p in problems(tmp_path) if p.code == "KB220"] == []
    write_kb(tmp_path, {
        **WITH_SECTIONS, "runbooks/y.yaml": RB + "symptoms: [x]\ndiagnostics: [look]\n",
        "runbooks/m.md": "---\nid: m\n---\n# M\n\n## Symptoms\n\nx\n\n## Diagnosis\n\ny\n",
        "runbooks/c.yaml": "kind: runbook\nid: c\ncauses:\n  - {id: full, title: Full, resolution: [free space]}\n"})
    got = {p.file: p.message for p in problems(tmp_path) if p.code == "KB220"}
    assert got == {"runbooks/y.yaml": "runbook is missing required section `resolution` (found: Symptoms, Diagnostics)",
                   "runbooks/m.md": "runbook is missing required section ## Resolution (found: Symptoms, Diagnosis)"}
    mk = MKDOCS.replace("      today:", "      runbook_sections: [Resolution, Impact]\n      today:")
    write_kb(tmp_path, {"runbooks/public-rb.yaml": WITH_SECTIONS["runbooks/public-rb.yaml"],
                        "runbooks/y.yaml": RB + "resolution: [fix]\n",
                        "runbooks/m.md": "---\nid: m\n---\n# M\n\n## Resolution\n\nz\n"}, mkdocs=mk)
    got = [(p.file, p.message) for p in problems(tmp_path) if p.code == "KB220"]
    assert got == [("runbooks/m.md", "runbook is missing required section ## Impact (found: Resolution)")]


def test_a_file_that_does_not_load_is_reported_before_what_follows_from_it(tmp_path):
    """Issue 24, item 10: the runbook with a tab (or a misspelt kind, or no id)
    comes first; the link to it and the code naming it say they follow from
    it, with a hint to fix it, never "not part of the published site"."""
    for broken in ("kind: runbook\nid: public-rb\ntitle: X\n\tresolution: [a]\n",
                   "kind: runbok\nid: public-rb\ntitle: X\nresolution: [a]\n",
                   "kind: runbook\ntitle: X\nresolution: [a]\n"):
        write_kb(tmp_path, {"runbooks/public-rb.yaml": broken})
        proc = run_kbgen("validate", tmp_path, "--format", "text", "--no-color")
        lines = [line for line in proc.stdout.splitlines() if ": error " in line]
        assert lines[0].startswith("runbooks/public-rb.yaml:"), proc.stdout
        follows = lines[1:]
        assert [line.split(":")[0] for line in follows] == ["content/index.md", "content/reference/errors.yaml"]
        assert "KB308 link target '../runbooks/public-rb.yaml' did not load" in follows[0]
        assert "KB305 runbook 'public-rb' is unknown: runbooks/public-rb.yaml did not load" in follows[1]
        assert proc.stdout.count("hint: fix the error in runbooks/public-rb.yaml first") == 2
        assert "published site" not in proc.stdout


def test_an_audience_kbgen_cannot_read_is_reported_before_the_links_it_breaks(tmp_path):
    """Issue 24, item 12: `audience: Public` (KB206) comes first; the public
    page's link to it says it follows from it. A file whose audience kbgen
    cannot read is left out of the model (fail closed: security round 3), so
    the link's problem is that its target did not load."""
    write_kb(tmp_path, {"runbooks/x.yaml": RB.replace("id: rb", "id: x") + "audience: Public\nresolution: [a]\n",
                        "content/p.md": "---\naudience: public\n---\n# P\n\n[x](../runbooks/x.yaml)\n"})
    got = [(p.file, p.code, p.message, p.hint) for p in problems(tmp_path)]
    assert [g[:2] for g in got] == [("runbooks/x.yaml", "KB206"), ("content/p.md", "KB308")]
    assert "did not load" in got[1][2] and "fix the error in runbooks/x.yaml first" in got[1][3]


def test_a_comma_inside_braces_gets_a_hint_to_quote(tmp_path):
    """Issue 24, item 12: `{id: P3, definition: Slow, with a workaround}`."""
    write_kb(tmp_path, {"content/s.yaml": "kind: sla\nid: s\npriorities:\n"
                                          "  - {id: P3, name: Medium, definition: Slow, with a workaround}\n"})
    (p,) = [p for p in problems(tmp_path) if p.file == "content/s.yaml"]
    assert (p.code, p.message) == ("KB202", "unknown field 'priorities[0].with a workaround'")
    assert p.hint == 'inside {...} a comma ends a value: quote the text, definition: "Slow, with a workaround"'
