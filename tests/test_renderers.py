"""The example built by each renderer from the same staged project: the same
pages and redirects, the same kb.json, and nothing internal in any of them."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from kbfactory import ROOT, run_kbgen, site_texts, write_kb

RENDERERS = ("mkdocs", "properdocs", "zensical")
# what a renderer adds of its own (search index formats, Material's assets) and what is made from its HTML
OWN = ("assets/", "search/", "search.json", "sitemap.xml", "sitemap.xml.gz", "404.html", "tags.json", "objects.inv")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for renderer in RENDERERS:
        site = tmp_path_factory.mktemp(renderer) / "site"
        run_kbgen("build", ROOT, "--audience", "public", "--site-dir", site, "--renderer", renderer,
                  "--strict", "-q", check=True)
        out[renderer] = site
    return out


def _files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*")
            if p.is_file() and not p.relative_to(site).as_posix().startswith(OWN)}


def _without_csp(path) -> str:
    import re
    return re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", path.read_text(encoding="utf-8"))


def test_same_pages_and_redirects(sites):
    files = {r: _files(s) for r, s in sites.items()}
    pages = {r: {f for f in fs if f.endswith(".html")} for r, fs in files.items()}
    assert len(pages["mkdocs"]) > 100
    for r in RENDERERS[1:]:
        assert pages[r] == pages["mkdocs"], (r, sorted(pages[r] ^ pages["mkdocs"])[:10])
        assert files[r] == files["mkdocs"], (r, sorted(files[r] ^ files["mkdocs"])[:10])
    redirects = {f for f in pages["mkdocs"] if f.startswith("e/")}
    assert "e/qt-001/index.html" in redirects and len(redirects) > 20
    for r, site in sites.items():
        for f in redirects:
            # the CSP lists the hashes of the site's inline scripts: one policy per site, so per renderer
            assert _without_csp(site / f) == _without_csp(sites["mkdocs"] / f), (r, f)


def test_kb_json_is_byte_identical(sites):
    data = {r: (s / "kb.json").read_bytes() for r, s in sites.items()}
    assert len(set(data.values())) == 1
    assert b'"audience": "public"' in data["mkdocs"]
    assert all((s / ".kbgen-site").is_file() for s in sites.values())


def test_mermaid_only_on_pages_with_a_diagram(sites):
    for r, site in sites.items():
        tiers = (site / "support" / "anya-support-tiers" / "index.html").read_text()
        home = (site / "index.html").read_text()
        assert 'class="mermaid"' in tiers, r
        assert "mermaid-loader.js" in tiers and "mermaid-loader.js" in home, r
        assert "mermaid.min.js" not in home, r  # the loader fetches it only where a diagram is
        assert (site / "assets" / "kbgen" / "mermaid.min.js").is_file(), r


@pytest.mark.parametrize("renderer", RENDERERS)
def test_public_build_leaks_nothing(tmp_path, renderer):
    m = {k: f"LEAK{k.upper()}{uuid.uuid4().hex[:10]}" for k in ("title", "body", "code", "file", "image", "nav")}
    files = {
        "runbooks/secret-rb.yaml": f"kind: runbook\nid: secret-rb\ntitle: {m['title']}\naudience: internal\n"
                                   f"resolution: [{m['body']}]\n",
        "content/secret-codes.yaml": f"kind: error-codes\nid: secret-codes\naudience: internal\ncodes:\n"
                                     f"  - {{code: {m['code']}, message: internal only}}\n",
        f"content/{m['file'].lower()}.md": f"---\naudience: internal\n---\n# Secret\n\n{m['body']}\n\n"
                                           f"![x](img/{m['image'].lower()}.png)\n",
    }
    root = write_kb(tmp_path / "kb", files)
    (root / "content" / "img").mkdir()
    (root / "content" / "img" / f"{m['image'].lower()}.png").write_bytes(b"\x89PNG" + m["image"].encode())
    site = tmp_path / "site"
    run_kbgen("build", root, "--audience", "public", "--site-dir", site, "--renderer", renderer, "-q", check=True)
    internal = tmp_path / "internal"
    run_kbgen("build", root, "--audience", "internal", "--site-dir", internal, "--renderer", renderer, "-q",
              check=True)
    pub, intl = site_texts(site, names=True), site_texts(internal, names=True)
    for name, marker in m.items():
        if name == "nav":
            continue
        leaked = [f for f, text in pub.items() if marker.lower() in text.lower()]
        assert not leaked, f"{renderer}: {name} leaked into {leaked[:5]}"
        assert any(marker.lower() in text.lower() for text in intl.values()), f"{renderer}: {name} not built"
