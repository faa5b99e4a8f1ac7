#!/usr/bin/env bash
# Run the whole test suite: set-up first (venv, packages, Debian's chromium/postgresql as root),
# then pytest (which also runs the explorer's `node --test` suite). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system
mkdir -p test-artifacts
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then echo "test.sh: pytest collected no test: failing" >&2; exit 1; fi
exit "$rc"
