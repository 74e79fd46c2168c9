"""The renderer adapter: the only package of kbgen that imports MkDocs (a
test asserts it). kbgen.site stages a plain project and post-processes the
HTML for any renderer; this package runs one on it:

- build: the render step of `kbgen build` (MkDocs in this process, or
  ProperDocs and Zensical as their own commands)
- plugin: the `kbgen` MkDocs plugin, for `mkdocs build` and `mkdocs serve` run by hand
- serve: `kbgen serve`, the live preview on MkDocs' LiveReloadServer
- incremental: the preview's renderer (MkDocs kept alive between rebuilds);
  navdiff: which pages a navigation change reaches; refresh: kb.json and the
  search index made again in the background
"""
