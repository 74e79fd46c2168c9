"""Detection of a repository's layout and conventions, from its files only."""
from __future__ import annotations

import os
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..kinds import default_kinds
from ..read.configfile import find_config_file
from ..read.conventions import catalogue
from ..read.conventions.markup import unknown_shortcodes
from ..read.conventions.owners import CODEOWNERS_PLACES, OWNER_FILES
from ..read.files import split_front_matter
from ..read.yamlload import load
from ..rules.runbooks import norm
from ..schema import PASSTHROUGH_KEYS, RunbookMeta
from ..text.anchors import alert_name_of

MD_EXT = (".md", ".markdown")
YAML_EXT = (".yaml", ".yml")
MAX_READ = 1024 * 1024
# Repository files at the root that are about the repository, not the KB.
REPO_DOCS = {"readme.md", "contributing.md", "changelog.md", "code_of_conduct.md", "security.md", "license.md",
             "maintainers.md", "governance.md", "support.md"}
# Section names runbooks use for the same thing; the first is the canonical name.
SECTION_FAMILIES = [
    ["Meaning", "Description", "Overview", "Summary", "Alert description", "What does this alert mean"],
    ["Impact", "Business impact", "User impact", "Consequences"],
    ["Diagnosis", "Diagnosing", "Diagnostics", "Investigation", "Investigating", "Troubleshooting",
     "Diagnosis and mitigation", "Diagnosis and remediation", "Triage"],
    ["Mitigation", "Mitigating", "Remediation", "Resolution", "Fix", "Solution", "Mitigation steps",
     "Diagnosis and mitigation", "Diagnosis and remediation"],
    ["Symptoms", "Symptom", "Signs"],
    ["Resolution", "Resolving", "Fix", "Solution", "Remediation", "Mitigation"],
    ["Escalation", "Escalate", "When to escalate"],
    ["Verification", "Verify", "Validation"],
]
RUNBOOK_WORDS = {norm(n) for fam in SECTION_FAMILIES for n in fam}
CI_FILES = re.compile(r"(^|/)(\.gitlab-ci\.ya?ml|\.travis\.ya?ml|azure-pipelines\.ya?ml|bitbucket-pipelines\.ya?ml|"
                      r"docker-compose[^/]*\.ya?ml|Chart\.ya?ml|values[^/]*\.ya?ml|kustomization\.ya?ml|"
                      r"\.pre-commit-config\.ya?ml|\.golangci\.ya?ml|codecov\.ya?ml|renovate\.json|_config\.ya?ml)$")
SITE_DIRS = ("site", "site-internal", "public", "_site", "node_modules", "vendor", "themes", "resources")
IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
HUGO_CONFIGS = ("hugo.yaml", "hugo.yml", "hugo.toml", "config.yaml", "config.yml", "config.toml")


@dataclass
class MdFile:
    rel: str
    meta: dict
    h1: list[str]
    sections: list[str]      # the section-level headings' texts
    body: str
    body_line: int


@dataclass
class Plan:
    root: Path
    options: dict = field(default_factory=dict)       # kbgen plugin options
    site: dict = field(default_factory=dict)          # site_name, docs_dir, ...
    existing_mkdocs: str | None = None                # the team's own mkdocs.yml, kept as it is
    chosen: list[str] = field(default_factory=list)   # the conventions, one line each
    counts: Counter = field(default_factory=Counter)
    unmapped: list[str] = field(default_factory=list)
    generator: str = "none"

    @property
    def config_name(self) -> str:
        return "kbgen.yml" if self.existing_mkdocs else "mkdocs.yml"


def _files(root: Path):
    """Every file under root, dot-names and build output skipped."""
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root).as_posix()
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and not (rel_dir == "." and d in SITE_DIRS))
        for name in sorted(filenames):
            if not name.startswith("."):
                rel = name if rel_dir == "." else f"{rel_dir}/{name}"
                yield rel


def _read(path: Path) -> str | None:
    try:
        if path.stat().st_size > MAX_READ:
            return None
        return path.read_text(encoding="utf-8-sig", errors="replace").replace("\r\n", "\n")
    except OSError:
        return None


_HEAD = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")


