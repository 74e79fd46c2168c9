"""mkdocs.yml read with MkDocs' semantics:
`!ENV` with defaults, `INHERIT` relative to the file that says it, relative
paths against the config file's folder, every config problem at once with
its location, and the mkdocs.yml / mkdocs.yaml lookup in one place."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kbfactory import MKDOCS, run_kbgen, write_kb
from kbgen.config import ConfigError, load_config
from kbgen.read.configfile import find_config_file
from kbgen.validate import validate

ENV_MKDOCS = MKDOCS.replace("site_url: https://kb.test/\n",
                            "site_url: !ENV [KB_TEST_URL, KB_TEST_URL2, 'https://fallback.test/']\n"
                            "site_description: !ENV KB_TEST_DESCRIPTION\n")


def test_env_tag_default_and_value(tmp_path, monkeypatch):
    write_kb(tmp_path, mkdocs=ENV_MKDOCS)
    monkeypatch.delenv("KB_TEST_URL", raising=False)
    monkeypatch.delenv("KB_TEST_URL2", raising=False)
    monkeypatch.delenv("KB_TEST_DESCRIPTION", raising=False)
    cfg = load_config(tmp_path)
    assert cfg.site_url == "https://fallback.test/" and cfg.site_description is None
    monkeypatch.setenv("KB_TEST_URL2", "https://second.test/")
    monkeypatch.setenv("KB_TEST_DESCRIPTION", "From the environment")
    cfg = load_config(tmp_path)
    assert cfg.site_url == "https://second.test/" and cfg.site_description == "From the environment"


def test_env_tag_through_validate_and_export(tmp_path):
    # issue 10: validate passed, then export stopped with "internal error: AttributeError"
    write_kb(tmp_path, mkdocs=ENV_MKDOCS)
    assert run_kbgen("validate", tmp_path).returncode == 0
    proc = run_kbgen("export", tmp_path, "--format", "jsonl", env={"KB_TEST_URL": "https://env.test/"})
    assert proc.returncode == 0, proc.stderr
    urls = {json.loads(line)["url"] for line in proc.stdout.splitlines() if line.strip()}
    assert urls and all(u.startswith("https://env.test/") for u in urls), sorted(urls)[:3]


def test_env_tag_on_a_mapping_is_a_located_error(tmp_path):
    write_kb(tmp_path, mkdocs=MKDOCS.replace("site_url: https://kb.test/\n", "site_url: !ENV {a: b}\n"))
    proc = run_kbgen("validate", tmp_path)
    assert proc.returncode == 2 and "mkdocs.yml:2:11: !ENV: expected a scalar or sequence node" in proc.stderr


BASE = """\
site_name: From the base
theme:
  name: material
plugins:
  - search
  - kbgen:
      today: 2026-06-01
      products:
        - {id: prod, name: Product}
        - {id: other, name: Other product}
