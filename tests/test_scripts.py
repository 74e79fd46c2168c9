"""The repository's own scripts: the test set-up says what is missing where it
cannot install it, and the suite runs on every core."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

from kbfactory import ROOT


def test_install_script_without_apt_says_what_is_missing(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "dirname", "id", "cat"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    proc = subprocess.run([str(bin_dir / "bash"), str(ROOT / "scripts" / "install-test-deps.sh")],
                          env={"PATH": str(bin_dir), "HOME": str(tmp_path)}, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "missing: Chromium" in proc.stderr and "no apt-get" in proc.stderr
    assert "KBGEN_SKIP_BROWSER=1" in proc.stderr


def test_the_suite_runs_on_every_core(tmp_path):
    script = (ROOT / "scripts" / "test.sh").read_text()
    assert 'args=(-n "${KBGEN_TEST_WORKERS:-auto}")' in script
    assert 'exec .venv/bin/python -m pytest "${args[@]}" "$@"' in script
    assert "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
    (tmp_path / "test_two.py").write_text("def test_a():\n    pass\n\n\ndef test_b():\n    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "-p", "no:cacheprovider",
                           str(tmp_path / "test_two.py")], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0 and "2 passed" in proc.stdout
    assert re.search(r"created: 2/2 workers|2 workers \[2 items\]", proc.stdout), proc.stdout
