"""Detection of a repository's layout and conventions, from its files only.

detect() runs one step per convention, in order, each reading what the
ones before it decided (the pages folder, the pages, the runbooks...) from
a _Scan and writing its choice, one line of `chosen`, into the Adoption."""
from __future__ import annotations

import os
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import KbgenError
from ..kinds import default_kinds
from ..load.sources import FLAVOUR_KEYS
from ..read.configfile import CONFIG_NAMES, read_config_file
from ..read.conventions import catalogue
from ..read.conventions.markup import unknown_shortcodes
from ..read.conventions.owners import CODEOWNERS_PLACES, OWNER_FILES
from ..read.yamlload import load
from ..rules.runbooks import norm
from ..schema import PASSTHROUGH_KEYS, RunbookMeta
from ..site.settings import plugin_names
from ..text.anchors import alert_name_of
from ..text.globs import matches
from .files import (
    IMAGES,
    MD_EXT,
    REPO_DOCS,
    SITE_DIRS,
    YAML_EXT,
    MdFile,
    headings,
    hugo_config,
    inside,
    links_out,
    read_md,
    read_small,
    repo_files,
)
from .sections import has_all_sections, is_runbook, not_a_runbook, runbook_sections, section_specs

# Hugo's own folders: templates, theme, translations of its UI, data; never pages
# (an archetype is a page template full of {{ .Name }}).
HUGO_DIRS = ("archetypes", "layouts", "themes", "i18n", "data", "assets", "resources")

CI_FILES = re.compile(r"(^|/)(\.gitlab-ci\.ya?ml|\.travis\.ya?ml|azure-pipelines\.ya?ml|bitbucket-pipelines\.ya?ml|"
                      r"docker-compose[^/]*\.ya?ml|Chart\.ya?ml|values[^/]*\.ya?ml|kustomization\.ya?ml|"
                      r"\.pre-commit-config\.ya?ml|\.golangci\.ya?ml|codecov\.ya?ml|renovate\.json|_config\.ya?ml)$")


class AdoptError(KbgenError):
    """The configuration cannot be written (the repository uses kbgen already,
    or the file is a link out of it): exit code 2."""

    exit_code = 2


@dataclass
class Adoption:
    """What `kbgen adopt` found and will write (kbgen.adopt.write)."""
    root: Path
    options: dict = field(default_factory=dict)       # kbgen plugin options
    site: dict = field(default_factory=dict)          # site_name, docs_dir, ...
    existing_mkdocs: str | None = None                # the team's own mkdocs.yml, kept as it is
    chosen: list[str] = field(default_factory=list)   # the conventions, one line each
    counts: Counter = field(default_factory=Counter)
    unmapped: list[str] = field(default_factory=list)
    generator: str = "none"
    site_config: dict = field(default_factory=dict)   # the team's mkdocs.yml as kbgen reads it (configfile)
    overrides: dict = field(default_factory=dict)     # settings kbgen.yml sets over it (a theme not installed)
    left_out: list[str] = field(default_factory=list)  # its plugins that are not installed: not in kbgen.yml

    @property
    def config_name(self) -> str:
        return "kbgen.yml" if self.existing_mkdocs else "mkdocs.yml"


@dataclass
class _Scan:
    """What the steps of detect() share."""
    root: Path
    plan: Adoption
    files: list[str]
    md_files: list[str]
    mkdocs: str | None                       # the team's own mkdocs.yml
    hugo_name: str | None                    # a Hugo config file
    hugo: dict
    jekyll: bool
    docs_dir: str = "."
    prefix: str = ""                         # docs_dir + "/", or "" for the whole repository
    trees: set[str] = field(default_factory=set)  # translated trees, never published
    other_languages: list[str] = field(default_factory=list)  # globs of pages in the languages not published
    parsed: list[MdFile] = field(default_factory=list)  # the pages, drafts left out
    fp_names: set[str] = field(default_factory=set)  # folder page names, lower-cased
    catalogues: list[str] = field(default_factory=list)
    runbook_files: list[MdFile] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)


def _site_config_name(root: Path) -> str | None:
    """The team's own mkdocs.yml, if any; one that is a link out of the
    repository (or a dangling one) is refused: adopt reads and writes nothing
    outside the repository (docs/security.md)."""
    for name in CONFIG_NAMES:
        path = root / name
        if path.is_symlink() and inside(root, path) is None:
            raise AdoptError(f"{name} is a symbolic link to {os.readlink(path)}, outside the repository or "
                             "missing: kbgen adopt reads and writes nothing outside the repository "
                             "(replace the link with the file)")
        if path.is_file():
            return name
    return None


