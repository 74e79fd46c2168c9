"""llms.txt (llmstxt.org): the build's pages as a list an LLM can read.

Every field is text from the writers or mkdocs.yml: each is escaped as
Markdown (kbgen.text.escape.inline), so a title cannot close its link and
open another, and each URL is a link target that cannot be cut short."""
from __future__ import annotations

from ..text.escape import inline, link_target


def _line(text: str) -> str:
    return inline(" ".join(str(text).split()))


def llms_txt(kb) -> str:
    cfg = kb.config
    audience = kb.audience or "internal"
    out = [f"# {_line(cfg.site_name)}", ""]
    if cfg.site_description:
        out += [f"> {_line(cfg.site_description)}", ""]
    out += [f"This is the {audience} knowledge base: runbooks, error codes, service levels and articles. "
            f"Machine-readable index: {link_target(kb.site_url('kb.json'))}", ""]
    by_type: dict[str, list] = {}
    for e in kb.entities.values():
        by_type.setdefault(e.type, []).append(e)
    for kind in kb.config.kinds:
        if not kind.listed or not by_type.get(kind.type):
            continue
        ents = sorted(by_type[kind.type], key=lambda e: (e.title.lower(), e.id))
        out.append(f"## {_line(kind.title)}")
        out.append("")
        for e in ents:
            line = f"- [{_line(e.title)}]({link_target(kb.site_url(e.url) or './')})"
            if e.summary:
                line += f": {_line(e.summary)}"
            out.append(line)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
