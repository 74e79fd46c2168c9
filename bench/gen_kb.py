"""Generate a synthetic knowledge base of any size, for benchmarks and tests.

    python bench/gen_kb.py OUT_DIR --articles 1000 --runbooks 1000

`generate(root, articles, runbooks, seed=0, shape="sections")` writes
mkdocs.yml, articles, YAML runbooks, error-code tables (one code per runbook),
an SLA and a tiers file. Half the runbooks are internal. Output is
deterministic. The shape is where the files sit (SHAPES):

- sections (the default): articles in 20 sections, runbooks in one folder;
- flat: every article in content/, every runbook in runbooks/;
- folders: articles and runbooks in 20 folders each (content/folder-07/,
  runbooks/folder-07/), as a real KB grows;
- deep: a tree 3 levels deep with 4 branches per level (64 leaf folders),
  pages at every level.
"""
from __future__ import annotations

import argparse
import posixpath
import random
import textwrap
from pathlib import Path

WORDS = ("gateway timeout certificate firewall latency memory disk cache queue token replica backup "
         "restore network packet handshake quota webhook schedule index cluster node deploy rollback "
         "throughput session login password wallet invoice ledger sync agent probe metric alert").split()
SECTIONS = [f"section-{i:02d}" for i in range(20)]
FOLDERS = [f"folder-{i:02d}" for i in range(20)]
SHAPES = ("sections", "flat", "folders", "deep")
# every folder of the deep tree, at every level (4 + 16 + 64), pages at each
DEEP = [posixpath.join(*(f"{name}-{(i // 4 ** (d - 1 - k)) % 4}" for k, name in enumerate(("area", "topic", "group")[:d])))
        for d in (1, 2, 3) for i in range(4 ** d)]
