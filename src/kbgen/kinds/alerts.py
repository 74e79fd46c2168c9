"""Alert catalogues (`kind: alerts`): alerts mapped to runbooks, and the
Prometheus rule files whose runbook_url annotations must point at runbooks."""
from __future__ import annotations

import posixpath
import re

from ..read.files import read_text
from ..read.yamlload import load
from ..schema.errors import did_you_mean
from ..schema.kinds import Alerts
from ..text.anchors import alert_anchors
from ..text.plaintext import joined, plain
from .base import Kind, Part, entry_refs, index

_RUNBOOK_URL = re.compile(r"(?:^|/)runbooks/([^/#?]+)/?(?:[#?].*)?$")


class AlertsKind(Kind):
    type = name = "alerts"
    model = Alerts
    template = "alerts.md.j2"
    title = label = "Alerts"
    order = 90
    search_weight = 0.8
    part_weight = 1.0  # one alert answers on its own, not like the whole catalogue
    data_schema = {"properties": {"alerts": {"type": "array"}}}

    def anchors(self, ent):
        return alert_anchors(ent.obj.alerts)

    def references(self, ent):
        return entry_refs("alerts", ent.obj.alerts)

    def checked_files(self, ent):
        base = posixpath.dirname(ent.source)
        return [posixpath.normpath(posixpath.join(base, p)) for p in ent.obj.prometheus_rules]

    def check(self, kb, ent, report):
        for i, path in enumerate(ent.obj.prometheus_rules):
            _prometheus(kb, ent, i, path, report)

    def page_context(self, kb, ent, ctx):
        return {"alert_anchors": alert_anchors(ctx["o"].alerts)}

    def search_text(self, kb, ent, text):
        for a in ent.obj.alerts:
            text.symptoms.append(a.name)
            text.body += [a.condition, a.description or ""]

    def parts(self, kb, ent):
        return [Part(anchor, a.name, [], [a.condition, plain(a.description), f"severity {a.severity}" if a.severity else ""])
                for a, anchor in zip(ent.obj.alerts, alert_anchors(ent.obj.alerts))]

    def sections(self, kb, ent):
        return [(anchor, a.name, joined(a.condition, a.description), [])
                for a, anchor in zip(ent.obj.alerts, alert_anchors(ent.obj.alerts))]

    def data(self, kb, ent, data, refs):
        for a in data.get("alerts", []):
            rb = refs.runbook(a.get("runbook"))
            if rb is None:
                a.pop("runbook", None)
            else:
                a["runbook"] = rb.id
                a["runbook_url"] = kb.site_url(rb.url)
        return data


def _prometheus(kb, ent, i, path, report):
    base = posixpath.dirname(ent.source)
    rel = posixpath.normpath(posixpath.join(base, path))
    full = kb.config.root / rel
    pos = ent.doc.loaded.where(("prometheus_rules", i))
    root = kb.config.root.resolve()
    # confined to the KB: no absolute path, no '..' out of it, no symlink leading out
    if posixpath.isabs(path) or rel.startswith("../") or rel == ".." or not full.resolve().is_relative_to(root):
        report.error(ent.source, pos, "KB310", f"Prometheus rule file '{path}' is outside the knowledge base",
                     "keep rule files inside the KB folder and give a path relative to this file")
        return
    if not full.is_file():
        report.error(ent.source, pos, "KB310", f"Prometheus rule file '{path}' does not exist")
        return
    text = read_text(full, rel, report, kb.config.options.max_file_size)  # the size limit of every source
    if text is None:
        return
    loaded = load(text)
    for e in loaded.errors:
        report.error(rel, (e.line, e.column), e.code, e.message, e.hint)
    data = loaded.data if isinstance(loaded.data, dict) else {}
    aliases = index(kb, "runbook_by_alias")
    runbooks = {e.id for e in kb.of_type("runbook")}
    # runbooks/<AlertName>/ is a redirect kbgen generates for alerts mapped to a runbook
    alert_names = {a.lower() for e in kb.of_type("runbook") for a in e.obj.alerts}
    alert_names |= {a.name.lower() for e in kb.of_type(AlertsKind.type) for a in e.obj.alerts if a.runbook}
    for gi, group in enumerate(data.get("groups") or []):
        if not isinstance(group, dict):
            continue
        for ri, rule in enumerate(group.get("rules") or []):
            if not isinstance(rule, dict):
                continue
            ann = rule.get("annotations") or {}
            url = ann.get("runbook_url") if isinstance(ann, dict) else None
            if not url:
                continue
            where = loaded.where(("groups", gi, "rules", ri, "annotations", "runbook_url"))
            m = _RUNBOOK_URL.search(str(url))
            rid = m.group(1).lower() if m else None
            if rid is None:
                report.error(rel, where, "KB310", f"runbook_url '{url}' does not point to a runbook page",
                             "use https://<site>/runbooks/<runbook-id>/")
            elif rid not in runbooks and rid not in aliases and rid not in alert_names:
                report.error(rel, where, "KB310", f"runbook_url '{url}' points to runbook '{rid}', which does not exist",
                             did_you_mean(rid, runbooks))


KIND = AlertsKind()