def detect(root: Path) -> Adoption:
    root = Path(root).resolve()
    refused: list[str] = []
    files = list(repo_files(root, refused))
    hugo_name, hugo = hugo_config(root)
    s = _Scan(root, Adoption(root), files, [r for r in files if r.lower().endswith(MD_EXT)],
              _site_config_name(root), hugo_name, hugo,
              (root / "_config.yml").is_file())
    if refused:
        s.plan.unmapped.append(f"{len(refused)} symbolic links that lead out of the repository or nowhere "
                               f"(e.g. {refused[0]}): not read, and refused by validation (KB115)")
    for step in (_pages_folder, _site_parts, _translated_trees, _whole_repository, _languages, _read_pages, _folder_pages, _catalogues,
                 _runbooks, _required_sections, _ids, _front_matter, _summaries, _owners, _not_content, _other_files,
                 _published):
        step(s)
    return s.plan


def _pages_folder(s: _Scan) -> None:
    """Where the pages are: the site generator's docs folder, or the one folder most of them are in."""
    plan = s.plan
    if s.mkdocs:
        plan.existing_mkdocs = s.mkdocs
        source = read_config_file(s.root / s.mkdocs, within=s.root)  # the one reading of mkdocs.yml
        raw = plan.site_config = source.data
        for p in source.problems:
            plan.unmapped.append(f"{p}: kbgen validate reports it too")
        docs_dir = raw.get("docs_dir")
        s.docs_dir = (docs_dir if isinstance(docs_dir, str) and docs_dir.strip() else "docs").strip("/")
        plan.generator = "MkDocs"
        plan.site["site_name"] = raw.get("site_name")
    elif s.hugo_name:
        plan.generator = "Hugo"
        s.docs_dir = str(s.hugo.get("contentDir") or "content").strip("/")
        plan.site["site_name"] = s.hugo.get("title")
    else:
        plan.generator = "Jekyll" if s.jekyll else "none"
        content = [r for r in s.md_files if not ("/" not in r and r.lower() in REPO_DOCS)]
        s.docs_dir = "."
        for cand in ("content", "docs", "doc", "documentation", "wiki", "runbooks"):
            inside = [r for r in content if r.startswith(cand + "/")]
            if content and len(inside) >= 0.9 * len(content):
                s.docs_dir = cand
                break


def _installed(group: str) -> set[str]:
    from importlib.metadata import entry_points
    return {e.name for e in entry_points(group=group)}


def _site_parts(s: _Scan) -> None:
    """The team's theme and plugins, as installed here: a theme that is not
    (one installed from a git URL) is replaced by Material in kbgen.yml; a
    plugin that is not is left out of kbgen.yml's plugins. Both reported."""
    raw = s.plan.site_config
    if not s.mkdocs:
        return
    theme = raw.get("theme")
    name = theme.get("name") if isinstance(theme, dict) else theme
    if isinstance(name, str) and name and name not in _installed("mkdocs.themes"):
        s.plan.overrides["theme"] = {"name": "material"}
        s.plan.unmapped.append(f"the theme '{name}' is not installed here (installed from a git URL or a package "
                               "not on the registry?): kbgen.yml builds with Material instead (theme: material); "
                               "install the theme and remove that line to build with it")
    plugins = raw.get("plugins")
    names = plugin_names(plugins) if isinstance(plugins, (list, dict)) else []
    have = _installed("mkdocs.plugins")
    for n in names:
        if isinstance(n, str) and n != "kbgen" and n not in have and f"material/{n}" not in have:
            s.plan.left_out.append(n)
    if s.plan.left_out:
        s.plan.unmapped.append(f"plugins not installed here, left out of kbgen.yml: {', '.join(s.plan.left_out)} "
                               "(install them, e.g. from the repository's requirements, and add them back)")


