"""Fixture trees with the expected `kbgen validate` output beside them.

Regenerate after an intended change with:  KBGEN_UPDATE_GOLDEN=1 pytest tests/test_golden.py
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kbgen.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "validate"
CASES = sorted(p.name for p in FIXTURES.iterdir() if (p / "mkdocs.yml").exists())


@pytest.mark.parametrize("case", CASES)
def test_validate_output_matches_golden(case):
    root = FIXTURES / case
    result = CliRunner().invoke(main, ["validate", str(root), "--format", "text", "--no-color"])
    expected_file = root / "expected.txt"
    if os.environ.get("KBGEN_UPDATE_GOLDEN"):
        expected_file.write_text(result.output, encoding="utf-8")
    assert result.output == expected_file.read_text(encoding="utf-8")
    assert result.exit_code == (1 if re.search(r"^\S+:\d+:\d+: error KB\d{3} ", result.output, re.M) else 0)
