"""The rules registry: every problem code kbgen reports, with one meaning and
a default level. docs/rules.md is generated from it (scripts/gen_rules_doc.py),
and tests check that every code in the source is declared here.

A team sets levels in mkdocs.yml, under the kbgen plugin:

    rules: {KB601: off, KB210: error}          # everywhere
    rule_overrides:                            # by path (globs from the KB root)
      - {path: "runbooks/legacy/**", rules: {KB220: warning}}

and suppresses a code in one file or on one line with a comment
(kbgen.diagnostics.suppress). Levels and suppressions are applied once, after every
rule ran (diagnostics.Report.apply), so every rule honours them.

A few codes cannot be lowered: the file could not be read at all (or is a
link out of the KB), so nothing of it is checked or published; turning them
off would hide a failure, not a false positive. Safety codes (KB5xx) can be
lowered for a false positive: the sanitizer and the audience filter still
apply to every build, whatever the level.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..text.globs import compile_glob

LEVELS = ("error", "warning", "off")


@dataclass(frozen=True)
class Rule:
    code: str
    level: str          # default: "error" or "warning"
    summary: str        # one line: what the code means
    fixed: bool = False  # True: its level cannot be lowered or suppressed

    @property
    def family(self) -> str:
        return self.code[:3] + "xx"


FAMILIES = {
    "KB0xx": "configuration",
    "KB1xx": "loading and parsing",
    "KB2xx": "schema",
    "KB3xx": "identity, references and links",
    "KB4xx": "SLA logic",
    "KB5xx": "audience and safety",
    "KB6xx": "freshness",
}

_RULES = [
    # --- KB0xx configuration
    Rule("KB000", "error", "a problem in mkdocs.yml or the kbgen options (exit 2; every problem of the file "
                           "is listed with its file:line:column)", fixed=True),
    # --- KB1xx loading and parsing
    Rule("KB100", "error", "the file cannot be read", fixed=True),
    Rule("KB101", "error", "not valid UTF-8, or a NUL byte (binary file)", fixed=True),
    Rule("KB102", "error", "YAML syntax error (tabs, unclosed brackets, control characters, unknown alias) "
                           "at the parser's mark", fixed=True),
    Rule("KB103", "error", "duplicate key in a mapping (YAML would keep only the last, silently)"),
    Rule("KB104", "error", "the file (or front matter) is not a mapping, or holds several YAML documents", fixed=True),
    Rule("KB105", "error", "nesting deeper than 64 levels, or more than 200,000 values or 1 MiB of text "
                           "added by alias expansion (alias bombs)", fixed=True),
    Rule("KB106", "error", "empty YAML file"),
    Rule("KB107", "error", "missing or unknown `kind`, or a `kind` that is a list or mapping "
                           "(a YAML file is never silently copied into the site)"),
    Rule("KB108", "error", "front matter opened with `---` and never closed", fixed=True),
    Rule("KB109", "error", "file over the size limit (plugin option `max_file_size`, default 1 MiB); "
                           "Prometheus rule files too", fixed=True),
    Rule("KB110", "warning", "a file under runbooks/ that is neither YAML nor Markdown and that no page links to "
                             "(files beside runbooks are published when linked)"),
    Rule("KB111", "warning", "an unquoted value in a text field (id, code, alias, priority, tag, version) that "
                             "another YAML reader types differently: `01000` (octal 512 in YAML 1.1), `on`, "
                             "`1:30`, `0x1F`, `1e3`, `1.10`; kbgen reads the text as written, quote it"),
    Rule("KB112", "error", "front matter kbgen cannot read as it reads front matter: not on the first line "
                           "(blank lines, byte-order marks or invisible characters before it), TOML (`+++`) or "
                           "JSON (`{`); the page is not published", fixed=True),
    Rule("KB115", "error", "a symbolic link whose target is outside the knowledge base, or missing", fixed=True),
    Rule("KB116", "error", "a file from content that a browser runs or shows as a page (HTML, XHTML, XML, XSLT, "
                           "JavaScript, WebAssembly, server pages, a file starting with markup), or an SVG with "
                           "script, event handlers, foreignObject, HTML or references outside the file: "
                           "never published", fixed=True),
    Rule("KB117", "error", "a host control file from content (`_redirects`, `_headers`, `_worker.js`, "
                           "`_routes.json`, `netlify.toml`, `vercel.json`, `web.config`, `CNAME` ...): "
                           "never published", fixed=True),
    Rule("KB118", "error", "folders nested deeper than 32 levels under the content or runbooks folder; "
                           "nothing below is read", fixed=True),
    Rule("KB120", "warning", "a `kbgen-disable` comment naming a code that does not exist, or one that "
                             "cannot be suppressed"),
    # --- KB2xx schema
    Rule("KB201", "error", "missing required field, or an empty list that needs an entry"),
    Rule("KB202", "error", "unknown field in YAML (with \"did you mean\")"),
    Rule("KB203", "error", "wrong type (a string where a list is expected, ...)"),
    Rule("KB204", "error", "an id that is not a slug `[a-z0-9][a-z0-9-]*` (with a suggestion), "
                           "or an alert name Prometheus would not accept"),
    Rule("KB205", "error", "a date that is not `YYYY-MM-DD` or not a real date"),
    Rule("KB206", "error", "audience other than `public` or `internal`"),
    Rule("KB207", "error", "a duration kbgen cannot read (lists the accepted forms)"),
    Rule("KB208", "error", "any other invalid value (article `type`, ...)"),
    Rule("KB209", "error", "a product not declared in the plugin option `products`"),
    Rule("KB210", "warning", "unknown front matter key in Markdown (MkDocs/Material keys pass through)"),
    Rule("KB211", "error", "a YAML runbook with no diagnostics, resolution, or cause with resolution"),
    Rule("KB212", "warning", "placeholder text that `kbgen new` wrote is still in the file"),
    Rule("KB213", "error", "a front-matter key kbgen reads (`audience`, `draft`, a field) written in another case "
                           "(`Audience:`): never ignored, the page is not published", fixed=True),
    Rule("KB214", "warning", "`site_url` is still the placeholder `kbgen init` wrote (canonical links, the sitemap, "
                             "kb.json and llms.txt would point there)"),
    Rule("KB219", "error", "a value too long to become a file name or URL: ids and aliases over 100 "
                           "characters, error codes over 100, priority ids over 64, alert names over 200"),
    Rule("KB220", "error", "a runbook without a required section (option `runbook_sections`; YAML: its field, "
                           "Markdown: its heading)"),
    # --- KB3xx identity, references and links
    Rule("KB301", "error", "the same id in two files (reported at both)"),
    Rule("KB302", "error", "`related` id that does not exist"),
    Rule("KB303", "error", "a runbook's error code that is in no table"),
    Rule("KB304", "error", "an ambiguous reference: a code in several tables (write `TABLE:CODE`), "
                           "a tier id in several tiers files"),
    Rule("KB305", "error", "a runbook id (error code `runbook`, alert `runbook`) that does not exist"),
    Rule("KB306", "error", "an escalation tier (`escalation.to`, `escalates_to`) that does not exist"),
    Rule("KB307", "error", "a severity that is not a priority id of any SLA"),
    Rule("KB308", "error", "a Markdown link to a page or file that does not exist"),
    Rule("KB309", "error", "a link to an anchor that does not exist on its page "
                           "(generated pages included: `#qt-001`, `#causes`)"),
    Rule("KB310", "error", "a Prometheus rule file that is missing, outside the knowledge base, "
                           "or whose `runbook_url` does not reach a runbook"),
    Rule("KB311", "error", "the same code twice in one error-code table"),
    Rule("KB312", "error", "two sources making the same page, or a runbook alias that is an id or claimed twice"),
    Rule("KB313", "warning", "a reference by a runbook's former id (alias)"),
    # --- KB4xx SLA logic
    Rule("KB314", "warning", "the same alert name twice in one alerts file (each still gets its own anchor)"),
    Rule("KB320", "error", "an include (`--8<--` snippet) that cannot be resolved, reaches outside the "
                           "knowledge base, or makes the page expand past 200 includes or 1 MiB read"),
    Rule("KB401", "error", "response target later than resolution target"),
    Rule("KB402", "error", "a more urgent priority with a slower target than a less urgent one, "
                           "same channel and plan"),
    Rule("KB403", "error", "a target naming an undefined priority, channel or plan"),
    Rule("KB404", "error", "a priority, channel or plan defined twice, or two targets for the same cell"),
    # --- KB5xx audience and safety
    Rule("KB501", "error", "a public page links to internal content"),
    Rule("KB502", "error", "a public page relates to internal content"),
    Rule("KB503", "error", "a public page includes a file whose audience is internal"),
    Rule("KB504", "error", "public content uses a severity or error code that only internal files define"),
    Rule("KB510", "error", "a secret in content: private key block, AWS key, GitHub/Slack/Stripe/Google token, "
                           "bearer token, password in a URL (`${VAR}` placeholders are fine)"),
    Rule("KB511", "error", "raw `<script>` in content"),
    Rule("KB512", "error", "an HTML event-handler attribute (`onerror=`, `onclick=` ...)"),
    Rule("KB513", "error", "a link or source URL whose scheme is not http(s), mailto or tel (`javascript:`, "
                           "`vbscript:`, `data:`), in any link form, entity-encoded or not"),
    Rule("KB514", "warning", "TODO, FIXME or TBD left in public content"),
    Rule("KB515", "error", "a `[Placeholder]` in a template that is not declared in `placeholders`"),
    Rule("KB516", "warning", "a declared placeholder the template never uses"),
    Rule("KB517", "error", "an HTML tag the sanitizer removes (not on the allowlist)"),
    Rule("KB518", "error", "an HTML attribute or style the sanitizer removes"),
    Rule("KB519", "error", "Markdown that would stall the renderer (thousands of unclosed brackets or tags)",
         fixed=True),
    Rule("KB520", "error", "a Markdown extension of the site raises an error on this page (the renderer would "
                           "stop on it too): its message, at the page", fixed=True),
    # --- KB6xx freshness
    Rule("KB601", "warning", "review overdue: `last_reviewed` + `review_every` is before today "
                             "(the message gives the due date)"),
    Rule("KB602", "warning", "`last_reviewed` is in the future"),
]

RULES: dict[str, Rule] = {r.code: r for r in _RULES}
CODE_RE = re.compile(r"KB\d{3}")


def rule(code: str) -> Rule | None:
    return RULES.get(code)


def applies(key: str, code: str) -> bool:
    """A config key names a code (KB601) or a family (KB6xx)."""
    return key == code or (key.endswith("xx") and len(key) == 5 and code.startswith(key[:3]))


def known_key(key: str) -> bool:
    return key in RULES or (key.endswith("xx") and key in FAMILIES)


@dataclass
class RuleSettings:
    """Levels from the config: `rules` everywhere, then each `rule_overrides`
    entry whose path matches the file, the last one winning; within one
    mapping a code beats its family."""
    rules: dict
    overrides: list  # (glob, {code: level})

    def level(self, code: str, file: str) -> str | None:
        if RULES.get(code) is not None and RULES[code].fixed:
            return None
        found = _lookup(self.rules, code)
        for pattern, rules in self.overrides:
            if glob_match(pattern, file):
                found = _lookup(rules, code) or found
        return found

    def __bool__(self) -> bool:
        return bool(self.rules or self.overrides)


def _lookup(rules: dict, code: str) -> str | None:
    return rules.get(code) or rules.get(code[:3] + "xx")


def glob_match(pattern: str, path: str) -> bool:
    """A path (from the KB root, with '/') against a glob, with the same globs
    as every other path option (kbgen.text.globs: `*` within a folder,
    `**` across folders, a bare name anywhere); a folder (`runbooks/legacy`
    or `runbooks/legacy/`) also matches everything under it."""
    p = pattern.strip().removeprefix("./")
    return bool(compile_glob(p).match(path) or compile_glob(p.rstrip("/") + "/").match(path))