def _translated_trees(s: _Scan) -> None:
    """Translated trees (Hugo's languages, docs.fr/, content-de/): counted, not published."""
    langs: dict = s.hugo["languages"] if isinstance(s.hugo.get("languages"), dict) else {}
    docs_dir = s.docs_dir
    for _code, lang in langs.items():
        cdir = lang.get("contentDir") if isinstance(lang, dict) else None
        if isinstance(cdir, str) and posixpath.basename(cdir.strip("/")) not in (posixpath.basename(docs_dir), ""):
            s.trees.add(posixpath.basename(cdir.strip("/")))
    for entry in sorted(os.listdir(s.root)):
        if re.fullmatch(re.escape(posixpath.basename(docs_dir)) + r"[._-][a-z]{2}(?:[-_][A-Za-z]{2})?", entry) \
                and (s.root / entry).is_dir():
            s.trees.add(entry)
    for tree in sorted(s.trees):
        n = sum(1 for r in s.md_files if r.startswith(tree + "/"))
        if n:
            s.plan.counts["translated"] += n
            s.plan.unmapped.append(f"{tree}/: a translated tree ({n} Markdown files) — translations are not "
                                   "supported yet; it is not published")


_LANG = re.compile(r"^[a-z]{2,3}(?:[-_][a-z]{2,4})?$", re.I)


def _is_language(name: str) -> bool:
    import locale
    code = name.lower().replace("-", "_")
    return bool(_LANG.match(name)) and (code in locale.locale_alias or code.split("_")[0] in locale.locale_alias)


def _languages(s: _Scan) -> None:
    """Pages in several languages inside the pages folder: one folder per
    language (docs/en/, docs/fr/: a help centre, the MkDocs i18n plugin's
    folder structure) or one suffix per language (page.fr.md: its suffix
    structure). One language is published, its own ids and search; the
    others are reported and left out, never mixed into it."""
    prefix = s.prefix
    pages = [r for r in s.md_files if r.startswith(prefix)]
    if not pages:
        return
    i18n = _i18n_plugin(s.plan.site_config)
    folders: Counter = Counter(r[len(prefix):].split("/", 1)[0] for r in pages if "/" in r[len(prefix):])
    langs = sorted(f for f in folders if _is_language(f))
    default = i18n.get("default")
    theme = s.plan.site_config.get("theme")
    theme_lang = theme.get("language") if isinstance(theme, dict) else None
    if len(langs) >= 2 and sum(folders[f] for f in langs) >= 0.5 * len(pages):
        pick = next((x for x in (default, theme_lang, "en") if x in langs), max(langs, key=lambda f: folders[f]))
        others = [f for f in langs if f != pick]
        s.other_languages = [f"{prefix}{f}/" for f in others]
        n = sum(folders[f] for f in others)
        s.plan.counts["translated"] += n
        s.plan.chosen.append(f"languages: {len(langs)} ({', '.join(langs[:8])}{', ...' if len(langs) > 8 else ''}); "
                             f"published: {pick}/ ({folders[pick]} pages), its own ids and search")
        s.plan.unmapped.append(f"{len(others)} other languages ({n} pages: {', '.join(f + '/' for f in others[:6])}"
                               f"{' ...' if len(others) > 6 else ''}) are not published: kbgen publishes one language "
                               "per site (option ignore lists them; swap the language there to publish another)")
        return
    suffixed: Counter = Counter()
    for r in pages:
        parts = r.rsplit(".", 2)
        if len(parts) == 3 and _is_language(parts[1]):
            suffixed[parts[1]] += 1
    if suffixed and (i18n or sum(suffixed.values()) >= 3):
        others = sorted(c for c in suffixed if c != (default or theme_lang or "en"))
        if others:
            s.other_languages = [f"{prefix}**/*.{c}.md" for c in others]
            s.plan.counts["translated"] += sum(suffixed[c] for c in others)
            s.plan.unmapped.append(f"translations as page.<language>.md ({', '.join(others)}: "
                                   f"{sum(suffixed[c] for c in others)} pages) are not published: kbgen publishes "
                                   "one language per site")


def _i18n_plugin(raw: dict) -> dict:
    """The MkDocs i18n plugin's languages: {"default": locale} when it says one."""
    plugins = raw.get("plugins")
    items = plugins.items() if isinstance(plugins, dict) else \
        (next(iter(p.items())) for p in plugins if isinstance(p, dict) and len(p) == 1) if isinstance(plugins, list) \
        else []
    for name, opts in items:
        if name == "i18n" and isinstance(opts, dict):
            for lang in opts.get("languages") or []:
                if isinstance(lang, dict) and lang.get("default") and isinstance(lang.get("locale"), str):
                    return {"default": lang["locale"]}
            return {"plugin": True}
    return {}


