#!/usr/bin/env bash
# Refresh requirements/test.lock: the exact versions CI and scripts/test.sh
# install. The package keeps its ranges (pyproject.toml) for users; the lock
# makes the suite independent of what a new release of a dependency does.
# Resolves the newest versions the ranges allow in a fresh virtual
# environment, so nothing of .venv leaks into the lock. Run it, run the suite
# with the new lock (scripts/test.sh), and commit both if it is green.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "lock: resolving '.[test]' in a fresh environment (about a minute)..." >&2
"$PY" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q --upgrade pip
"$tmp/venv/bin/python" -m pip install -q '.[test]'
{
  echo "# The test environment of CI and scripts/test.sh, exact versions (a pip constraints file)."
  echo "# Written by scripts/lock.sh on $(date -u +%Y-%m-%d) with $("$tmp/venv/bin/python" -V); do not edit by hand."
  echo "# scripts/test.sh installs with it; KBGEN_UNLOCKED=1 scripts/test.sh takes the newest versions the ranges allow."
  echo "pip==$("$tmp/venv/bin/python" -m pip --version | awk '{print $2}')"
  "$tmp/venv/bin/python" -m pip freeze --all --exclude kbgen --exclude pip --exclude setuptools --exclude wheel | LC_ALL=C sort -f
} > requirements/test.lock.new
mv requirements/test.lock.new requirements/test.lock
echo "lock: wrote requirements/test.lock ($(grep -vc '^#' requirements/test.lock) packages)" >&2
