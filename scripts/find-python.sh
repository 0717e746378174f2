#!/usr/bin/env bash
# Prints a Python 3.11 whose sqlite3 module can load extensions (SpatiaLite needs that), or stops with what
# to install. Debian's /usr/bin/python3 can; some other builds (pyenv, python.org installers) cannot.
set -u
for candidate in "${OKRSEK_PYTHON:-}" /usr/bin/python3.11 /usr/bin/python3; do
  [ -n "$candidate" ] && [ -x "$candidate" ] || continue
  if "$candidate" - <<'PY' 2>/dev/null; then
import sqlite3, sys, venv, ensurepip  # noqa
assert sys.version_info[:2] == (3, 11)
sqlite3.connect(":memory:").enable_load_extension(True)
PY
    echo "$candidate"
    exit 0
  fi
done
cat >&2 <<'MSG'
No suitable Python found. Okrsek needs Python 3.11 whose sqlite3 can load extensions (for SpatiaLite),
with venv and ensurepip. On Debian 12 / Ubuntu, install it with:

    sudo apt-get install python3 python3-venv

(or point OKRSEK_PYTHON at such an interpreter).
MSG
exit 1
