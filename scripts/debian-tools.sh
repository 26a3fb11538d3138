#!/usr/bin/env bash
# Installs the Debian packages that the tests run: graphviz (`dot`, the graph test renders DOT),
# docker-registry (the CNCF distribution registry, a local OCI registry for the image tests) and
# skopeo (checks pushed images independently of our registry client).
# Idempotent: does nothing when every command is already on PATH.
set -euo pipefail

say() { echo "debian-tools: $*"; }
die() { echo "debian-tools: ERROR: $*" >&2; exit 1; }

# command -> Debian package that provides it.
tools=("dot:graphviz" "docker-registry:docker-registry" "skopeo:skopeo")

missing=()
for tool in "${tools[@]}"; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    die "missing ${missing[*]} and this is not root: install them, e.g. \
'sudo apt-get install ${missing[*]}', then rerun"
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "missing ${missing[*]} and apt-get is not available: install them"
  say "missing ${missing[*]}: apt-get update && apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || die "apt-get update failed: cannot install ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed"
fi

for tool in "${tools[@]}"; do
  command -v "${tool%%:*}" >/dev/null 2>&1 ||
    die "${tool#*:} installed but '${tool%%:*}' is not on PATH"
done
say "$(dot -V 2>&1)"
say "$(docker-registry --version)"
say "$(skopeo --version)"
