"""Kept for kinds added from outside kbgen: `from kbgen.source import slugify`
is the path installed kind packages use (docs/content-model-extensions.md
before 0.2). The names now live where they belong: file reading in
kbgen.read.files, Markdown in kbgen.markdown, ids in kbgen.text.anchors;
new kinds import slugify from kbgen.kinds."""
from .markdown import Heading, Link, Reading, first_h1, scan_markdown
from .read.files import FrontMatter, read_text, split_front_matter
from .text.anchors import slugify

MarkdownInfo = Reading

__all__ = ["FrontMatter", "Heading", "Link", "MarkdownInfo", "Reading", "first_h1", "read_text", "scan_markdown",
           "slugify", "split_front_matter"]
