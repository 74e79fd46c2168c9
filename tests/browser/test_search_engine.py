"""The search box's engine (assets/kbgen-search-engine.js) in headless
Chromium, against what it ports: FTS5's tokens (unicode61 with the porter
stemmer) on a large vocabulary, and kbgen search's ranking on an index big
enough for the paths a small KB never takes (common terms left out, posting
lists in files of their own)."""
from __future__ import annotations

import functools
import os
import random
import shutil
import sqlite3
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kbfactory import ROOT
from kbgen.search.engine import _TOKENIZE
from kbgen.site.searchbox import ASSET_DIR

pytestmark = pytest.mark.browser

ENGINE = ASSET_DIR / "kbgen-search-engine.js"
# English suffixes every rule of the Porter steps looks at, on stems that take them
SUFFIXES = ["", "s", "es", "ies", "sses", "ss", "ed", "eed", "ing", "ational", "tional", "enci", "anci", "izer", "bli",
            "alli", "entli", "eli", "ousli", "ization", "ation", "ator", "alism", "iveness", "fulness", "ousness",
            "aliti", "iviti", "biliti", "logi", "icate", "ative", "alize", "iciti", "ical", "ful", "ness", "al",
            "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "sion", "tion", "ou",
            "ism", "ate", "iti", "ous", "ive", "ize", "e", "ll", "y", "ly", "at", "bl", "iz", "ated", "bling", "izing"]
STEMS = ["hop", "tann", "fall", "hiss", "fizz", "fail", "fil", "agre", "feed", "bleed", "sing", "conflat", "troubl",
         "siz", "happ", "sky", "rel", "condit", "val", "differ", "radic", "formal", "sens", "hope", "electr",
         "gener", "adjust", "depend", "adopt", "ca", "ye", "connect", "control", "roll", "cea", "ii", "oed", "ued"]
UNICODE = ["café naïve façade Ünïcödé", "Straße GROSS ǅungla ǈ", "Ελληνικά ΆΈΉ σς", "русский Ёлка ЙЦУКЕН",
           "日本語のテキスト 中文", "emoji 🙂 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐐀𐐨", "a\u0301e\u0300 combining", "x\u0305y tab\tnew\nline",
           "ﬁle ﬂow Ⅻ ⅻ ① ²³", "İstanbul ıi", "ǆ Ǆ ǅ ǲ", "ßẞ", "Ωmega ohm Ω K", "ℌ ℍ ℎ", "µ μ ſ", "ǰ ǰ", "Ǡ ǡ Ǣ ǣ"]


def fts5_tokens(texts: list[str]) -> list[list[str]]:
    """What FTS5 makes of each text with agent search's tokenizer."""
    db = sqlite3.connect(":memory:")
    db.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, {_TOKENIZE})")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
    db.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", [(i + 1, t) for i, t in enumerate(texts)])
    out: list[list[tuple[int, str]]] = [[] for _ in texts]
    for term, doc, offset in db.execute("SELECT term, doc, offset FROM v"):
        out[doc - 1].append((offset, term))
    return [[t for _, t in sorted(toks)] for toks in out]


