#!/usr/bin/env bash
# Installs schemathesis (PyPI) into an ignored virtual environment (tools/.local/schemathesis-venv) for the API
# contract suite. Idempotent: a stamp holding the hash of the pins and of this script makes a second run a no-op.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
venv="${SCHEMATHESIS_VENV:-$repo_root/tools/.local/schemathesis-venv}"
python="${SCHEMATHESIS_PYTHON:-python3}"
stamp="$venv/.schemathesis-stamp"

mkdir -p "$(dirname "$venv")"
# The real path: a venv's scripts name their interpreter by absolute path, and tools/.local may be a symlink.
venv="$(cd "$(dirname "$venv")" && pwd -P)/$(basename "$venv")"
exec 9>"$(dirname "$venv")/.schemathesis-venv.lock"
flock 9

wanted="$(cat "$here/requirements.txt" "$0" | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]] && "$venv/bin/st" --version >/dev/null 2>&1; then
  exit 0
fi

command -v "$python" >/dev/null || { echo "setup.sh: $python not found; schemathesis needs Python >= 3.9 with venv" >&2; exit 1; }
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --require-virtualenv -r "$here/requirements.txt" >&2
"$venv/bin/st" --version >&2
echo "$wanted" > "$stamp"
