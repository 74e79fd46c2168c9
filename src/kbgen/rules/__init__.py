"""Checks over the whole knowledge base, one module per family:

- references (KB2xx products, KB3xx ids, codes, tiers, priorities, alerts)
- links (KB308-KB309 Markdown links and anchors)
- sla (KB4xx)
- audience and safety (KB5xx)
- freshness (KB6xx)
- runbooks (KB211, KB220 structure)
- placeholders (KB212 text `kbgen new` left to replace)

Each module has `check(kb, report)`; the codes and examples are in docs/rules.md.
"""
from . import audience, freshness, links, placeholders, references, runbooks, safety, sla

ALL = (references, links, sla, audience, safety, freshness, runbooks, placeholders)


def run_all(kb, report) -> None:
    for rule in ALL:
        rule.check(kb, report)
