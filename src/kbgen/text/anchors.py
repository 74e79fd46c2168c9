"""Names and addresses: ids made from file names (slugify), anchors of
codes and alerts, an alert name written as a file name, the folded form of
a code users type, MkDocs' directory URL of a page, and the relative path
from one page to another. No imports from the rest of kbgen: the model, the
kinds and the writers all use these."""
from __future__ import annotations

import posixpath
import re
import unicodedata


def slugify(text: str) -> str:
    """A file name or question as an id: Python-Markdown's default slugify
    (ids of headings come from the site's own toc settings, in kbgen.markdown)."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def name_id(name: str) -> str:
    """An id from a file or folder name, for any name: lower case; a Latin
    letter with an accent as its letter (café -> cafe, as ids always were);
    letters and digits of every other script kept (목록 뷰 -> 목록-뷰, never
    empty); `_` kept; every other run of characters (spaces, dots,
    punctuation) one `-`, so v1.1.0 and v1.10 stay apart (v1-1-0, v1-10)."""
    out = []
    for ch in unicodedata.normalize("NFC", name):
        base = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
        if base and (base.isalnum() or base == "_"):
            out.append(base)
        elif ch.isalnum():
            out.append(ch)
        else:
            out.append(" " if ch != "_" else "_")
    return re.sub(r"[\s-]+", "-", "".join(out).strip().lower()).strip("-")


def github_slug(text: str) -> str:
    """The anchor GitHub (and GitLab) give a heading's text."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def github_anchors(headings) -> dict[str, str]:
    """For a page's headings (each with .text and the site's .anchor): the
    anchor a link written for GitHub's renderer uses (`#setup-1` for the
    second "Setup") -> the anchor this site gives that heading."""
    out: dict[str, str] = {}
    seen: dict[str, int] = {}
    for h in headings:
        slug = github_slug(h.text)
        n = seen.get(slug, -1) + 1
        seen[slug] = n
        gh = slug if n == 0 else f"{slug}-{n}"
        if h.anchor and gh not in out:
            out[gh] = h.anchor
    return out


def code_anchor(code: str) -> str:
    """The stable anchor of an error code on its table's page: QT-001 -> qt-001."""
    s = re.sub(r"[^a-z0-9]+", "-", str(code).lower()).strip("-")
    return s or "code"


def alert_anchors(alerts) -> list[str]:
    """The anchor of each alert on its page, in order: its name's code
    anchor, and -2, -3 ... for the same name again (an alert defined at two
    severities), so every id on the page is unique."""
    seen: dict[str, int] = {}
    out = []
    for a in alerts:
        base = code_anchor(a.name)
        n = seen.get(base, 0) + 1
        seen[base] = n
        out.append(base if n == 1 else f"{base}-{n}")
    return out


_ALERT_STEM = re.compile(r"^[A-Za-z_:][A-Za-z0-9_:]*$")


def alert_name_of(stem: str) -> str | None:
    """An alert name written as a file name: CamelCase or snake_case, no spaces."""
    if _ALERT_STEM.match(stem) and any(c.isupper() for c in stem) and any(c.islower() for c in stem):
        return stem
    return None


def normalize_code(code: str) -> str:
    """What users type for a code, folded: QT-001, qt001, qt_001 -> qt001."""
    return re.sub(r"[^a-z0-9]", "", str(code).lower())


def page_url(page: str) -> str:
    """MkDocs' directory URL for a docs-relative Markdown path."""
    stem = page[: page.rfind(".")] if "." in posixpath.basename(page) else page
    base = posixpath.basename(stem)
    if base in ("index", "README", "readme"):
        d = posixpath.dirname(stem)
        return (d + "/") if d else ""
    return stem + "/"


_ODD = ("", ".", "..")


def relative(target: str, folder: str) -> str:
    """posixpath.relpath(target, folder) for docs-relative paths, without
    its two calls to os.path.abspath (each asks the OS for the working
    folder): a listing of 10,000 pages makes tens of thousands of links."""
    if not folder or folder == ".":
        return target or "."
    there, here = target.split("/"), folder.split("/")
    if any(p in _ODD for p in there) or any(p in _ODD for p in here):  # not a plain path: the library's way
        return posixpath.relpath(target, folder)
    common = 0
    for a, b in zip(there, here):
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(here) - common) + there[common:]) or "."
