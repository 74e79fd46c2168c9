"""The site's pages as Markdown, for any renderer (no MkDocs here):

- render: every page of one audience's view (render_pages), the one entry point
- entity: the page of one entity (its kind's template, or the writer's Markdown)
- linker: what a page shows of others, and links rewritten to pages
- listings: pages that list entities (each kind's Listing, products, error codes)
- navigation: the navigation within its budget, index pages of big folders
- redirects: e/<code>/, runbook aliases and alert names
- chunks: long listings in content-defined parts
- page: Page, front matter, tidy()
- cache: pages kept between renders (kbgen serve)
"""