def _whole_repository(s: _Scan) -> None:
    """The pages folder, or the whole repository when Markdown lies outside it
    or its pages link out of it."""
    plan, docs_dir = s.plan, s.docs_dir
    plan.site["docs_dir"] = docs_dir
    prefix = "" if docs_dir == "." else docs_dir + "/"
    if not (s.root / docs_dir).is_dir():
        plan.unmapped.append(f"the pages folder {docs_dir}/ does not exist")
    if s.hugo_name:
        s.md_files = [r for r in s.md_files if r.split("/", 1)[0] not in HUGO_DIRS]
    outside = [r for r in s.md_files if not r.startswith(prefix) and not ("/" not in r and r.lower() in REPO_DOCS)
               and not any(r.startswith(t + "/") for t in s.trees)]
    linked_out = [] if not prefix or outside or s.mkdocs else links_out(s.root, docs_dir, s.md_files)
    if prefix and (outside or linked_out) and not s.mkdocs:
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
        plan.options["content_dir"] = "."
        plan.chosen.append("pages: the whole repository (content_dir: .)")
    else:
        plan.chosen.append(f"pages: {docs_dir}/")
    s.docs_dir, s.prefix = docs_dir, prefix


def _read_pages(s: _Scan) -> None:
    """The pages, read (front matter, headings); Hugo's and Jekyll's drafts left out."""
    pages = [r for r in s.md_files if r.startswith(s.prefix)]
    if s.docs_dir == ".":
        pages = [r for r in pages if not any(r.startswith(t + "/") for t in s.trees)]
    if s.other_languages:
        pages = [r for r in pages if not matches(r, s.other_languages)]
    parsed = [f for f in (read_md(s.root, r) for r in pages) if f is not None]
    drafts = [f for f in parsed if (s.hugo_name or s.jekyll) and (f.meta.get("draft") is True
                                                                 or f.meta.get("published") is False)]
    if drafts:
        s.plan.counts["drafts (not published)"] = len(drafts)
        parsed = [f for f in parsed if f not in drafts]
    s.parsed = parsed


def _folder_pages(s: _Scan) -> None:
    """A folder's page (index.md, README.md, Hugo's _index.md); the only page at the top is the home page."""
    plan, parsed = s.plan, s.parsed
    folder_pages = ["index.md", "README.md"]
    if any(posixpath.basename(f.rel) == "_index.md" for f in parsed):
        folder_pages.append("_index.md")
        plan.chosen.append("folder pages: index.md, README.md and Hugo's _index.md")
    top_pages = [f for f in parsed if "/" not in f.rel[len(s.prefix):]]
    if len(top_pages) == 1 and posixpath.basename(top_pages[0].rel).lower() not in {n.lower() for n in folder_pages}:
        # one page at the top (a catalogue): it is the home page
        folder_pages.append(posixpath.basename(top_pages[0].rel))
        plan.chosen.append(f"home page: {top_pages[0].rel} (the only page at the top)")
        if plan.generator == "none" and top_pages[0].h1:
            plan.site["site_name"] = top_pages[0].h1[0]
    plan.options["folder_pages"] = folder_pages
    s.fp_names = {n.lower() for n in folder_pages}
    if not plan.site.get("site_name"):
        plan.site["site_name"] = s.root.name


def _catalogues(s: _Scan) -> None:
    """Alert catalogues: many headings naming alerts in one file."""
    plan = s.plan
    for f in s.parsed:
        names = [catalogue.alert_heading(t) for _, t in headings(f.body)]
        names = [n for n in names if n]
        # headings written as code (### `upstreams`) name settings: a configuration reference
        code = len(re.findall(r"^#{1,6}[ \t]+`[^`\n]+`[ \t]*$", f.body, re.M))
        if len(names) >= 5 and code >= len(names) // 2:
            plan.chosen.append(f"not an alert catalogue: {f.rel} (its headings are settings in code: "
                               "a configuration reference)")
            continue
        if len(names) >= 5 and len(names) >= len(f.sections) // 2:
            s.catalogues.append(f.rel)
            plan.counts["catalogue alerts"] += len(names)
    if s.catalogues:
        plan.options["alert_catalogues"] = s.catalogues
        plan.chosen.append(f"alert catalogues: {', '.join(s.catalogues)} ({plan.counts['catalogue alerts']} alerts)")


