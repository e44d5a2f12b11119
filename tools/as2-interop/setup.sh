#!/usr/bin/env bash
# Installs the pyas2lib AS2 peer into an ignored virtual environment (tools/.local/pyas2-venv).
# Idempotent: a stamp holding the hash of the pins and of this script makes a second run a no-op.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
venv="${AS2_INTEROP_VENV:-$repo_root/tools/.local/pyas2-venv}"
python="${AS2_INTEROP_PYTHON:-python3}"
requirements="$here/requirements.txt"
stamp="$venv/.as2-interop-stamp"

mkdir -p "$(dirname "$venv")"
exec 9>"$(dirname "$venv")/.pyas2-venv.lock"
# Parallel test workers may call this at once: one installs, the others wait.
flock 9

wanted="$(cat "$requirements" "$0" | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]] && "$venv/bin/python" -c 'import pyas2lib.as2' 2>/dev/null; then
  exit 0
fi

command -v "$python" >/dev/null || { echo "setup.sh: $python not found; the AS2 interop peer needs Python >= 3.8 with venv" >&2; exit 1; }
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --require-virtualenv -r "$requirements"

# oscrypto 1.3.0 (pinned by pyas2lib, the last release on PyPI) reads the OpenSSL version with \d\.\d\.\d,
# so "3.0.10" and later are not recognised and import fails (oscrypto issue #75, fixed by PR #76 after 1.3.0).
site_packages="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
for module in _libcrypto_cffi.py _libcrypto_ctypes.py; do
  file="$site_packages/oscrypto/_openssl/$module"
  sed -i 's/\\\\b(\\\\d\\\\.\\\\d\\\\.\\\\d\[a-z\]\*)\\\\b/\\\\b(\\\\d\\\\.\\\\d\\\\.\\\\d+[a-z]*)\\\\b/' "$file"
  grep -qF '\\d\\.\\d\\.\\d+[a-z]*' "$file" || { echo "setup.sh: could not patch the OpenSSL version regex in $file" >&2; exit 1; }
done
find "$site_packages/oscrypto" -name '__pycache__' -type d -prune -exec rm -rf {} +

"$venv/bin/python" -c 'import pyas2lib.as2, oscrypto; print("pyas2lib ready, oscrypto backend:", oscrypto.backend())'
echo "$wanted" > "$stamp"