def vocabulary() -> list[str]:
    """Lines of Python's own library (a large English vocabulary with code in
    it), every Porter suffix on stems that take them, random letters, and
    other scripts and forms of letters."""
    lines = []
    for path in sorted(Path(os.__file__).parent.glob("*.py")):
        lines += [line for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    rng = random.Random(20)
    words = [stem + suffix for stem in STEMS for suffix in SUFFIXES]
    words += ["".join(rng.choice("aeiouybcdlmnrstwxyz") for _ in range(rng.randint(1, 14))) for _ in range(20000)]
    words += ["x" * 60 + "ing", "y" * 70 + "ational"]  # past FTS5's 64-byte stemming limit
    return lines + words + UNICODE


@pytest.fixture
def engine_page(page):
    page.set_content("<!doctype html><html><head><meta charset='utf-8'></head><body></body></html>")
    page.add_script_tag(path=str(ENGINE))
    return page


def test_tokens_are_fts5s(engine_page):
    texts = vocabulary()
    want = fts5_tokens(texts)
    got = engine_page.evaluate("(texts) => texts.map((t) => window.kbgenSearch.tokens(t))", texts)
    distinct = {t for toks in want for t in toks}
    print(f"\n{len(texts)} texts, {sum(map(len, want))} tokens, {len(distinct)} distinct")
    assert len(distinct) > 35000
    wrong = [(t, w, g) for t, w, g in zip(texts, want, got) if w != g]
    assert not wrong, wrong[:10]


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


RUN_QUERIES = """async (queries) => {
  const { Index, search } = window.kbgenSearch;
  const index = new Index(new URL("search/", location.href), false);
  await index.open();
  const out = [];
  for (const q of queries) {
    const r = await search(index, q, {}, 10);
    const ids = [];
    for (const h of r.results) ids.push([(await index.file("d/" + h.doc)).id, h.score]);
    out.push({ ids, suggestion: r.suggestion });
  }
  const fetched = [...index.files.keys()];
  return { out, fetched };
}"""


@pytest.fixture(scope="module")
def big_index(tmp_path_factory):
    """A generated KB of more than PRUNE_FROM documents, its CLI index, and
    its site search index served (no site build: the index alone)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from gen_kb import generate

    from kbgen.config import load_config
    from kbgen.model.audience import for_audience
    from kbgen.search.browser import write_index
    from kbgen.search.service import Searcher, ensure_index
    from kbgen.validate import validate_config
    tmp = tmp_path_factory.mktemp("big")
    root = generate(tmp / "kb", articles=1100, runbooks=500, seed=3)
    cfg = load_config(root, overrides={"search_dir": str(tmp / "cli")})
    kb, _ = validate_config(cfg)
    served = tmp / "served"
    write_index(for_audience(kb, "internal"), served)
    shutil.copyfile(ENGINE, served / "engine.js")
    (served / "index.html").write_text("<!doctype html><meta charset='utf-8'><script src='engine.js'></script>")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    searcher = Searcher(ensure_index(cfg, "internal")[0], kinds=cfg.kinds)
    yield served, f"http://127.0.0.1:{server.server_address[1]}/", searcher
    searcher.close()
    server.shutdown()
    server.server_close()


def big_queries() -> list[str]:
    from gen_kb import VOCAB, WORDS
    rng = random.Random(7)
    out = ["certificate", "gateway timeout", "the certificate is invalid", "how do i restore a backup", "gatway",
           "certificat", "GEN-00162", "gen 162", "timeout on login", "problem", "gateway certificate problem",
           "kbctl restart", "guide 17", "tail -n 100 /var/log/app", "P1 response"]
    for _ in range(50):
        words = [rng.choice(WORDS) if rng.random() < .5 else rng.choice(VOCAB) for _ in range(rng.randint(1, 4))]
        if rng.random() < .2:  # a typo
            w = list(words[0])
            del w[rng.randrange(len(w))]
            words[0] = "".join(w)
        out.append(" ".join(words))
    return out


def test_ranking_at_scale_is_kbgen_searchs(page, big_index):
    """Over 2,000 documents (ranking.PRUNE_FROM), common terms are left out of
    a table's query and long posting lists sit in files of their own: the box
    still answers each query as kbgen search does (ids, order, scores,
    corrections)."""
    from kbgen.search.ranking import COMMON, PRUNE_FROM
    served, url, searcher = big_index
    import json
    manifest = json.loads((served / "search" / "manifest.json").read_text())
    rows = manifest["tables"][0]["rows"]
    assert rows >= PRUNE_FROM and any((served / "search" / "p").iterdir())
    queries = big_queries()
    page.goto(url)
    got = page.evaluate(RUN_QUERIES, queries)
    for q, box in zip(queries, got["out"]):
        cli = searcher.query(q, limit=10)
        assert [i for i, _ in box["ids"]] == [h.id for h in cli.results], q
        for (_, mine), h in zip(box["ids"], cli.results):
            assert mine == pytest.approx(h.score, rel=1e-9), q
        assert box["suggestion"] == cli.suggestion, q
    # a frequent word's postings in one table are more than a third of its documents: only counted, never fetched
    shard = json.loads((served / "search" / "s" / f"{_shard('certif', manifest)}.json").read_text())
    body = next(e for e in shard["certif"] if e[0] == 2)
    assert body[1] > rows * COMMON and f"p/{body[2]}" not in got["fetched"]


def _shard(key: str, manifest: dict) -> int:
    from kbgen.search.browser import fnv1a
    return fnv1a(key) % manifest["shards"]