def _headings(body: str) -> list[tuple[int, str]]:
    """ATX headings outside fences: a first look at a file, enough to guess
    conventions (validation reads pages with kbgen's Markdown reader). A
    fence that never closes is not code, as in Python-Markdown."""
    lines = body.split("\n")
    marks = [i for i, line in enumerate(lines) if line.lstrip().startswith(("```", "~~~"))]
    code: set[int] = set()
    for a, b in zip(marks[0::2], marks[1::2]):
        code.update(range(a, b + 1))
    out = []
    for i, line in enumerate(lines):
        if i not in code:
            m = _HEAD.match(line)
            if m:
                out.append((len(m.group(1)), m.group(2).strip().strip("*_`")))
    return out


def _md(root: Path, rel: str) -> MdFile | None:
    text = _read(root / rel)
    if text is None:
        return None
    fm = split_front_matter(text)
    meta = fm.meta.data if fm.meta is not None and isinstance(fm.meta.data, dict) else {}
    heads = _headings(fm.body)
    h1 = [t for lvl, t in heads if lvl == 1]
    h2 = [t for lvl, t in heads if lvl == 2]
    if not h2:
        deeper = [lvl for lvl, _ in heads if lvl > 1]
        h2 = [t for lvl, t in heads if deeper and lvl == min(deeper)]
    return MdFile(rel, meta, h1, h2, fm.body, fm.body_line)


def _hugo(root: Path) -> tuple[str | None, dict]:
    for name in HUGO_CONFIGS:
        path = root / name
        if not path.is_file():
            continue
        text = _read(path) or ""
        data: Any
        if name.endswith(".toml"):
            try:
                import tomllib
                data = tomllib.loads(text)
            except Exception:  # a broken Hugo config is Hugo's to report
                data = {}
        else:
            data = load(text).data
        if isinstance(data, dict) and ("baseURL" in data or "theme" in data or "languages" in data
                                       or "contentDir" in data or name.startswith("hugo")):
            return name, data
    return None, {}


def _is_runbook(f: MdFile) -> bool:
    named = sum(1 for s in f.sections if norm(s) in RUNBOOK_WORDS or
                any(w in RUNBOOK_WORDS for w in norm(s).split(" and ")))
    return named >= 2


def _common_folder(paths: list[str]) -> str:
    folders = [posixpath.dirname(p) for p in paths]
    if not folders:
        return ""
    common = posixpath.commonpath(folders) if all(folders) else ""
    return common