def _runbooks(s: _Scan) -> None:
    """Runbooks: files with runbook sections, or named like alerts beside such files."""
    plan, opts, prefix, fp_names = s.plan, s.plan.options, s.prefix, s.fp_names
    pages = [f for f in s.parsed if posixpath.basename(f.rel).lower() not in fp_names and f.rel not in s.catalogues]
    candidates = [f for f in pages if is_runbook(f)]
    # pages with a runbook's headings that are something else: said, with the reason
    lookalikes = [(f.rel, why) for f in pages if len(set(runbook_sections(f))) >= 2 and (why := not_a_runbook(f))]
    if lookalikes:
        plan.chosen.append(f"not runbooks, though their headings look like one: {len(lookalikes)} "
                           f"({'; '.join(f'{r}: {w}' for r, w in lookalikes[:4])}"
                           + ("; ..." if len(lookalikes) > 4 else "") + ")")
    if len(candidates) == 1 and not alert_name_of(posixpath.splitext(posixpath.basename(candidates[0].rel))[0]) \
            and len({norm(x) for x in runbook_sections(candidates[0])}) < 3:
        candidates = []  # one page with two such headings is an article that happens to have them
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
            in_place = [f for f in s.parsed if matches(f.rel, globs)
                        and posixpath.basename(f.rel).lower() not in fp_names and f.rel not in s.catalogues]
            # helper docs beside the runbooks (no runbook sections, not named like an alert) stay articles
            helpers = [f.rel for f in in_place if not is_runbook(f)
                       and not alert_name_of(posixpath.splitext(posixpath.basename(f.rel))[0])]
            globs += [f"!{r}" for r in helpers]
            opts["runbook_paths"] = globs
            s.runbook_files = [f for f in in_place if f.rel not in helpers]
            if helpers:
                plan.counts["helper docs beside runbooks"] = len(helpers)
            named = sum(1 for f in s.runbook_files
                        if alert_name_of(posixpath.splitext(posixpath.basename(f.rel))[0]))
            labelled = sum(1 for f in s.runbook_files if set(f.labels) & set(runbook_sections(f)))
            reasons = [f"{len(s.runbook_files) - labelled} with runbook sections as headings" if labelled
                   < len(s.runbook_files) else "", f"{labelled} with them as bold labels" if labelled else "",
                   f"{named} named like an alert" if named else ""]
            plan.chosen.append(f"runbooks: {', '.join(g for g in globs if not g.startswith('!'))} "
                               f"({len(s.runbook_files)} files: {', '.join(w for w in reasons if w)}"
                               + (f"; {len(helpers)} helper docs there stay articles)" if helpers else ")"))
    plan.counts["runbooks"] = len(s.runbook_files)


def _required_sections(s: _Scan) -> None:
    """Sections, counted per family of names ("Mitigating" is a Mitigation);
    alert names in file names."""
    plan, opts, runbook_files = s.plan, s.plan.options, s.runbook_files
    if not runbook_files:
        return
    specs, section_names = section_specs(runbook_files)
    opts["runbook_sections"] = specs
    lacking = [f.rel for f in runbook_files if not has_all_sections(f, specs)]
    plan.counts["runbooks lacking a section"] = len(lacking)
    if lacking:
        opts["rules"] = {"KB220": "warning"}
        plan.unmapped.append(f"{len(lacking)} runbooks lack one of the sections {', '.join(section_names)} "
                             f"(e.g. {lacking[0]}): reported as warnings (rules: {{KB220: warning}})")
    plan.chosen.append(f"required sections: {', '.join(section_names) or 'none'} (in at least 60% of the runbooks)")
    rb_stems = [posixpath.splitext(posixpath.basename(f.rel))[0] for f in runbook_files]
    alerts = [stem for stem in rb_stems if alert_name_of(stem)]
    if len(alerts) >= 0.5 * len(rb_stems):
        opts["alert_from_filename"] = True
        plan.chosen.append(f"alert names from file names ({len(alerts)} runbooks, e.g. {alerts[0]})")


def _ids(s: _Scan) -> None:
    """Ids: folder-qualified when file names repeat."""
    stems = Counter(posixpath.splitext(posixpath.basename(f.rel))[0].lower() for f in s.parsed
                    if posixpath.basename(f.rel).lower() not in s.fp_names)
    repeats = [stem for stem, n in stems.items() if n > 1]
    if repeats:
        s.plan.options["ids"] = "path"
        s.plan.chosen.append(f"ids and URLs from the path ({len(repeats)} file names repeat, e.g. {repeats[0]})")
    else:
        s.plan.chosen.append("ids from file names (none repeat)")


