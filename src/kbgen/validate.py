"""Load, model and check a knowledge base: the one entry point every command uses."""
from __future__ import annotations

from pathlib import Path

from .config import Config, load_config
from .diagnostics import baseline
from .diagnostics.problems import Report
from .diagnostics.suppress import Texts
from .load.build import build_model
from .load.cache import SourceCache
from .load.sources import load_sources
from .markdown import flush_cache
from .model.entities import KnowledgeBase
from .rules import run_all


def validate_config(cfg: Config, kept: SourceCache | None = None,
                    known: bool = True) -> tuple[KnowledgeBase, Report]:
    """kept: loaded files kept between runs of a long-running command (kbgen
    serve): only the files changed since are read again. known: the
    problems the baseline records are report.known, not failures
    (kbgen.diagnostics.baseline)."""
    report = Report()
    sources = kept.load(report) if kept is not None else load_sources(cfg, report)
    kb = build_model(cfg, sources, report)
    run_all(kb, report)
    if known:
        baseline.apply(cfg.root, report, Texts(kb))
    flush_cache(cfg)  # this run's Markdown readings, for the next run
    return kb, report


def validate(root: Path | str, overrides: dict | None = None) -> tuple[KnowledgeBase, Report]:
    return validate_config(load_config(Path(root), overrides=overrides))
