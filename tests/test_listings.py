"""Long listings in parts (kbgen.pages.chunks.chunked): every entry once, in order,
in parts of bounded size, and one entry added or removed changes one part,
not every part after it (kbgen serve renders the pages that changed)."""
from __future__ import annotations

import posixpath
import random
import statistics

from kbfactory import write_kb
from kbgen.model.audience import for_audience
from kbgen.pages.chunks import CHUNK_MIN, INDEX_CHUNK, chunked
from kbgen.pages.render import render_pages
from kbgen.text.anchors import relative
from kbgen.validate import validate


def _keys(n: int, seed: int) -> list[str]:
    rnd = random.Random(seed)
    return sorted(f"page-{rnd.random():.12f}" for _ in range(n))


def test_parts_hold_every_entry_once_in_order_and_stay_bounded():
    keys = _keys(3000, 1)
    parts = chunked(keys, key=lambda k: k)
    assert [k for p in parts for k in p] == keys
    assert all(len(p) <= INDEX_CHUNK for p in parts)
    assert all(len(p) >= CHUNK_MIN for p in parts[:-1])
    assert 3000 / INDEX_CHUNK < len(parts) < 3000 / CHUNK_MIN
    assert chunked(keys[:INDEX_CHUNK], key=lambda k: k) == [keys[:INDEX_CHUNK]]  # short: one part


def test_one_entry_added_or_removed_changes_about_one_part():
    keys = _keys(3000, 2)
    before = {tuple(p) for p in chunked(keys, key=lambda k: k)}
    rnd = random.Random(3)
    changed = []
    for _ in range(200):
        added = sorted(keys + [f"page-{rnd.random():.12f}"])
        gone = rnd.choice(keys)
        removed = [k for k in keys if k != gone]
        for after in (added, removed):
            changed.append(sum(1 for p in chunked(after, key=lambda k: k) if tuple(p) not in before))
    # parts cut every INDEX_CHUNK entries would change every part after the edit (about half of 20);
    # here one part, now and then a few where a part's new start moves its neighbour's end
    share_one = sum(c <= 1 for c in changed) / len(changed)
    assert share_one >= 0.9 and statistics.mean(changed) < 1.3 and max(changed) <= 8, \
        (share_one, statistics.mean(changed), max(changed))


def test_relative_is_posixpath_relpath_for_docs_paths():
    rnd = random.Random(4)
    names = ["a", "b", "c", "x.md", "index.md", "", ".", ".."]
    for _ in range(5000):
        target = "/".join(rnd.choice(names[:5]) for _ in range(rnd.randint(1, 4)))
        folder = "/".join(rnd.choice(names) for _ in range(rnd.randint(0, 3)))
        if folder.startswith(".."):
            continue  # outside the docs folder: relpath answers from the working folder
        assert relative(target, folder) == posixpath.relpath(target, folder or "."), (target, folder)


def test_a_page_added_to_a_long_listing_changes_one_part_of_it(tmp_path):
    files = {f"runbooks/rb-{i:03d}.yaml": f"kind: runbook\nid: rb-{i:03d}\ntitle: Runbook {i:03d}\n"
                                          f"audience: public\nresolution: [Step {i}]\n" for i in range(400)}
    root = write_kb(tmp_path / "kb", files)

    def pages():
        kb, report = validate(root)
        assert not report.errors, [str(p) for p in report.sorted()]
        return {p: page.markdown for p, page in render_pages(for_audience(kb, "internal")).items()}

    before = pages()
    parts = [p for p in before if p.startswith("browse/parts/runbooks-")]
    assert len(parts) >= 3
    (root / "runbooks" / "rb-150b.yaml").write_text("kind: runbook\nid: rb-150b\ntitle: Runbook 150b\n"
                                                   "audience: public\nresolution: [A new step]\n")
    after = pages()
    changed = sorted(p for p in after if before.get(p) != after[p])
    listings = [p for p in changed if p != "runbooks/rb-150b.md"]
    # the runbooks listing and one of its parts
    assert len(listings) <= 3, changed
    assert sum(p.startswith("browse/parts/runbooks-") for p in listings) == 1, changed
