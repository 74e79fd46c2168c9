#!/usr/bin/env bash
# Install what the tests need (the test extra, Debian's chromium for browser
# tests) and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
if [ -f scripts/install-test-deps.sh ]; then
  bash scripts/install-test-deps.sh
else
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
fi
exec .venv/bin/python -m pytest "$@"
