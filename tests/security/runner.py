"""Run one batch of hostile cases for real: write the KB, `kbgen validate
--format json`, build the public site with the real CLI, then open every
page of it in headless Chromium. Returns a verdict per case.

A case passes when validate reports it (an error at its file and line), or
when it is built and comes out inert: no dialog, no live handler or
dangerous element or URL carrying its token, no click on any link that
navigates to javascript:/vbscript:/data:, none of its leak markers in any
file or file name of the site (gzip decompressed), and its token present
in the site (so a case that fell out of the KB cannot pass unseen).

Reported cases are neutralized (their value replaced, their files
dropped) before the build, as the writer would have to; a build that still
fails is bisected to the cases that break it."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from cases import Case, build_field_files, mkdocs_for

from kbfactory import run_kbgen, site_texts, write_kb

TAGS_PAGE = "---\naudience: public\n---\n# Tags\n\n<!-- material/tags -->\n"

@dataclass
class Verdict:
    how: str = ""                                     # "reported" or "inert" when it passed
    problems: list[str] = field(default_factory=list)  # why it failed

    def as_dict(self):
        return {"how": self.how, "problems": self.problems}


def _materialize(kb: Path, outside: Path, cases: list[Case], neutral: set[str]) -> dict[str, tuple]:
    """Write the batch's KB from scratch; return {case id: alternatives of (file, lines)}."""
    for d in (kb, outside):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    field_cases = [c for c in cases if c.sink]
    files: dict[str, str] = {"content/tags.md": TAGS_PAGE}
    locs: dict[str, tuple] = {}
    mk = next((c.mkdocs for c in cases if c.mkdocs), None) or mkdocs_for()
    if field_cases:
        ffiles, mk, flocs = build_field_files(field_cases, neutral)
        files.update(ffiles)
        locs = {cid: (loc,) for cid, loc in flocs.items()}
    for c in cases:
        if c.sink:
            continue
        locs[c.id] = c.where
        if c.id not in neutral:
            files.update(c.files)
    write_kb(kb, files, mkdocs=mk)
    for c in cases:
        if c.setup and c.id not in neutral:
            c.setup(kb, outside, c.tok)
    return locs


def _problems(kb: Path) -> tuple[list[dict], str]:
    proc = run_kbgen("validate", ".", "--format", "json", cwd=kb)
    try:
        return json.loads(proc.stdout)["problems"], ""
    except (ValueError, KeyError):
        return [], f"validate gave no JSON (exit {proc.returncode}): {(proc.stdout + proc.stderr).strip()[-300:]}"


def _matches(p: dict, alts) -> bool:
    for path, lines in alts or ():
        if (p.get("file") == path or str(p.get("file", "")).startswith(path + "/")) and \
                (lines is None or p.get("line") in lines) and int(p.get("line") or 0) >= 1 and \
                int(p.get("column") or 0) >= 1:
            return True
    return False


def _owner(p: dict, cases: list[Case], locs) -> list[Case]:
    """The cases an error belongs to: the one at its line, else every case of its file."""
    exact = [c for c in cases if _matches(p, locs.get(c.id))]
    if exact:
        return exact
    return [c for c in cases if any(p.get("file") == path or str(p.get("file", "")).startswith(path + "/")
                                    for path, _ in locs.get(c.id) or ())]


def _tail(proc) -> str:
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    worst = [x for x in lines if "rror" in x] or lines[-3:]
    return " | ".join(worst)[-400:]


def _build(kb: Path, site: Path):
    shutil.rmtree(site, ignore_errors=True)
    return run_kbgen("build", ".", "--audience", "public", "--site-dir", site, "-q", cwd=kb)


