#!/usr/bin/env bash
# Prints a Python 3.11–3.14 whose sqlite3 module can load extensions (SpatiaLite needs that) and that has venv
# and ensurepip, or stops with what to install. The distribution's /usr/bin/python3 is tried first: Debian 12
# (3.11), Ubuntu 24.04 (3.12), Debian 13 (3.13) and Ubuntu 26.04 (3.14) all qualify; some other builds
# (pyenv, python.org installers) cannot load extensions.
set -u
candidates=("${OKRSEK_PYTHON:-}" /usr/bin/python3 /usr/bin/python3.14 /usr/bin/python3.13 /usr/bin/python3.12 /usr/bin/python3.11)
for candidate in "${candidates[@]}"; do
  [ -n "$candidate" ] && [ -x "$candidate" ] || continue
  if "$candidate" - <<'PY' 2>/dev/null; then
import sqlite3, sys, venv, ensurepip  # noqa
assert (3, 11) <= sys.version_info[:2] <= (3, 14)
sqlite3.connect(":memory:").enable_load_extension(True)
PY
    echo "$candidate"
    exit 0
  fi
done
cat >&2 <<'MSG'
No suitable Python found. Okrsek needs Python 3.11, 3.12, 3.13 or 3.14 whose sqlite3 can load extensions (for
SpatiaLite), with venv and ensurepip. On Debian 12/13 or Ubuntu 24.04/26.04, install it with:

    sudo apt-get install python3 python3-venv

(or point OKRSEK_PYTHON at such an interpreter).
MSG
exit 1