def detect(root: Path) -> Plan:
    root = Path(root).resolve()
    plan = Plan(root)
    opts = plan.options
    files = list(_files(root))
    mkdocs = getattr(find_config_file(root, kbgen=False), "name", None)
    hugo_name, hugo = _hugo(root)
    jekyll = (root / "_config.yml").is_file()

    # --- where the pages are ---------------------------------------------------
    md_files = [r for r in files if r.lower().endswith(MD_EXT)]
    if mkdocs:
        plan.existing_mkdocs = mkdocs
        raw = load(_read(root / mkdocs) or "").data
        raw = raw if isinstance(raw, dict) else {}
        docs_dir = str(raw.get("docs_dir") or "docs").strip("/")
        plan.generator = "MkDocs"
        plan.site["site_name"] = raw.get("site_name")
    elif hugo_name:
        plan.generator = "Hugo"
        docs_dir = str(hugo.get("contentDir") or "content").strip("/")
        plan.site["site_name"] = hugo.get("title")
    else:
        plan.generator = "Jekyll" if jekyll else "none"
        content = [r for r in md_files if not ("/" not in r and r.lower() in REPO_DOCS)]
        docs_dir = "."
        for cand in ("content", "docs", "doc", "documentation", "wiki", "runbooks"):
            inside = [r for r in content if r.startswith(cand + "/")]
            if content and len(inside) >= 0.9 * len(content):
                docs_dir = cand
                break
    # --- translated trees --------------------------------------------------------
    langs: dict = hugo["languages"] if isinstance(hugo.get("languages"), dict) else {}
    seen_tree = set()
    for _code, lang in langs.items():
        cdir = lang.get("contentDir") if isinstance(lang, dict) else None
        if isinstance(cdir, str) and posixpath.basename(cdir.strip("/")) not in (posixpath.basename(docs_dir), ""):
            seen_tree.add(posixpath.basename(cdir.strip("/")))
    for entry in sorted(os.listdir(root)):
        if re.fullmatch(re.escape(posixpath.basename(docs_dir)) + r"[._-][a-z]{2}(?:[-_][A-Za-z]{2})?", entry) \
                and (root / entry).is_dir():
            seen_tree.add(entry)
    for tree in sorted(seen_tree):
        n = sum(1 for r in md_files if r.startswith(tree + "/"))
        if n:
            plan.counts["translated"] += n
            plan.unmapped.append(f"{tree}/: a translated tree ({n} Markdown files) — translations are not "
                                 "supported yet; it is not published")

    plan.site["docs_dir"] = docs_dir
    prefix = "" if docs_dir == "." else docs_dir + "/"
    if not (root / docs_dir).is_dir():
        plan.unmapped.append(f"the pages folder {docs_dir}/ does not exist")
    outside = [r for r in md_files if not r.startswith(prefix) and not ("/" not in r and r.lower() in REPO_DOCS)
               and not any(r.startswith(t + "/") for t in seen_tree)]
    linked_out = [] if not prefix or outside or mkdocs else _links_out(root, docs_dir, md_files)
    if prefix and (outside or linked_out) and not mkdocs:
        # Markdown outside the pages folder (runbooks beside it), or pages linking to files
        # outside it (../README.md): read everything from the root, so those links work
        if outside:
            plan.chosen.append(f"{len(outside)} Markdown files outside {docs_dir}/ (e.g. {outside[0]}): "
                               "kbgen reads the whole repository")
        else:
            plan.chosen.append(f"pages link to files outside {docs_dir}/ (e.g. {linked_out[0]}): "
                               "kbgen reads the whole repository")
        docs_dir, prefix = ".", ""
        plan.site["docs_dir"] = "."
    if docs_dir == ".":
        opts["content_dir"] = "."
        plan.chosen.append("pages: the whole repository (content_dir: .)")
    else:
        plan.chosen.append(f"pages: {docs_dir}/")

    # --- read the pages ----------------------------------------------------------
    pages = [r for r in md_files if r.startswith(prefix)]
    if docs_dir == ".":
        pages = [r for r in pages if not any(r.startswith(t + "/") for t in seen_tree)]
    parsed = [f for f in (_md(root, r) for r in pages) if f is not None]
    drafts = [f for f in parsed if (hugo_name or jekyll) and (f.meta.get("draft") is True
                                                             or f.meta.get("published") is False)]
    if drafts:
        plan.counts["drafts (not published)"] = len(drafts)
        parsed = [f for f in parsed if f not in drafts]

    # folder pages
    folder_pages = ["index.md", "README.md"]
    if any(posixpath.basename(f.rel) == "_index.md" for f in parsed):
        folder_pages.append("_index.md")
        plan.chosen.append("folder pages: index.md, README.md and Hugo's _index.md")
    top_pages = [f for f in parsed if "/" not in f.rel[len(prefix):]]
    if len(top_pages) == 1 and posixpath.basename(top_pages[0].rel).lower() not in {n.lower() for n in folder_pages}:
        # one page at the top (a catalogue): it is the home page
        folder_pages.append(posixpath.basename(top_pages[0].rel))
        plan.chosen.append(f"home page: {top_pages[0].rel} (the only page at the top)")
        if plan.generator == "none" and top_pages[0].h1:
            plan.site["site_name"] = top_pages[0].h1[0]
    opts["folder_pages"] = folder_pages
    fp_names = {n.lower() for n in folder_pages}
    if not plan.site.get("site_name"):
        plan.site["site_name"] = root.name

    # alert catalogues: many headings naming alerts in one file
    catalogues = []
    for f in parsed:
        names = [catalogue.alert_heading(t) for _, t in _headings(f.body)]
        names = [n for n in names if n]
        if len(names) >= 5 and len(names) >= len(f.sections) // 2:
            catalogues.append(f.rel)
            plan.counts["catalogue alerts"] += len(names)
    if catalogues:
        opts["alert_catalogues"] = catalogues
        plan.chosen.append(f"alert catalogues: {', '.join(catalogues)} ({plan.counts['catalogue alerts']} alerts)")

    # runbooks: files with runbook sections, or named like alerts beside such files
    candidates = [f for f in parsed if posixpath.basename(f.rel).lower() not in fp_names
                  and f.rel not in catalogues and _is_runbook(f)]
    runbook_files: list[MdFile] = []
    if candidates:
        top: Counter = Counter()
        for f in candidates:
            inner = f.rel[len(prefix):]
            top[inner.split("/", 1)[0] if "/" in inner else ""] += 1
        globs = []
        for folder, n in top.most_common():
            if n < 2 and len(candidates) > 2:
                continue
            globs.append(f"{prefix}{folder}/**/*.md" if folder else f"{prefix}*.md")
        if globs and not (len(globs) == 1 and globs[0] == f"{prefix}*.md" and len(candidates) < 2):
            opts["runbook_paths"] = globs
            from ..text.globs import matches
            in_place = [f for f in parsed if matches(f.rel, globs)
                        and posixpath.basename(f.rel).lower() not in fp_names and f.rel not in catalogues]
            # helper docs beside the runbooks (no runbook sections, not named like an alert) stay articles
            helpers = [f.rel for f in in_place if not _is_runbook(f)
                       and not alert_name_of(posixpath.splitext(posixpath.basename(f.rel))[0])]
            globs += [f"!{r}" for r in helpers]
            opts["runbook_paths"] = globs
            runbook_files = [f for f in in_place if f.rel not in helpers]
            if helpers:
                plan.counts["helper docs beside runbooks"] = len(helpers)
            plan.chosen.append(f"runbooks: {', '.join(g for g in globs if not g.startswith('!'))} "
                               f"({len(runbook_files)} files" + (f"; {len(helpers)} helper docs there stay articles)" if helpers else ")"))
    plan.counts["runbooks"] = len(runbook_files)

    # sections: counted per family of names ("Mitigating" is a Mitigation)
    if runbook_files:
        specs, section_names = _sections(runbook_files)
        opts["runbook_sections"] = specs
        lacking = [f.rel for f in runbook_files if not _has_all(f, specs)]
        plan.counts["runbooks lacking a section"] = len(lacking)
        if lacking:
            opts["rules"] = {"KB220": "warning"}
            plan.unmapped.append(f"{len(lacking)} runbooks lack one of the sections {', '.join(section_names)} "
                                 f"(e.g. {lacking[0]}): reported as warnings (rules: {{KB220: warning}})")
        plan.chosen.append(f"required sections: {', '.join(section_names) or 'none'} (in at least 60% of the runbooks)")
        # alert names in file names
        rb_stems = [posixpath.splitext(posixpath.basename(f.rel))[0] for f in runbook_files]
        alerts = [s for s in rb_stems if alert_name_of(s)]
        if len(alerts) >= 0.5 * len(rb_stems):
            opts["alert_from_filename"] = True
            plan.chosen.append(f"alert names from file names ({len(alerts)} runbooks, e.g. {alerts[0]})")

    # ids: folder-qualified when file names repeat
    stems = Counter(posixpath.splitext(posixpath.basename(f.rel))[0].lower() for f in parsed
                    if posixpath.basename(f.rel).lower() not in fp_names)
    repeats = [s for s, n in stems.items() if n > 1]
    if repeats:
        opts["ids"] = "path"
        plan.chosen.append(f"ids and URLs from the path ({len(repeats)} file names repeat, e.g. {repeats[0]})")
    else:
        plan.chosen.append("ids from file names (none repeat)")

    # front matter
    keys: Counter = Counter(k for f in parsed for k in f.meta)
    hugo_keys = {"weight", "bookHidden", "bookCollapseSection", "bookFlatSection", "draft", "linkTitle", "menu"}
    jekyll_keys = {"layout", "permalink", "nav_order", "parent", "has_children"}
    from ..load.sources import FLAVOUR_KEYS
    flavour = "kbgen"
    if hugo_name or hugo_keys & set(keys):
        flavour = "hugo"
    elif jekyll or jekyll_keys & set(keys):
        flavour = "jekyll"
    if flavour != "kbgen":
        opts["front_matter"] = flavour
        plan.chosen.append(f"{flavour.capitalize()} front matter (title, weight, aliases, draft understood)"
                           if flavour == "hugo" else "Jekyll front matter")
    known = set(RunbookMeta.model_fields) | {"type"} | PASSTHROUGH_KEYS | FLAVOUR_KEYS[flavour]
    extra = sorted(k for k in keys if k not in known)
    if extra:
        opts["front_matter_keys"] = extra
        plan.chosen.append(f"front-matter keys passed through: {', '.join(extra)}")
    if flavour == "hugo":
        params: dict = hugo["params"] if isinstance(hugo.get("params"), dict) else {}
        used = {m for f in parsed for m in re.findall(r"\{\{[<%]\s*param\s+\"?(\w+)", f.body)}
        found = {k: str(v) for k, v in params.items() if k in used and isinstance(v, (str, int, float))}
        if found:
            opts["hugo_params"] = found
        shortcodes = set().union(*(unknown_shortcodes(f.body) for f in parsed)) if parsed else set()
        if shortcodes:
            plan.unmapped.append(f"Hugo shortcodes shown as written: {', '.join(sorted(shortcodes))}")
    if any("[[_TOC_]]" in f.body for f in parsed):
        plan.chosen.append("GitLab [[_TOC_]] read as a table of contents")

    # summaries
    with_summary = sum(1 for f in parsed if f.meta.get("summary") or f.meta.get("description"))
    if parsed and with_summary < 0.5 * len(parsed):
        opts["summary_from_body"] = True
        plan.chosen.append("summaries from each page's first paragraph")

    # owners
    owners = []
    if any((root / p).is_file() for p in CODEOWNERS_PLACES):
        owners.append("CODEOWNERS")
    if any(posixpath.basename(r) == "OWNERS" and (r.startswith(prefix) or "/" not in r) for r in files):
        owners.append("OWNERS")
    if owners:
        opts["owners_from"] = owners
        plan.chosen.append(f"owners from {' and '.join(owners)}")

    # files that are not content
    ignore = []
    yaml_files = [r for r in files if r.lower().endswith(YAML_EXT) and r.startswith(prefix)
                  and r not in (mkdocs, hugo_name, "kbgen.yml")]
    kb_yaml = 0
    has_sla = False
    for r in yaml_files:
        loaded = load(_read(root / r) or "")
        if loaded.errors:
            plan.counts["YAML files that do not parse"] += 1  # validation reports them: never hidden
            continue
        data = loaded.data
        kind = data.get("kind") if isinstance(data, dict) else None
        if isinstance(kind, str) and default_kinds().named(kind) is not None:
            kb_yaml += 1
            has_sla = has_sla or kind == "sla"  # a KB with service levels keeps them
            continue
        ignore.append(r)
        what = ("Kubernetes manifest" if isinstance(data, dict) and "apiVersion" in data
                else "CI or tool file" if CI_FILES.search(r) else "YAML without a kbgen kind")
        plan.counts[f"ignored: {what}"] += 1
    if docs_dir == "." and jekyll:
        # Jekyll's own folders: layouts, includes, data, styles
        ignore += [f"{d}/" for d in ("_layouts", "_includes", "_sass", "_data", "_plugins") if (root / d).is_dir()]
    if docs_dir == ".":
        ignore += [f"{d}/" for d in SITE_DIRS if (root / d).is_dir()] + [f"{t}/" for t in sorted(seen_tree)]
        # the repository's own files at the top (LICENSE, Makefile, go.mod): not pages, not assets
        ignore += [r for r in files if "/" not in r and not r.lower().endswith(MD_EXT + YAML_EXT + IMAGES)
                   and r not in OWNER_FILES]
        if hugo_name:
            ignore.append(hugo_name)
    if ignore:
        opts["ignore"] = _compact(ignore)
        plan.chosen.append(f"not content: {len(ignore)} files or folders (option ignore)")
    plan.counts["data files"] = kb_yaml
    # severities as the pages give them: with no SLA to declare them, a warning at most
    severities = sorted({str(f.meta["severity"]) for f in parsed if f.meta.get("severity") is not None})
    if severities and not has_sla:
        opts.setdefault("rules", {})["KB307"] = "warning"
        plan.chosen.append(f"severities taken as given ({', '.join(severities[:6])}): no SLA declares them, "
                           "so KB307 is a warning")
    if plan.counts["YAML files that do not parse"]:
        plan.unmapped.append(f"{plan.counts['YAML files that do not parse']} YAML files that do not parse: "
                             "kbgen validate shows where")
    if not parsed:
        plan.unmapped.append(f"no Markdown pages under {docs_dir}/: nothing to publish yet")
    plan.counts["articles"] = len(parsed) - len(runbook_files) - len(catalogues)
    others = [r for r in files if r.startswith(prefix) and not r.lower().endswith(MD_EXT + YAML_EXT)
              and posixpath.basename(r) not in OWNER_FILES]
    # a file named like a page's URL (runbooks/X beside runbooks/X.md) would take the page's place
    page_stems = {posixpath.splitext(f.rel)[0] for f in parsed}
    clash = [r for r in others if r in page_stems]
    if clash:
        ignore += clash
        opts["ignore"] = _compact(ignore)
        plan.unmapped.append(f"{len(clash)} files named like a page's address (e.g. {clash[0]} beside "
                             f"{posixpath.basename(clash[0])}.md): not published (option ignore)")
    others = [r for r in others if r not in ignore]
    no_ext = [r for r in others if "." not in posixpath.basename(r)]
    plan.counts["images and other files"] = len(others)
    if no_ext:
        plan.unmapped.append(f"{len(no_ext)} files without an extension beside the pages (e.g. {no_ext[0]}): "
                             "published as plain files, not pages")
    return plan


