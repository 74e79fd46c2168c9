"""llms.txt (llmstxt.org): the build's pages as a list an LLM can read."""
from __future__ import annotations

from ..pages import TYPE_TITLES

ORDER = ["runbook", "error-table", "faq", "article", "sla", "tiers", "contacts", "templates", "alerts"]


def _line(text: str) -> str:
    return " ".join(str(text).split())


def llms_txt(kb) -> str:
    cfg = kb.config
    audience = kb.audience or "internal"
    out = [f"# {_line(cfg.site_name)}", ""]
    if cfg.site_description:
        out += [f"> {_line(cfg.site_description)}", ""]
    out += [f"This is the {audience} knowledge base: runbooks, error codes, service levels and articles. "
            f"Machine-readable index: {kb.site_url('kb.json')}", ""]
    for t in ORDER:
        ents = sorted((e for e in kb.entities.values() if e.type == t), key=lambda e: (e.title.lower(), e.id))
        if not ents:
            continue
        out.append(f"## {TYPE_TITLES[t]}")
        out.append("")
        for e in ents:
            line = f"- [{_line(e.title)}]({kb.site_url(e.url) or './'})"
            if e.summary:
                line += f": {_line(e.summary)}"
            out.append(line)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