# Real text follows Zipf's law: a few words everywhere, most words rare. A
# vocabulary of 4,000 pseudo-words ranked that way keeps term statistics (and
# so search cost) realistic; the support words above lead the ranking.
_SYL = ["ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "pe", "sa", "do", "fu", "gi", "ha", "jo", "be"]
VOCAB = WORDS + [a + b + c for a in _SYL for b in _SYL for c in _SYL][:4000]
WEIGHTS = [1.0 / (rank + 1) for rank in range(len(VOCAB))]

MKDOCS = """\
site_name: Generated KB
site_url: https://kb.example.test/
docs_dir: content
theme:
  name: material
  features: [content.code.copy]  # kbgen turns navigation.prune on for big navs
plugins:
  - search
  - kbgen:
      default_audience: public
      today: 2026-06-01
      products:
        - {id: alpha, name: Alpha}
        - {id: beta, name: Beta}
"""


def _sentence(rng: random.Random, n: int = 12) -> str:
    return " ".join(rng.choices(VOCAB, WEIGHTS, k=n)).capitalize() + "."


def _folder(i: int, shape: str, sections: bool = True) -> str:
    """The folder of the i-th article (sections=True) or runbook, by shape."""
    if shape == "sections":
        return SECTIONS[i % len(SECTIONS)] if sections else ""
    if shape == "folders":
        return FOLDERS[i % len(FOLDERS)]
    if shape == "deep":
        return DEEP[i % len(DEEP)]
    return ""


def generate(root: Path, articles: int = 1000, runbooks: int = 1000, seed: int = 0, shape: str = "sections") -> Path:
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r}: one of {', '.join(SHAPES)}")
    rng = random.Random(seed)
    root = Path(root)
    (root / "content" / "reference").mkdir(parents=True, exist_ok=True)
    (root / "runbooks").mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(MKDOCS, encoding="utf-8")
    (root / "content" / "index.md").write_text("# Generated KB\n\nA synthetic knowledge base.\n", encoding="utf-8")
    (root / "content" / "sla.yaml").write_text(textwrap.dedent("""\
        kind: sla
        id: sla
        title: Service levels
        priorities:
          - {id: P1, name: Critical}
          - {id: P2, name: High}
          - {id: P3, name: Medium}
        channels: [{id: phone, name: Phone}, {id: email, name: Email}]
        targets:
          - {priority: P1, response: 15m, resolution: 4h}
          - {priority: P2, response: 1h, resolution: 8h}
          - {priority: P3, response: 4h, resolution: 2d}
        """), encoding="utf-8")
    (root / "content" / "tiers.yaml").write_text(textwrap.dedent("""\
        kind: tiers
        id: tiers
        title: Support tiers
        audience: internal
        tiers:
          - {id: tier1, name: Frontline, escalates_to: tier2, handoff: 15m}
          - {id: tier2, name: Specialists, escalates_to: tier3, handoff: 30m}
          - {id: tier3, name: Engineering}
        """), encoding="utf-8")
    tables: dict[int, list[str]] = {}
    for i in range(runbooks):
        audience = "internal" if i % 2 else "public"
        code = f"GEN-{i:05d}"
        tables.setdefault(i // 250, []).append(
            f"  - code: {code}\n    message: {_sentence(rng, 5)}\n    severity: P{1 + i % 3}\n"
            + (f"    runbook: rb-{i:05d}\n" if audience == "public" else ""))
        related = f"related: [rb-{(i + 2) % runbooks:05d}]\n" if runbooks > 2 else ""
        rb_dir = root / "runbooks" / _folder(i, shape, sections=False)
        rb_dir.mkdir(parents=True, exist_ok=True)
        (rb_dir / f"rb-{i:05d}.yaml").write_text(
            f"kind: runbook\nid: rb-{i:05d}\ntitle: {rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} problem {i}\n"
            f"summary: {_sentence(rng, 10)}\naudience: {audience}\nproducts: [{'alpha' if i % 3 else 'beta'}]\n"
            f"severity: P{1 + i % 3}\nerror_codes: [{code}]\nowner: team-{i % 7}\nlast_reviewed: 2026-03-01\n"
            f"tags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]\n"
            f"symptoms:\n  - {_sentence(rng)}\n  - {_sentence(rng)}\n"
            f"diagnostics:\n  - title: Check the {rng.choice(WORDS)}\n    run: kbctl check {rng.choice(WORDS)} --id {i}\n"
            f"    expect: OK in under 100 ms\n  - title: Read the logs\n    run: tail -n 100 /var/log/app/{rng.choice(WORDS)}.log\n"
            f"causes:\n  - id: cause-a\n    title: {_sentence(rng, 4)}\n    resolution:\n      - run: kbctl restart {rng.choice(WORDS)}\n"
            f"        title: Restart it\n  - id: cause-b\n    title: {_sentence(rng, 4)}\n    resolution: [{_sentence(rng, 6)}]\n"
            f"escalation: {{to: tier{1 + i % 3}, after: 30m, when: [{_sentence(rng, 5)}]}}\n"
            f"verification: [{_sentence(rng, 6)}]\n" + (related if audience == "internal" else ""),
            encoding="utf-8")
    for t, codes in tables.items():
        (root / "content" / "reference" / f"codes-{t}.yaml").write_text(
            f"kind: error-codes\nid: codes-{t}\ntitle: Error codes {t}\ncodes:\n" + "".join(codes), encoding="utf-8")
    for i in range(articles):
        section = _folder(i, shape)
        d = root / "content" / section
        d.mkdir(parents=True, exist_ok=True)
        nxt = (i + len(SECTIONS)) % articles
        rb = (2 * i) % max(runbooks, 1)
        # links as a writer types them: relative to this article's folder
        next_link = posixpath.relpath(posixpath.join(_folder(nxt, shape), f"article-{nxt:05d}.md"), section or ".")
        rb_link = posixpath.relpath(posixpath.join("runbooks", _folder(rb, shape, sections=False), f"rb-{rb:05d}.yaml"),
                                    posixpath.join("content", section))
        body = "\n\n".join(_sentence(rng, 25) for _ in range(4))
        (d / f"article-{i:05d}.md").write_text(
            f"---\ntitle: {rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} guide {i}\nsummary: {_sentence(rng, 8)}\n"
            f"products: [{'alpha' if i % 2 else 'beta'}]\ntags: [{rng.choice(WORDS)}]\nlast_reviewed: 2026-02-01\n---\n"
            f"# Guide {i}\n\n{body}\n\n## Steps\n\n1. {_sentence(rng, 6)}\n2. {_sentence(rng, 6)}\n\n"
            f"```bash\nkbctl status --verbose\n```\n\nSee [the next guide]({next_link}) "
            f"and the [runbook]({rb_link}#diagnostics).\n",
            encoding="utf-8")
    return root


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--runbooks", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--shape", choices=SHAPES, default="sections")
    args = ap.parse_args()
    generate(args.out, args.articles, args.runbooks, args.seed, shape=args.shape)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
