"""The site, for any renderer (no MkDocs here: kbgen.mkdocs runs it):

- build: `kbgen build` and `kbgen stage`, validate -> view -> stage -> render -> post -> swap
- stage: one audience's site as a plain project (mkdocs.yml + docs/); settings: its
  mkdocs.yml; writer: how its files are written (whole, or only what changed)
- post: the steps on the built HTML (kb.json, the search box and its index, the CSP)
- searchbox: the site's search box and its index (kbgen.search.browser); csp: the Content-Security-Policy
- swap: the new site replaces the last good one whole, or not at all
- isolate: the steps that hold the knowledge base run in a child process
"""
