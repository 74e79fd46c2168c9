"""An alerts file names each alert once.

Passing:  HighLatency (warning) and HighLatencyCritical (critical)
Failing:  HighLatency twice, at warning and critical -> KB314 (a warning:
          the page still gives each its own anchor, #highlatency and
          #highlatency-2, but links and redirects by name reach the first)
"""
from __future__ import annotations

from ..text.anchors import code_anchor


def check(kb, report) -> None:
    for ent in kb.of_type("alerts"):
        first: dict[str, int] = {}
        for i, a in enumerate(ent.obj.alerts):
            key = code_anchor(a.name)
            if key in first:
                other = ent.obj.alerts[first[key]]
                report.warning(ent.source, ent.doc.loaded.where(("alerts", i, "name")), "KB314",
                               f"alert '{a.name}' is defined twice in this file (entries {first[key] + 1} and {i + 1}"
                               + (f", severities {other.severity} and {a.severity}" if a.severity else "") + ")",
                               "links and redirects by name reach the first; give the second its own name, or "
                               "merge them (one alert, several severities in its description)")
            else:
                first[key] = i
