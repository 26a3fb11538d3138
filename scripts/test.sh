#!/usr/bin/env bash
# The test command. Installs what the tests run (the pinned Python and Node tools, graphviz's
# `dot`, the docker-registry OCI registry and skopeo), then runs the tests with no AWS settings
# from the environment.
#
#   bash scripts/test.sh                    # every package: cargo test --workspace
#   bash scripts/test.sh -p rcdk-core        # one package (-p replaces --workspace)
#   bash scripts/test.sh -- --nocapture     # other arguments go to cargo test as they are
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

say() { echo "test.sh: $*"; }

say "Python tools (tools/requirements.txt into .tools/venv)"
bash scripts/python-tools.sh

say "Node tools (tools/package-lock.json into .tools/node)"
bash scripts/node-tools.sh

say "Debian packages (graphviz, docker-registry, skopeo)"
bash scripts/debian-tools.sh

# Tests reach loopback only and bring their own fake credentials and endpoints: nothing may
# come from the developer's AWS settings, and the SDK must not probe instance metadata.
unset_vars=()
while IFS= read -r var; do
  case "$var" in AWS_*) unset_vars+=("$var") ;; esac
done < <(compgen -e)
if [ ${#unset_vars[@]} -gt 0 ]; then
  say "unsetting ${unset_vars[*]}"
  unset "${unset_vars[@]}"
fi
export AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

# -p/--package selects packages; otherwise test the whole workspace.
scope=(--workspace)
for arg in "$@"; do
  case "$arg" in
    --) break ;;
    -p | -p* | --package | --package=*) scope=() ;;
  esac
done

# Run every test binary even after a failure, so one CI log shows all failures.
cmd=(cargo test --no-fail-fast "${scope[@]}" "$@")
say "${cmd[*]}"
start=$SECONDS
"${cmd[@]}"
say "cargo test passed in $((SECONDS - start))s"