"""


def test_inherit_relative_to_the_file_and_merged(tmp_path):
    # issue 10: a false KB209 (products live in the base) and "the plugin is not enabled"
    write_kb(tmp_path, mkdocs="INHERIT: config/site.yml\nsite_name: Child\nsite_url: https://kb.test/\n")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "site.yml").write_text("INHERIT: ../shared/base.yml\ntheme:\n  features: [navigation.tabs]\n")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "base.yml").write_text(BASE)
    cfg = load_config(tmp_path)
    assert cfg.site_name == "Child" and cfg.product_ids() == {"prod", "other"}
    assert cfg.raw["theme"] == {"name": "material", "features": ["navigation.tabs"]}  # mappings merged deep
    assert [p.relative_to(tmp_path).as_posix() for p in cfg.config_files] == [
        "mkdocs.yml", "config/site.yml", "shared/base.yml"]
    _, report = validate(tmp_path)
    assert [p for p in report.problems if p.code == "KB209"] == []
    site = tmp_path / "site"
    run_kbgen("build", tmp_path, "--audience", "public", "--site-dir", site, "-q", check=True)
    assert (site / "index.html").is_file() and "Child" in (site / "index.html").read_text()


def test_all_config_problems_at_once_with_their_files(tmp_path):
    write_kb(tmp_path, mkdocs="INHERIT: base.yml\nsite_url: [not, text]\ndocs_dir: ../elsewhere\n")
    (tmp_path / "base.yml").write_text(
        "plugins:\n  - kbgen:\n      review_every: forever\n      bogus: 1\n      rules: {KB999: off}\n")
    proc = run_kbgen("validate", tmp_path)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if ": " in line and line[0] != " "]
    assert lines[:6] == [
        "base.yml:3:21: kbgen plugin option review_every: 'forever' is not a duration; accepted forms: 15m, 4h, "
        "2d, 1w, 30s, '15 minutes', '1 hour', '5 days', '2 weeks', 'immediate' (zero) or 'n/a' (no target)",
        "base.yml:4:7: unknown kbgen option 'bogus'",
        "base.yml:5:15: unknown rule code 'KB999' (the codes are in docs/rules.md; a family: KB6xx)",
        "mkdocs.yml:2:11: site_url must be text, not a list",
        f"mkdocs.yml:3:11: '../elsewhere' is outside the knowledge base folder ({tmp_path.name}/)",
        lines[5],
    ][:len(lines[:6])]
    assert len([line for line in lines if line.startswith(("base.yml:", "mkdocs.yml:"))]) == 5


def test_missing_and_looping_inherit(tmp_path):
    write_kb(tmp_path / "a", mkdocs="INHERIT: nowhere.yml\n")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "a")
    assert str(err.value).startswith("mkdocs.yml:1:10: INHERIT: nowhere.yml does not exist")
    write_kb(tmp_path / "b", mkdocs="INHERIT: other.yml\n")
    (tmp_path / "b" / "other.yml").write_text("INHERIT: mkdocs.yml\n")
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "b")
    assert "other.yml:1:10: INHERIT: mkdocs.yml inherits back from this file" in str(err.value)


@pytest.mark.parametrize("docs_dir", ["./content", "content/", "./content/", "{root}/content"])
def test_docs_dir_spellings_are_one_folder(tmp_path, docs_dir):
    write_kb(tmp_path, mkdocs=MKDOCS.replace("docs_dir: content\n", f"docs_dir: {docs_dir.format(root=tmp_path)}\n"))
    cfg = load_config(tmp_path)
    assert cfg.docs_dir == "content"
    kb, report = validate(tmp_path)
    assert report.problems == []
    assert kb.by_source["content/index.md"].url == ""  # the home page: the site's root index.html


def test_dot_slash_docs_dir_builds_a_root_index(tmp_path):
    # issue 9, item 7: `docs_dir: ./content` produced a site with no root index.html
    write_kb(tmp_path, mkdocs=MKDOCS.replace("docs_dir: content\n", "docs_dir: ./content\n"))
    site = tmp_path / "site"
    run_kbgen("build", tmp_path, "--audience", "public", "--site-dir", site, "-q", check=True)
    assert (site / "index.html").is_file() and (site / "reference" / "errors" / "index.html").is_file()


def test_lookup_order(tmp_path):
    assert find_config_file(tmp_path) is None
    (tmp_path / "mkdocs.yaml").write_text("site_name: yaml\n")
    assert find_config_file(tmp_path).name == "mkdocs.yaml"
    (tmp_path / "mkdocs.yml").write_text("site_name: yml\n")
    assert find_config_file(tmp_path).name == "mkdocs.yml"  # MkDocs' own order
    (tmp_path / "kbgen.yml").write_text("INHERIT: mkdocs.yml\n")
    assert find_config_file(tmp_path).name == "kbgen.yml"
    assert find_config_file(tmp_path, kbgen=False).name == "mkdocs.yml"
    assert load_config(tmp_path).site_name == "yml"


def test_mkdocs_yaml_is_a_kb(tmp_path):
    write_kb(tmp_path)
    (tmp_path / "mkdocs.yml").rename(tmp_path / "mkdocs.yaml")
    proc = run_kbgen("validate", tmp_path, "--format", "json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["summary"]["errors"] == 0


def test_core_does_not_import_mkdocs():
    code = ("import sys, kbgen.config, kbgen.read.configfile, kbgen.validate, kbgen.diagnostics.codes, kbgen.diagnostics.suppress\n"
            "bad = sorted(m for m in sys.modules if m == 'mkdocs' or m.startswith('mkdocs.'))\n"
            "assert not bad, bad\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_inherit_of_a_huge_file_is_refused(tmp_path):
    write_kb(tmp_path, mkdocs="INHERIT: big.yml\n")
    (tmp_path / "big.yml").write_text("# x\n" * 300_000)
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path)
    assert str(err.value) == "big.yml:1:1: big.yml is over 1,048,576 bytes; a site config is a few kilobytes"


def test_a_misspelt_plugin_option_gets_a_guess(tmp_path):
    """Issue 24, item 12: `default_audiance` -> did you mean 'default_audience'?"""
    kb = write_kb(tmp_path / "kb", mkdocs=MKDOCS.replace("default_audience:", "default_audiance:"))
    proc = run_kbgen("validate", kb)
    assert proc.returncode == 2
    assert "mkdocs.yml:10:7: unknown kbgen option 'default_audiance'; did you mean 'default_audience'?" in proc.stderr
