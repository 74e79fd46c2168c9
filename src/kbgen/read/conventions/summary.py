"""A page's summary from its first paragraph (option summary_from_body), for
repositories whose pages never had a `summary:`. The paragraph comes from
kbgen's Markdown reader (kbgen.source): its first paragraph as plain text,
or, from a reader that gives prose lines only, the first run of them."""
from __future__ import annotations

import re

MAX = 200


def first_paragraph(md) -> str:
    text = getattr(md, "first_paragraph", None)
    if text is None:
        text = _from_prose(getattr(md, "prose", []))
    text = re.sub(r"\s+", " ", text or "").strip()
    if text == "[TOC]":
        return ""
    if len(text) > MAX:
        cut = text.rfind(" ", 0, MAX)
        text = text[: cut if cut > 0 else MAX].rstrip(",;:") + "…"
    return text


def _from_prose(prose) -> str:
    words: list[str] = []
    last = None
    for line, text in prose:
        t = text.strip()
        if words and (not t or last is None or line != last + 1):
            break
        last = line
        if not t or t.startswith(("#", "<", "|", ">", "[TOC]", "[[", "---", "!!!", "???")):
            if words:
                break
            continue
        words.append(t)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", " ".join(words))
    return re.sub(r"[*_`]+", "", text)
