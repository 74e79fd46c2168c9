"""kbgen.pages.cache.PageCache (kbgen serve): pages kept from the last render are
exactly what a fresh render makes, after every kind of edit, and only the
pages an edit reaches are rendered again."""
from __future__ import annotations

from kbfactory import write_kb
from kbgen.model.audience import for_audience
from kbgen.pages.cache import PageCache
from kbgen.pages.render import render_pages
from kbgen.validate import validate


def _render(kb_root, cache, audience="internal"):
    kb, report = validate(kb_root)
    assert not report.errors, [str(p) for p in report.sorted()]
    view = for_audience(kb, audience)
    kept = render_pages(view, cache=cache)
    fresh = render_pages(for_audience(validate(kb_root)[0], audience))
    assert {p: (x.markdown, x.title) for p, x in kept.items()} == {p: (x.markdown, x.title) for p, x in fresh.items()}
    return kept


def test_kept_pages_are_what_a_fresh_render_makes(tmp_path):
    root = write_kb(tmp_path / "kb")
    cache = PageCache()
    first = _render(root, cache)
    assert cache.rendered == len(first)

    _render(root, cache)  # nothing changed: nothing rendered
    assert cache.rendered == 0

    article = root / "content" / "index.md"
    article.write_text(article.read_text().replace("Start at", "Begin at"))
    pages = _render(root, cache)  # its text only: its page only
    assert cache.rendered == 1 and "Begin at" in pages["index.md"].markdown

    runbook = root / "runbooks" / "public-rb.yaml"
    text = runbook.read_text()
    runbook.write_text(text.replace("summary: ", "summary: Changed summary. ", 1))
    _render(root, cache)  # a summary: its page and the listings that print it
    assert 1 < cache.rendered < len(first)

    runbook.write_text(text.replace("title: ", "title: Renamed ", 1))
    pages = _render(root, cache)  # a title: its page, the pages that print it, the listings
    assert 1 < cache.rendered < len(first)
    assert "Renamed Gateway timeouts" in pages["reference/errors.md"].markdown  # its code's runbook column

    (root / "content" / "new.md").write_text("---\naudience: public\n---\n# A new page\n\nHello.\n")
    pages = _render(root, cache)
    assert "new.md" in pages

    _render(root, cache, audience="public")  # another audience: another signature
    assert cache.rendered > 1


def test_a_deleted_page_leaves_the_cache(tmp_path):
    root = write_kb(tmp_path / "kb")
    cache = PageCache()
    _render(root, cache)
    (root / "content" / "new.md").write_text("# A new page\n\nHello.\n")
    _render(root, cache)
    (root / "content" / "new.md").unlink()
    pages = _render(root, cache)
    assert "new.md" not in pages and "new.md" not in cache.entries


def test_a_page_renders_again_when_what_it_read_of_others_changes(tmp_path):
    # a page keeps what it read of other entities (kbgen.pages.linker.Linker.read): a
    # change elsewhere renders it again only when one of those answers changed
    root = write_kb(tmp_path / "kb")
    cache = PageCache()
    first = _render(root, cache)

    (root / "content" / "new.md").write_text("# A new page\n\nHello.\n")
    pages = _render(root, cache)  # a new page: itself and the listings, no other entity's page
    assert "new.md" in pages and cache.rendered == 1 + len(cache.listings)

    (root / "content" / "more-errors.yaml").write_text(
        "kind: error-codes\nid: more\ntitle: More errors\ncodes:\n"
        "  - {code: E-77, message: Disk full, runbook: internal-rb}\n")
    pages = _render(root, cache)  # a code whose entry names a runbook: that runbook's page lists it
    assert "E-77" in pages["runbooks/internal-rb.md"].markdown
    assert "E-77" not in first["runbooks/internal-rb.md"].markdown
    assert cache.rendered == 2 + len(cache.listings)  # the new table's page, the runbook's, the listings

    tiers = root / "content" / "tiers.yaml"
    tiers.write_text(tiers.read_text().replace("Specialists", "Second line"))
    pages = _render(root, cache)  # a tier's name: the runbook escalating to it prints the new one
    assert cache.rendered == 2  # the tiers' page and that runbook's (listings print no tier names)
    assert "Second line" in pages["runbooks/public-rb.md"].markdown

    sla = root / "content" / "sla.yaml"
    sla.write_text(sla.read_text().replace("name: High", "name: Urgent"))
    pages = _render(root, cache)  # a priority's name: the pages showing that severity
    assert "P2 — Urgent" in pages["runbooks/public-rb.md"].markdown

    rb = root / "runbooks" / "internal-rb.yaml"
    rb.write_text(rb.read_text().replace("title: Internal procedure", "title: Restart procedure"))
    pages = _render(root, cache)  # a title: the code's row naming that runbook prints the new one
    assert "Restart procedure" in pages["more-errors.md"].markdown
    assert 2 < cache.rendered < len(pages)