def _front_matter(s: _Scan) -> None:
    """Front matter: Hugo's, Jekyll's or kbgen's; keys kbgen does not know passed through."""
    plan, opts, parsed = s.plan, s.plan.options, s.parsed
    keys: Counter = Counter(k for f in parsed for k in f.meta)
    hugo_keys = {"weight", "bookHidden", "bookCollapseSection", "bookFlatSection", "draft", "linkTitle", "menu"}
    jekyll_keys = {"layout", "permalink", "nav_order", "parent", "has_children"}
    flavour = "kbgen"
    if s.hugo_name or hugo_keys & set(keys):
        flavour = "hugo"
    elif s.jekyll or jekyll_keys & set(keys):
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
        params: dict = s.hugo["params"] if isinstance(s.hugo.get("params"), dict) else {}
        used = {m for f in parsed for m in re.findall(r"\{\{[<%]\s*param\s+\"?(\w+)", f.body)}
        found = {k: str(v) for k, v in params.items() if k in used and isinstance(v, (str, int, float))}
        if found:
            opts["hugo_params"] = found
        shortcodes = set().union(*(unknown_shortcodes(f.body) for f in parsed)) if parsed else set()
        if shortcodes:
            plan.unmapped.append(f"Hugo shortcodes shown as written: {', '.join(sorted(shortcodes))}")
    if any("[[_TOC_]]" in f.body for f in parsed):
        plan.chosen.append("GitLab [[_TOC_]] read as a table of contents")


def _summaries(s: _Scan) -> None:
    """Summaries from each page's first paragraph, when most pages have none."""
    with_summary = sum(1 for f in s.parsed if f.meta.get("summary") or f.meta.get("description"))
    if s.parsed and with_summary < 0.5 * len(s.parsed):
        s.plan.options["summary_from_body"] = True
        s.plan.chosen.append("summaries from each page's first paragraph")


def _owners(s: _Scan) -> None:
    """Owners from CODEOWNERS and OWNERS files."""
    owners = []
    if any((s.root / p).is_file() for p in CODEOWNERS_PLACES):
        owners.append("CODEOWNERS")
    if any(posixpath.basename(r) == "OWNERS" and (r.startswith(s.prefix) or "/" not in r) for r in s.files):
        owners.append("OWNERS")
    if owners:
        s.plan.options["owners_from"] = owners
        s.plan.chosen.append(f"owners from {' and '.join(owners)}")


def _not_content(s: _Scan) -> None:
    """Files that are not content (YAML without a kbgen kind, CI files, the
    generator's own folders), and severities taken as given without an SLA."""
    plan, opts, prefix, root, files = s.plan, s.plan.options, s.prefix, s.root, s.files
    ignore = s.ignore
    ignore += s.other_languages
    yaml_files = [r for r in files if r.lower().endswith(YAML_EXT) and r.startswith(prefix)
                  and r not in (s.mkdocs, s.hugo_name, "kbgen.yml")]
    kb_yaml = 0
    has_sla = False
    for r in yaml_files:
        loaded = load(read_small(root / r, root) or "")
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
    if s.docs_dir == "." and s.jekyll:
        # Jekyll's own folders: layouts, includes, data, styles
        ignore += [f"{d}/" for d in ("_layouts", "_includes", "_sass", "_data", "_plugins") if (root / d).is_dir()]
    if s.docs_dir == ".":
        ignore += [f"{d}/" for d in SITE_DIRS if (root / d).is_dir()] + [f"{t}/" for t in sorted(s.trees)]
        # the repository's own files at the top (LICENSE, Makefile, go.mod): not pages, not assets
        ignore += [r for r in files if "/" not in r and not r.lower().endswith(MD_EXT + YAML_EXT + IMAGES)
                   and r not in OWNER_FILES]
        if s.hugo_name:
            ignore.append(s.hugo_name)
            ignore += [f"{d}/" for d in HUGO_DIRS if (root / d).is_dir()]
    if ignore:
        opts["ignore"] = _compact(ignore)
        plan.chosen.append(f"not content: {len(ignore)} files or folders (option ignore)")
    plan.counts["data files"] = kb_yaml
    # severities as the pages give them: with no SLA to declare them, a warning at most
    severities = sorted({str(f.meta["severity"]) for f in s.parsed if f.meta.get("severity") is not None})
    if severities and not has_sla:
        opts.setdefault("rules", {})["KB307"] = "warning"
        plan.chosen.append(f"severities taken as given ({', '.join(severities[:6])}): no SLA declares them, "
                           "so KB307 is a warning")
    if plan.counts["YAML files that do not parse"]:
        plan.unmapped.append(f"{plan.counts['YAML files that do not parse']} YAML files that do not parse: "
                             "kbgen validate shows where")


