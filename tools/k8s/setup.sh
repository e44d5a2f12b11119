#!/usr/bin/env bash
# Installs the offline manifest checkers into tools/.local (ignored): kustomize and compose-validate (compose-go,
# tools/compose-validate) built from the Go module proxy, and kubernetes-validate (PyPI; it ships the Kubernetes
# schemas) in a virtual environment. Idempotent: stamps make a
# second run a no-op. Prints nothing on success; fails naming what could not be had.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
local_dir="$repo_root/tools/.local"
kustomize_version="v5.7.1"
mkdir -p "$local_dir/bin"
# The real path: a venv's scripts name their interpreter by absolute path, and tools/.local may be a symlink.
local_dir="$(cd "$local_dir" && pwd -P)"
venv="$local_dir/k8s-validate-venv"
exec 9>"$local_dir/.k8s-tools.lock"
flock 9

kustomize="$local_dir/bin/kustomize"
if [[ ! -x "$kustomize" || "$(cat "$kustomize.stamp" 2>/dev/null)" != "$kustomize_version" ]]; then
  command -v go >/dev/null || { echo "setup.sh: go is not on PATH to build kustomize $kustomize_version" >&2; exit 1; }
  GOBIN="$local_dir/bin" GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@$kustomize_version" >&2
  echo "$kustomize_version" > "$kustomize.stamp"
fi

compose_validate="$local_dir/bin/compose-validate"
compose_source="$repo_root/tools/compose-validate"
compose_wanted="$(cat "$compose_source/go.mod" "$compose_source/go.sum" "$compose_source/main.go" | sha256sum | cut -d' ' -f1)"
if [[ ! -x "$compose_validate" || "$(cat "$compose_validate.stamp" 2>/dev/null)" != "$compose_wanted" ]]; then
  command -v go >/dev/null || { echo "setup.sh: go is not on PATH to build tools/compose-validate" >&2; exit 1; }
  (cd "$compose_source" && go build -o "$compose_validate" .) >&2
  echo "$compose_wanted" > "$compose_validate.stamp"
fi

wanted="$(cat "$here/requirements.txt" "$0" | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$venv/.stamp" 2>/dev/null)" != "$wanted" ]] || ! "$venv/bin/kubernetes-validate" --version >/dev/null 2>&1; then
  command -v python3 >/dev/null || { echo "setup.sh: python3 is not on PATH for kubernetes-validate" >&2; exit 1; }
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --require-virtualenv -r "$here/requirements.txt" >&2
  echo "$wanted" > "$venv/.stamp"
fi
