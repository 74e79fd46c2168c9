#!/usr/bin/env python3
"""Write docs/rules.md, the rules reference, from the rules registry
(src/kbgen/diagnostics/codes.py): one table per family, each code with its default
level and meaning. The prose around the tables is kept here. A test
(tests/test_rule_levels.py) checks that docs/rules.md is what this writes.

    .venv/bin/python scripts/gen_rules_doc.py          # rewrite docs/rules.md
    .venv/bin/python scripts/gen_rules_doc.py --check  # exit 1 if it is out of date
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "rules.md"
sys.path.insert(0, str(ROOT / "src"))

from kbgen.diagnostics.codes import FAMILIES, RULES  # noqa: E402

INTRO = """\
# Validation rules

<!-- Generated from src/kbgen/diagnostics/codes.py by scripts/gen_rules_doc.py: edit those, not this file. -->

`kbgen validate` reports every problem as `file:line:column: severity CODE message`,
with a hint on the next line where one helps. Codes are stable; families as in ruff.
Each code has one meaning and a default level, declared once in the rules
registry (`src/kbgen/diagnostics/codes.py`). Exit status: 0 no errors (warnings allowed
unless `--strict`), 1 problems, 2 usage or configuration error. Each rule has a
failing and a passing example in `tests/test_rules.py`.
"""

NOTES = {
    "KB1xx": """\
YAML scalars are typed by the schema, not by YAML 1.1: in a text field (ids,
codes, aliases, priorities, tags, versions, durations) `code: 01000` is the
text `01000`, never the octal number 512. KB111 says where another tool
reading the same file would read something else, so the value can be quoted.
""",
    "KB5xx": """\
A public error code may name an internal runbook: that is data for agents, and public builds leave the link out.
""",
    "KB6xx": """\
"Today" is the real date unless `--today YYYY-MM-DD`, the plugin option `today`,
or the environment variable `KBGEN_TODAY` says otherwise (for tests and CI).
Overdue reviews (KB601) never fail `--strict` alone; `--fail-on-overdue` makes them fail.
""",
}

LEVELS = """\
## Levels and suppressions

A false positive never forces a content edit: set the level of a code in
mkdocs.yml, for the whole KB or for the files under a path.

```yaml
plugins:
  - kbgen:
      rules:
        KB601: off          # off, warning or error
        KB210: error
        KB6xx: warning      # a whole family; a code beats its family
        "runbooks/legacy/**": {KB220: warning}   # a glob key: levels for the files it matches
      rule_overrides:       # the same, as a list; globs from the KB root; later entries win
        - path: runbooks/legacy/**
          rules: {KB220: warning, KB514: off}
        - path: content/imported      # a folder: everything under it
          rules: {KB308: off}
```

Or, where a writer prefers to say it beside the text, a comment:

| where | comment | silences |
|---|---|---|
| Markdown | `<!-- kbgen-disable KB510 -->` | the code in the whole file |
| Markdown | `<!-- kbgen-disable-next-line KB510 -->` | the code on the next line |
| Markdown | `<!-- kbgen-disable-line KB514 -->` | the code on this line |
| YAML, front matter | `# kbgen-disable KB111` | the code in the whole file |
| YAML, front matter | `# kbgen-disable-next-line KB303` | the code on the next line |
| YAML, front matter | `code: 01000  # kbgen-disable-line KB111` | the code on this line |

Several codes may be listed (`KB510, KB514`); a comment with no code silences
every code. A comment naming an unknown code is reported (KB120).

Levels and comments are applied once, after every rule ran, so every rule
honours them. Codes marked **fixed** below cannot be lowered or silenced: the
file could not be read (or is a link out of the knowledge base), so nothing of
it is checked or published, and hiding that would hide a failure, not a false
positive. Lowering a safety code (KB5xx) does not switch off the HTML sanitizer
or the audience filter: they apply to every build.
"""


def render() -> str:
    parts = [INTRO]
    for family, title in FAMILIES.items():
        rules = [r for r in RULES.values() if r.family == family]
        parts.append(f"\n## {family} — {title}\n\n| code | level | what |\n|---|---|---|\n")
        for r in sorted(rules, key=lambda r: r.code):
            level = r.level + (" (fixed)" if r.fixed else "")
            parts.append(f"| {r.code} | {level} | {r.summary} |\n")
        if family in NOTES:
            parts.append("\n" + NOTES[family])
    parts.append("\n" + LEVELS)
    return "".join(parts)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/rules.md is out of date")
    args = ap.parse_args()
    text = render()
    if args.check:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"{OUT.relative_to(ROOT)} is out of date: run scripts/gen_rules_doc.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