def run_batch(cases: list[Case], work: Path) -> dict[str, dict]:
    kb, outside, site = work / "kb", work / "outside", work / "site"
    verdicts = {c.id: Verdict() for c in cases}
    locs = _materialize(kb, outside, cases, set())
    problems, trouble = _problems(kb)
    errors = [p for p in problems if p.get("severity") == "error"]
    neutral: set[str] = set()
    for c in cases:
        got = [p for p in errors if _matches(p, locs.get(c.id))]
        if got:
            p = got[0]
            verdicts[c.id].how = f"reported {p['file']}:{p['line']}:{p['column']} {p.get('code')}"
            neutral.add(c.id)
    # build what is left; errors elsewhere, or a build that fails, point at cases
    active = [c for c in cases if c.id not in neutral]
    culprits: dict[str, str] = {}

    def attempt(exclude: set[str]):
        _materialize(kb, outside, cases, neutral | exclude)
        return _build(kb, site)

    proc = attempt(set())
    for _ in range(3):
        if proc.returncode == 0:
            break
        probs, _ = _problems(kb)
        bad = [p for p in probs if p.get("severity") == "error"]
        owners = {c.id: p for p in bad for c in _owner(p, active, locs) if c.id not in culprits}
        if not owners:
            break
        for cid, p in owners.items():
            if _matches(p, locs.get(cid)):
                # reported at its place once the other cases were fixed: the writer still
                # sees it before anything ships
                verdicts[cid].how = f"reported {p['file']}:{p['line']}:{p['column']} {p.get('code')} (second pass)"
                neutral.add(cid)
                active = [c for c in active if c.id != cid]
            else:
                culprits[cid] = (f"reported at the wrong place: {p['file']}:{p['line']}:{p['column']} {p.get('code')} "
                                 f"{p.get('message', '')[:120]} (expected {locs.get(cid)})")
        proc = attempt(set(culprits))
    if proc.returncode != 0:
        rest = [c for c in active if c.id not in culprits]
        base = attempt({c.id for c in rest} | set(culprits))
        if base.returncode != 0:
            # not the cases: the KB with every case neutralized does not build either
            for c in rest:
                culprits.setdefault(c.id, f"the batch's KB does not build even without the cases: {_tail(base)}")
            rest = []

        def bisect(group: list[Case], depth=0):
            # the cases that make the build fail, each with its own message
            others = {c.id for c in rest if c not in group} | set(culprits)
            got = attempt(others)
            if got.returncode == 0:
                return
            if len(group) == 1 or depth > 7:
                for c in group:
                    culprits[c.id] = f"the build fails with it: {_tail(got)}"
                return
            half = len(group) // 2
            bisect(group[:half], depth + 1)
            bisect(group[half:], depth + 1)

        if rest:
            bisect(rest)
        proc = attempt(set(culprits))
        for c in rest:
            if proc.returncode != 0:
                culprits.setdefault(c.id, f"no build could be made: {_tail(proc)}")
    for cid, why in culprits.items():
        verdicts[cid].problems.append(why)
    built = [c for c in active if c.id not in culprits]
    if proc.returncode != 0 or not built:
        return _finish(verdicts, trouble)

    texts = site_texts(site, names=True)
    blob = "\n".join(texts.values())
    for c in built:
        for m in c.markers:
            leaked = sorted({f.replace(" (name)", "") for f, t in texts.items() if m in t})
            if leaked:
                verdicts[c.id].problems.append(f"leak marker {m} in {', '.join(leaked[:5])}")
        if c.witness and c.tok not in blob:
            verdicts[c.id].problems.append("its token is not in the public site: the case did not reach the build")
    for why, toks in published_findings(site, [c.tok for c in built]):
        for c in built:
            if c.tok in toks:
                verdicts[c.id].problems.append(why)
    for why, toks in _browse(site, [c.tok for c in built], work):
        for c in built:
            if c.tok in toks:
                verdicts[c.id].problems.append(why)
    return _finish(verdicts, trouble)


# What the site must never hold from content, whatever kbgen's own rules say
# (issue 22): files a static host obeys, and files a browser runs or shows as a page.
HOST_NAMES = {n.casefold() for n in ("_redirects", "_headers", "_worker.js", "_routes.json", "netlify.toml",
                                     "vercel.json", "web.config", "staticwebapp.config.json", "CNAME")}
ACTIVE_SUFFIXES = {".html", ".htm", ".xhtml", ".xht", ".xml", ".xsl", ".xslt", ".js", ".mjs", ".wasm", ".svg"}
_META = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)


def published_findings(site: Path, tokens: list[str]) -> list[tuple[str, list[str]]]:
    """Files of the public site that carry a case's token and that a host
    obeys or a browser runs; and any page whose Content-Security-Policy is
    not the first thing in its <head> (only a <meta charset> may come first)."""
    out = []
    for p in sorted(site.rglob("*")):
        if not p.is_file():
            continue
        rel = p.relative_to(site).as_posix()
        data = p.read_bytes()
        text = data.decode("utf-8", errors="replace")
        toks = [t for t in tokens if t in text or t in rel]
        if p.suffix == ".html" and b"Content-Security-Policy" in data:
            head = data.split(b"<head", 1)[1].split(b">", 1)[1] if b"<head" in data else data
            first = [m.group(0) for m in _META.finditer(head[:4000])][:2]
            before = head.split(b"Content-Security-Policy", 1)[0]
            charset_first = bool(first) and b"charset" in first[0]
            if b"<script" in before.lower() or not (b"Content-Security-Policy" in first[0] or
                                                    (charset_first and len(first) > 1 and b"Content-Security-Policy" in first[1])):
                out.append((f"the policy is not the first thing in <head> of {rel}", toks or tokens))
        if toks and {part.casefold() for part in rel.split("/")} & HOST_NAMES:
            out.append((f"host control file {rel} from content is in the site", toks))
            continue
        named = [t for t in tokens if t in rel]  # the cases' files carry their token in their name
        if named and p.suffix.lower() in ACTIVE_SUFFIXES and not rel.endswith("/index.html"):
            out.append((f"active file {rel} from content is in the site", named))
        elif named and p.suffix.lower() != ".html" and text.lstrip("\ufeff \t\r\n").startswith("<"):
            out.append((f"markup file {rel} from content is in the site", named))
    return out


def _finish(verdicts: dict[str, Verdict], trouble: str) -> dict[str, dict]:
    out = {}
    for cid, v in verdicts.items():
        if not v.how and not v.problems:
            v.how = "inert"
        if trouble and v.problems:
            v.problems.append(trouble)
        # a reported case passed; its neutralized stand-in was still built and browsed
        out[cid] = v.as_dict() if not v.how.startswith("reported") else {"how": v.how, "problems": []}
    return out


def _browse(site: Path, tokens: list[str], work: Path) -> list[tuple[str, list[str]]]:
    """browse.py in its own process: one Playwright per process, and the
    browser tests of the same pytest process already hold theirs."""
    arg = work / "tokens.json"
    arg.write_text(json.dumps(tokens))
    proc = subprocess.run([sys.executable, str(Path(__file__).with_name("browse.py")), str(site), str(arg)],
                          check=False, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"browse.py failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return [tuple(x) for x in json.loads(proc.stdout)]

