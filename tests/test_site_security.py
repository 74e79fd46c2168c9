"""YAML values are text: whatever a data file holds, it cannot inject markup
or links into a page. (The validator also rejects <script>, on*= handlers
and javascript: URLs; these values pass it and must still come out inert.)"""
from __future__ import annotations

from bs4 import BeautifulSoup

from kbfactory import run_kbgen, write_kb

HOSTILE = {
    "runbooks/evil.yaml": """\
        kind: runbook
        id: evil
        title: "<iframe src='https://evil.example/a'></iframe> Gateway"
        summary: "<img src='https://evil.example/b.png'> summary"
        audience: public
        symptoms:
          - "[click me](https://evil.example/c) and **bold** | pipe"
          - "<style>body {display: none}</style>"
        diagnostics:
          - title: "`code` <b>bold</b>"
            run: "echo '```' && echo '</code></pre><img src=x>'"
            expect: "<em>em</em>"
        """,
    "content/codes.yaml": """\
        kind: error-codes
        id: codes
        audience: public
        codes:
          - code: "X|1"
            message: "<img src='https://evil.example/d.png'> | broken table"
        """,
}


def test_yaml_values_are_escaped_in_html(tmp_path):
    kb = write_kb(tmp_path / "kb", HOSTILE)
    proc = run_kbgen("validate", kb)
    assert proc.returncode == 0, proc.stdout
    site = tmp_path / "site"
    run_kbgen("build", kb, "--site-dir", site, "-q", check=True)
    for page in ("runbooks/evil/index.html", "codes/index.html", "runbooks/index.html", "error-codes/index.html"):
        soup = BeautifulSoup((site / page).read_text(), "html.parser")
        article = soup.find("article")
        assert not article.find_all(["iframe", "style", "em", "b"]), page
        assert not [i for i in article.find_all("img") if "evil" in (i.get("src") or "") or i.get("src") == "x"], page
        assert not [a for a in article.find_all("a") if "evil.example" in (a.get("href") or "")], page
    text = (site / "runbooks/evil/index.html").read_text()
    assert "&lt;iframe" in text and "[click me](https://evil.example/c)" in BeautifulSoup(text, "html.parser").get_text()
    # the command is shown exactly, inside its code block
    code = BeautifulSoup(text, "html.parser").find("pre").get_text()
    assert "echo '```' && echo '</code></pre><img src=x>'" in code
    # a pipe in a value does not break the code table
    table = BeautifulSoup((site / "codes/index.html").read_text(), "html.parser").find("table")
    first_row = [td.get_text(strip=True) for td in table.find("tbody").find("tr").find_all("td")]
    assert first_row[0] == "X|1" and len(first_row) == 4
