"""Conventions of repositories kbgen adopts in place (docs/adopting.md):
each is a plugin option that `kbgen adopt` writes, never a content edit.

- markup: Hugo shortcodes and GitLab's [[_TOC_]] read as plain Markdown
- owners: CODEOWNERS and OWNERS files
- catalogue: one Markdown file listing many alerts
- summary: a page's first paragraph as its summary

The globs these options are written in are kbgen.text.globs.
"""