def _families(heading: str) -> set[str]:
    """The canonical section names a heading counts as: its families, and
    each part of "X and Y"; a heading of no family is its own."""
    key = norm(heading)
    parts = {key} | {p.strip() for p in key.split(" and ") if p.strip()}
    out = {norm(fam[0]) for fam in SECTION_FAMILIES for p in parts if p in map(norm, fam)}
    return out or {key}


def _sections(runbook_files: list[MdFile]) -> tuple[list, list[str]]:
    freq: Counter = Counter()
    spelled: dict[str, Counter] = {}
    first_seen: dict[str, int] = {}
    for f in runbook_files:
        fams: set[str] = set()
        for i, h in enumerate(f.sections):
            for fam in _families(h):
                fams.add(fam)
                first_seen.setdefault(fam, i)
                if norm(h) == fam or fam in map(norm, next((x for x in SECTION_FAMILIES if norm(x[0]) == fam), [])) \
                        and " and " not in norm(h):
                    spelled.setdefault(fam, Counter())[h] += 1
        freq.update(fams)
    specs: list = []
    names: list[str] = []
    for fam, n in sorted(freq.items(), key=lambda kv: (first_seen.get(kv[0], 99), kv[0])):
        if n < 0.6 * len(runbook_files):
            continue
        name = spelled[fam].most_common(1)[0][0] if fam in spelled else fam.capitalize()
        if norm(name) in map(norm, names):
            continue
        family = next((x for x in SECTION_FAMILIES if norm(x[0]) == fam), [])
        aliases = [a for a in family if norm(a) != norm(name)]
        aliases += [h for h in spelled.get(fam, {}) if norm(h) != norm(name) and h not in aliases]
        names.append(name)
        specs.append({"name": name, "aliases": aliases} if aliases else name)
    return specs, names


