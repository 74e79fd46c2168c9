#!/usr/bin/env bash
# Install what the tests need (the test extra at requirements/test.lock's versions,
# Debian's chromium for browser tests), run ruff and mypy, and run the whole suite on every core (pytest-xdist: -n auto; set
# KBGEN_TEST_WORKERS=0 for one process). KBGEN_SKIP_BROWSER=1 leaves out the
# browser tests where Chromium cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
bash scripts/install-test-deps.sh
# Lint and types first (configured in pyproject.toml): seconds, and a red line
# names the file and line. KBGEN_SKIP_LINT=1 leaves them out.
if [ "${KBGEN_SKIP_LINT:-}" != "1" ]; then
  .venv/bin/ruff check .
  .venv/bin/mypy
fi
args=(-n "${KBGEN_TEST_WORKERS:-auto}")
if [ "${KBGEN_SKIP_BROWSER:-}" = "1" ]; then
  args+=(-m "not browser")
  echo "test.sh: KBGEN_SKIP_BROWSER=1: the browser tests are left out" >&2
fi
exec .venv/bin/python -m pytest "${args[@]}" "$@"
