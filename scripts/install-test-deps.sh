#!/usr/bin/env bash
# Install what the test suite needs, idempotently:
#   - Debian's chromium for the browser tests (Playwright drives it; it never downloads a browser);
#   - the package with its test extra (pytest, pytest-xdist, hypothesis, playwright's Python driver),
#     at the versions of requirements/test.lock.
# Chromium is checked first: on a system without apt-get the script says what is
# missing and how to go on, before anything is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}

have_chromium() { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }

if ! have_chromium && [ "${KBGEN_SKIP_BROWSER:-}" != "1" ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq chromium >/dev/null
  else
    cat >&2 <<'MSG'
install-test-deps: missing: Chromium (the browser tests drive it headless), and this
system has no apt-get to install it with.
  - install it with your package manager (e.g. `dnf install chromium`, `pacman -S chromium`,
    `brew install --cask chromium`) so that `chromium` is on PATH, then run this again; or
  - run the suite without the browser tests: KBGEN_SKIP_BROWSER=1 scripts/test.sh
MSG
    exit 1
  fi
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
# The exact versions of requirements/test.lock (scripts/lock.sh refreshes it), so
# a new release of a dependency cannot turn the suite red on a fresh machine;
# KBGEN_UNLOCKED=1 takes the newest versions pyproject.toml's ranges allow.
lock=(-c requirements/test.lock)
if [ "${KBGEN_UNLOCKED:-}" = "1" ]; then
  lock=()
  echo "install-test-deps: KBGEN_UNLOCKED=1: the newest versions the ranges allow, not requirements/test.lock" >&2
fi
echo "install-test-deps: installing kbgen and its test tools into .venv (pip; about half a minute on a fresh machine)" >&2
.venv/bin/python -m pip install -q --upgrade "${lock[@]}" pip
.venv/bin/python -m pip install -q "${lock[@]}" -e '.[test]'
.venv/bin/python -m compileall -q src/kbgen
