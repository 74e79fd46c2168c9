"""Conventions of repositories kbgen adopts in place (docs/adopting.md):
each is a plugin option that `kbgen adopt` writes, never a content edit.

- globs: paths from the KB root (runbook_paths, ignore, defaults, catalogues)
- markup: Hugo shortcodes and GitLab's [[_TOC_]] read as plain Markdown
- owners: CODEOWNERS and OWNERS files
- catalogue: one Markdown file listing many alerts
"""
from .globs import matches

__all__ = ["matches"]
