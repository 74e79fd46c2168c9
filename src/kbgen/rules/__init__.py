"""Checks over the whole knowledge base, one module per family:

- references (KB2xx products, KB3xx ids, codes, tiers, priorities, alerts)
- links (KB308-KB309 Markdown links and anchors)
- sla (KB4xx)
- audience and safety (KB5xx)
- freshness (KB6xx)
- runbooks (KB211, KB220 structure)
- placeholders (KB212 text `kbgen new` left to replace)

Each module has `check(kb, report)`; every code is declared in kbgen.diagnostics.codes
(docs/rules.md is generated from it).
"""
from ..diagnostics.suppress import Texts
from . import alerts, audience, freshness, links, placeholders, references, runbooks, safety, sla

ALL = (references, links, sla, audience, safety, freshness, runbooks, placeholders, alerts)


def run_all(kb, report) -> None:
    for rule in ALL:
        rule.check(kb, report)
    # levels from the config and kbgen-disable comments, once, for every rule
    report.apply(kb.config.rule_settings(), Texts(kb))
