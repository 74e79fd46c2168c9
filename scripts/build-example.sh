#!/usr/bin/env bash
# The main job: install kbgen and build the example knowledge base in this repo.
# Public site -> site/, internal site -> site-internal/ (both with kb.json and llms.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
echo "build-example: installing kbgen into .venv (pip; about half a minute on a fresh machine)" >&2
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e .
# PYTHONDONTWRITEBYTECODE is common in CI images: compile once so every command starts fast
.venv/bin/python -m compileall -q src/kbgen
.venv/bin/kbgen validate .
.venv/bin/kbgen build . --audience public --site-dir site
.venv/bin/kbgen build . --audience internal --site-dir site-internal
cat <<'MSG'
Built: site/ (public) and site-internal/ (internal).
kbgen is installed in .venv/, not on your PATH. To run it:
  source .venv/bin/activate     # once per shell, then: kbgen serve, kbgen validate, ...
  .venv/bin/kbgen serve         # or by its path
MSG