def _other_files(s: _Scan) -> None:
    """What is left: the articles, the files beside the pages, and those that
    would take a page's address."""
    plan, prefix, ignore = s.plan, s.prefix, s.ignore
    if not s.parsed:
        plan.unmapped.append(f"no Markdown pages under {s.docs_dir}/: nothing to publish yet")
    plan.counts["articles"] = len(s.parsed) - len(s.runbook_files) - len(s.catalogues)
    others = [r for r in s.files if r.startswith(prefix) and not r.lower().endswith(MD_EXT + YAML_EXT)
              and posixpath.basename(r) not in OWNER_FILES]
    # a file named like a page's URL (runbooks/X beside runbooks/X.md) would take the page's place
    page_stems = {posixpath.splitext(f.rel)[0] for f in s.parsed}
    clash = [r for r in others if r in page_stems]
    if clash:
        ignore += clash
        plan.options["ignore"] = _compact(ignore)
        plan.unmapped.append(f"{len(clash)} files named like a page's address (e.g. {clash[0]} beside "
                             f"{posixpath.basename(clash[0])}.md): not published (option ignore)")
    others = [r for r in others if r not in ignore]
    no_ext = [r for r in others if "." not in posixpath.basename(r)]
    plan.counts["images and other files"] = len(others)
    if no_ext:
        plan.unmapped.append(f"{len(no_ext)} files without an extension beside the pages (e.g. {no_ext[0]}): "
                             "published as plain files, not pages")


def _compact(paths: list[str]) -> list[str]:
    """Ignore whole folders when every YAML file of a folder is ignored."""
    return sorted(set(paths))


_PRIVATE_HOST = re.compile(r"(^|\.)(internal|intranet|corp|local|lan|localhost|home|private|test|example)(\.|$)|"
                           r"^(10|127|192\.168|172\.(1[6-9]|2\d|3[01]))\.", re.I)
_DEPLOY = re.compile(r"gh-deploy|gh-pages|deploy-pages|peaceiris/actions-gh-pages|netlify|pages deploy", re.I)


def _published(s: _Scan) -> None:
    """Whether the team publishes this site to everyone today: a public host's
    deploy configuration (netlify.toml, vercel.json, a CNAME for GitHub
    Pages, a workflow that deploys Pages, Read the Docs) and no private
    address. Then its pages are public already and default_audience is
    public, with the reason in the report; without that evidence every page
    stays internal until someone marks it (kbgen fails closed)."""
    root, files = s.root, set(s.files)
    evidence = [f for f in ("netlify.toml", "vercel.json", ".readthedocs.yaml", ".readthedocs.yml") if (root / f).is_file()]
    evidence += [f for f in ("CNAME", f"{s.docs_dir}/CNAME", "static/CNAME") if f in files]
    workflows = root / ".github" / "workflows"
    if workflows.is_dir() and inside(root, workflows) is not None:
        for wf in sorted(workflows.iterdir())[:50]:
            text = read_small(wf, root) if wf.suffix in (".yml", ".yaml") else None
            if text and _DEPLOY.search(text):
                evidence.append(f".github/workflows/{wf.name}")
    if s.plan.site_config.get("remote_branch") == "gh-pages":
        evidence.append("remote_branch: gh-pages")
    url = s.plan.site_config.get("site_url") or s.hugo.get("baseURL") or ""
    host = re.sub(r"^[a-z]+://", "", str(url)).split("/", 1)[0].split(":", 1)[0]
    if not evidence or (host and _PRIVATE_HOST.search(host)):
        s.plan.chosen.append("audience: every page internal until marked public (no public deployment found)")
        return
    s.plan.options["default_audience"] = "public"
    s.plan.chosen.append(f"audience: public, as the team publishes it today ({', '.join(evidence[:3])}"
                         + (f"; site {url}" if url else "") + "): default_audience: public "
                         "(write internal, or audience: internal on a page, to keep pages off the public site)")