def _has_all(f: MdFile, specs) -> bool:
    have = {norm(h) for h in f.sections}
    have |= {p.strip() for h in list(have) for p in h.split(" and ") if p.strip()}
    for s in specs:
        names = {norm(s)} if isinstance(s, str) else {norm(s["name"]), *(norm(a) for a in s["aliases"])}
        if not names & have:
            return False
    return True


def _links_out(root: Path, docs_dir: str, md_files: list[str]) -> list[str]:
    """Files outside the pages folder that its pages link to (links read with
    kbgen's Markdown reader)."""
    from urllib.parse import unquote

    from ..markdown import scan_markdown
    from ..model.links import is_external
    out = []
    for rel in md_files:
        if not rel.startswith(docs_dir + "/"):
            continue
        text = _read(root / rel)
        if not text or "](" not in text:
            continue
        fm = split_front_matter(text)
        for link in scan_markdown(fm.body, fm.body_line).links:
            target = unquote(link.target.split("#", 1)[0].split("?", 1)[0])
            if not target or is_external(target) or target.startswith("/"):
                continue
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
            if not joined.startswith(docs_dir + "/") and not joined.startswith("..") and (root / joined).exists():
                out.append(joined)
    return sorted(set(out))


def _compact(paths: list[str]) -> list[str]:
    """Ignore whole folders when every YAML file of a folder is ignored."""
    return sorted(set(paths))
