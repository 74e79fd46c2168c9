"""Pages show exactly what the data says: every step its own list
item in order, each command byte-exact in its code block, inline code as
<code>, every table cell, every link resolved — on the example KB and on
generated runbooks."""
from __future__ import annotations

import posixpath
from pathlib import Path

import yaml
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kbfactory import ROOT, run_kbgen, write_kb
from kbgen.text.anchors import code_anchor

SECTIONS = ("diagnostics", "resolution", "verification")


def soup(site: Path, url: str) -> BeautifulSoup:
    return BeautifulSoup((site / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def _steps_of(article, anchor: str):
    """The <ol> right after the section heading #anchor: its direct items."""
    heading = article.find(id=anchor)
    assert heading is not None, f"no section #{anchor}"
    ol = heading.find_next("ol")
    return ol.find_all("li", recursive=False)


def _titles(step):
    strong = step.find("strong")
    return strong.get_text() if strong else step.get_text().strip()


def _check_steps(article, anchor, steps):
    items = _steps_of(article, anchor)
    assert len(items) == len(steps), f"#{anchor}: {len(items)} items for {len(steps)} steps"
    for li, step in zip(items, steps):
        if isinstance(step, str):
            step = {"title": step}
        title = " ".join(str(step["title"]).split())
        shown = " ".join(_titles(li).split())
        if "`" in title:
            # code spans show as <code> (delimiters gone, edge spaces trimmed); a lone backtick as itself
            squash = lambda t: "".join(t.replace("`", "").split())  # noqa: E731
            assert squash(shown) == squash(title), f"#{anchor}: step shows {shown!r}, data says {title!r}"
        else:
            assert shown == title, f"#{anchor}: step shows {shown!r}, data says {title!r}"
        if step.get("run"):
            code = li.find("code")
            assert code is not None, f"#{anchor}: {title!r} has no code block"
            assert code.get_text().rstrip("\n") == str(step["run"]).rstrip("\n"), f"#{anchor}: command differs"


def _yaml_runbooks(root: Path):
    for path in sorted((root / "runbooks").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("kind") == "runbook":
            yield data


def test_example_runbooks_show_every_step_as_its_own_item(example_internal):
    checked = 0
    for rb in _yaml_runbooks(ROOT):
        article = soup(example_internal, f"runbooks/{rb['id']}").find("article")
        for section in SECTIONS:
            if rb.get(section):
                _check_steps(article, section, rb[section])
                checked += 1
        for cause in rb.get("causes") or []:
            if cause.get("resolution"):
                heading = article.find(id=cause["id"])
                assert heading is not None
                items = heading.find_next("ol").find_all("li", recursive=False)
                assert len(items) == len(cause["resolution"]), f"{rb['id']}#{cause['id']}"
                checked += 1
    assert checked > 60  # the example has that many step lists


def test_example_error_tables_show_every_cell(example_public):
    for path in sorted((ROOT / "content").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not (isinstance(data, dict) and data.get("kind") == "error-codes") or data.get("audience") != "public":
            continue
        url = posixpath.splitext(path.relative_to(ROOT / "content").as_posix())[0]
        page = soup(example_public, url)
        for code in data["codes"]:
            anchor = _code_anchor(str(code["code"]))
            entry = page.find(id=anchor)
            assert entry is not None, f"{url}#{anchor}"
            assert str(code["code"]) in entry.get_text()
        # the summary table: one row per code, in order
        table = next(t for t in page.find("article").find_all("table")
                     if t.find("th") and t.find("th").get_text(strip=True) == "Code")
        rows = [tr for tr in table.find("tbody").find_all("tr")]
        assert [r.find("td").get_text(strip=True) for r in rows][:len(data["codes"])] == \
            [str(c["code"]) for c in data["codes"]]


def test_a_code_with_only_a_message_is_its_row(tmp_path):
    """A table of many bare codes must not say each twice (issue 12: a
    250-code table was a 250 KB page): a code with nothing beyond message,
    severity and runbook is its summary row, which carries its anchor; a code
    with more gets its own section, which its row links to."""
    kb = write_kb(tmp_path / "kb", {"content/reference/errors.yaml": """\
        kind: error-codes
        id: errors
        title: Errors
        audience: public
        last_reviewed: 2026-05-01
        codes:
          - code: QT-001
            message: Gateway timeout
            severity: P2
            description: The upstream did not answer in **30 s**.
          - code: QT_002
            message: Quota exceeded
            runbook: public-rb
        """})
    site = tmp_path / "site"
    run_kbgen("build", kb, "--site-dir", site, "-q", check=True)
    page = soup(site, "reference/errors")
    article = page.find("article")
    assert [h.get("id") for h in article.find_all("h2")] == ["qt-001"]
    table = next(t for t in article.find_all("table") if t.find("th").get_text(strip=True) == "Code")
    rows = table.find("tbody").find_all("tr")
    first, second = (r.find("td") for r in rows)
    assert first.find("a")["href"] == "#qt-001" and first.find(id=True) is None
    # a heading with the code's anchor (what browser search links to), not in the page's contents
    assert [(h.name, h["id"], h.get_text()) for h in second.find_all(id=True)] == [("h3", "qt-002", "QT_002")]
    assert second.find("h3").find("a")["href"] == "#qt-002"  # a link to itself, as the other rows link
    assert rows[1].find_all("td")[3].find("a")["href"] == "../../runbooks/public-rb/"
    # the page's table of contents lists the sections only
    toc = {a["href"] for a in page.select("nav.md-nav--secondary a")}  # Material prints it twice (mobile)
    assert toc == {"#qt-001"}
    # the short link of the bare code lands on its row
    redirect = (site / "e" / "qt-002" / "index.html").read_text()
    assert "reference/errors/#qt-002" in redirect


def _code_anchor(code: str) -> str:
    import re
    return re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-") or "code"


def test_every_link_in_the_example_resolves(example_public, example_internal):
    for site in (example_public, example_internal):
        broken = []
        for page in site.rglob("*.html"):
            html = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
            main = html.find("article") or html
            for a in main.find_all("a", href=True):
                href = a["href"]
                if href.startswith(("http:", "https:", "mailto:", "tel:", "#")) or not href:
                    continue
                target = (page.parent / href.split("#")[0]).resolve()
                if target.is_dir():
                    target = target / "index.html"
                if not target.exists():
                    broken.append(f"{page.relative_to(site)} -> {href}")
        assert not broken, broken[:10]


# --- generated runbooks -------------------------------------------------------

text = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"),
               min_size=1, max_size=40).filter(lambda s: s.strip())
command = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"),
                  min_size=1, max_size=60).filter(lambda s: s.strip() and s == s.strip())
step = st.fixed_dictionaries({"title": text}, optional={"run": command})


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(step, min_size=1, max_size=6), st.lists(step, min_size=1, max_size=4))
def test_generated_runbooks_render_exactly(tmp_path_factory, diagnostics, resolution):
    kb = write_kb(tmp_path_factory.mktemp("gen") / "kb", {
        "runbooks/gen.yaml": yaml.safe_dump({"kind": "runbook", "id": "gen", "title": "Generated",
                                             "audience": "public", "last_reviewed": "2026-05-01",
                                             "diagnostics": diagnostics, "resolution": resolution},
                                            allow_unicode=True)})
    site = kb.parent / "site"
    proc = run_kbgen("build", kb, "--audience", "public", "--site-dir", site, "-q")
    if proc.returncode != 0:
        # validation may refuse some generated text (a secret look-alike, say): it must say where
        assert "runbooks/gen.yaml:" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
        return
    article = soup(site, "runbooks/gen").find("article")
    _check_steps(article, "diagnostics", diagnostics)
    _check_steps(article, "resolution", resolution)


def test_example_sla_matrices_have_a_row_per_priority(example_public):
    from kbgen.kinds.sla import priority_label
    checked = 0
    for path in sorted((ROOT / "content").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not (isinstance(data, dict) and data.get("kind") == "sla") or data.get("audience") != "public":
            continue
        url = posixpath.splitext(path.relative_to(ROOT / "content").as_posix())[0]
        article = soup(example_public, url).find("article")
        labels = [priority_label(str(p["id"]), p["name"]) for p in data["priorities"]]
        matrices = [t for t in article.find_all("table")
                    if t.find("th") and t.find("th").get_text(strip=True) == "Priority"]
        assert matrices, url
        for table in matrices:
            firsts = [tr.find("td").get_text(" ", strip=True) for tr in table.find("tbody").find_all("tr")]
            assert firsts == labels, (url, firsts)
            header = [th.get_text(strip=True) for th in table.find("thead").find_all("th")]
            for tr in table.find("tbody").find_all("tr"):
                assert len(tr.find_all("td")) == len(header), (url, tr.get_text(" ", strip=True))
            checked += 1
    assert checked >= 3


def test_sla_pages_show_no_empty_heading_and_no_raw_id(example_public):
    """Customers read priorities by name ("Critical issues", "P1 — Critical"), never
    by a slug id ("anya-critical"), and no heading stands over nothing; every
    priority's anchor is on the page once."""
    checked = 0
    for path in sorted((ROOT / "content").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not (isinstance(data, dict) and data.get("kind") == "sla") or data.get("audience") != "public":
            continue
        url = posixpath.splitext(path.relative_to(ROOT / "content").as_posix())[0]
        page = soup(example_public, url)
        article = page.find("article")
        slugs = [str(p["id"]) for p in data["priorities"] if "-" in str(p["id"])]
        toc = page.select_one("nav.md-nav--secondary").get_text(" ", strip=True)
        for slug in slugs:
            assert slug not in toc and slug not in article.get_text(" "), (url, slug)
        for pid in (str(p["id"]) for p in data["priorities"]):
            assert len(article.select(f'[id="{code_anchor(pid)}"]')) == 1, (url, pid)
        for h in article.find_all(["h2", "h3"]):
            nxt = h.find_next_sibling()
            assert nxt is not None and nxt.name not in ("h2", "h3"), (url, h.get_text(strip=True))
        checked += 1
    assert checked >= 3


def _facts(article) -> dict[str, object]:
    """The page's facts (name -> its <dd>), from the definition list under its title."""
    dl = article.select_one("div.kbgen-facts > dl")
    assert dl is not None, "no facts list"
    return {dt.get_text(strip=True): dt.find_next_sibling("dd") for dt in dl.find_all("dt")}


def test_facts_are_name_value_pairs_and_plain_steps_plain_text(example_internal, example_public):
    """Issue 24, item 5: the facts under a title are a definition list (no
    table whose first fact pretends to be its header); a step that is only
    text is not bold; alert names link to their catalogue entry; a Markdown
    runbook shows its summary as a YAML one does; no tag chip on the home page."""
    article = soup(example_internal, "runbooks/hydraulic-high-error-rate").find("article")
    facts = _facts(article)
    assert list(facts) == ["Products", "Owner", "Last reviewed", "Error codes", "Alerts"]
    assert not [th for th in article.find_all("th") if th.get_text(strip=True) in facts]
    assert facts["Alerts"].find("a")["href"] == "../../operations/alert-thresholds/#higherrorrate"
    steps = _steps_of(article, "resolution")
    assert steps[0].get_text(strip=True) == "Fix the most frequent error found" and steps[0].find("strong") is None
    assert steps[1].find("strong").get_text() == "Or roll back the last update"  # it has a note under it
    # a Markdown runbook
    article = soup(example_public, "runbooks/anya-system-health-check").find("article")
    assert list(_facts(article)) == ["Products", "Owner", "Last reviewed", "Escalation"]
    summary = "Check resources, services, connectivity and recent log errors on an Anya Core host."
    assert article.select_one("div.kbgen-facts").find_next_sibling("p").get_text(strip=True) == summary
    assert soup(example_public, "").select(".md-tags:not([hidden])") == []
    assert soup(example_public, "sla/mwrasp-sla").select(".md-tags:not([hidden])")  # other pages keep theirs
