#!/usr/bin/env bash
# Set up a virtual environment in .venv with lrscope and its extras. Safe to run again.
# torch is the local CPU wheel, installed first and pinned in constraints.txt, so pip never
# pulls a CUDA build. With --system (as root) it also installs the Debian packages the
# browser and database tests need: chromium, chromium-driver, postgresql.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--system" ]; then
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v node >/dev/null 2>&1 || need+=(nodejs)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "setup: installing Debian packages: ${need[*]}"
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
      echo "setup: missing ${need[*]}; install them (Debian: apt-get install ${need[*]}) or their tests are skipped" >&2
    fi
  fi
fi

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
stamp=.venv/.lrscope-setup
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  echo "setup: installing torch==2.13.0 (CPU) and lrscope[all,test] into .venv"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q -c constraints.txt "torch==2.13.0"
  .venv/bin/python -m pip install -q -c constraints.txt -e ".[all,test]"
  touch "$stamp"
fi
