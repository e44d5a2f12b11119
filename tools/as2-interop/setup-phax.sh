#!/usr/bin/env bash
# Installs the phax as2-lib AS2 peer into an ignored folder (tools/.local/phax-as2): the jars pinned by phax/pom.xml
# (copied from the local Maven repository, fetched from Maven Central the first time) and PhaxAs2Peer compiled by javac.
# Idempotent: a stamp holding the hash of the pom, the peer's source and this script makes a second run a no-op.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$here/../.." && pwd)"
out="${AS2_INTEROP_PHAX_DIR:-$repo_root/tools/.local/phax-as2}"
stamp="$out/.as2-interop-stamp"

mkdir -p "$out"
exec 9>"$out/.lock"
# Parallel test workers may call this at once: one installs, the others wait.
flock 9

wanted="$(cat "$here/phax/pom.xml" "$here/phax/PhaxAs2Peer.java" "$0" | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" && -f "$out/classes/PhaxAs2Peer.class" ]]; then
  exit 0
fi

for tool in java javac mvn; do
  command -v "$tool" >/dev/null || { echo "setup-phax.sh: $tool not found; the phax as2-lib peer needs a JDK >= 11 and Maven" >&2; exit 1; }
done
rm -rf "$out/libs" "$out/classes" "$stamp"
fetch=(mvn -q -B -f "$here/phax/pom.xml" "-Dpeer.libs=$out/libs" dependency:get@as2-lib dependency:copy-dependencies@libs)
# Offline first: once the jars are in the local Maven repository, no network is needed.
if ! "${fetch[@]}" -o >/dev/null 2>&1; then
  "${fetch[@]}" >&2
fi
javac --release 11 -nowarn -cp "$out/libs/*" -d "$out/classes" "$here/phax/PhaxAs2Peer.java"
echo "$wanted" > "$stamp"
echo "phax as2-lib peer ready in $out" >&2
