"""kbgen.pages.PageCache (kbgen serve): pages kept from the last render are
exactly what a fresh render makes, after every kind of edit, and only the
pages an edit reaches are rendered again."""
from __future__ import annotations

from kbfactory import write_kb
from kbgen.audience import for_audience
from kbgen.pages import PageCache, render_pages
from kbgen.validate import validate


def _render(kb_root, cache, audience="internal"):
    kb, report = validate(kb_root)
    assert not report.errors, [str(p) for p in report.errors]
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
