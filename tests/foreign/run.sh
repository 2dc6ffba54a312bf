# shellcheck shell=bash
# Proof that clients written by others talk to the simulator: pyasic and whatsminer, unmodified from PyPI.
# Usage: bash tests/foreign/run.sh [pytest args]
# Creates (or reuses) .venv-foreign/ at the repository root; the farm itself runs under $SIM_PYTHON
# (default: <repo>/.venv/bin/python, which has the collection's passlib and pycryptodome).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
venv="$repo/.venv-foreign"
python="${FOREIGN_BASE_PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import pyasic, whatsminer, pytest" 2>/dev/null; then
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet pyasic whatsminer pytest
fi

export SIM_PYTHON="${SIM_PYTHON:-$repo/.venv/bin/python}"
cd "$repo"
exec "$venv/bin/python" -m pytest -p no:cacheprovider -W ignore::DeprecationWarning "$repo/tests/foreign/test_foreign_clients.py" "$@"
