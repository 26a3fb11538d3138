#!/usr/bin/env bash
# Times `cargo rcdk deploy` of twenty independent stacks against a local moto server with
# `--concurrency 1` and with `--concurrency 8`, in one run, and prints the wall time of each
# (and of the destroys in between, the same way).
#
#   bash bench/deploy-concurrency.sh            # STACKS=20 stacks, HIGH=8
#
# What is timed, each from process start to exit: the debug `cargo-rcdk` binary's whole
# `deploy --yes --concurrency N` (preflight, publish of the templates, then the stacks) and
# `destroy --yes --concurrency N`. Each stack holds one SQS queue and one SSM parameter. The
# assembly is written directly (the manifest and templates `synth` would write), so nothing
# here compiles an app. moto runs as the tests run it (tests/moto_patches.py from the tools
# virtualenv, loopback only, fake credentials); the environment is bootstrapped first.
#
# The CLI polls a stack's status every 2 s (its fixed poll interval; there is no setting for
# it), the same in every run. moto finishes a create or delete within the API call, so the
# first poll, made at once, finds the stack settled and no run waits on the interval.
#
# Needs cargo, python3 and the tools virtualenv (`bash scripts/python-tools.sh`). Not part of
# the tests or of CI: it measures the machine as much as the code.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
stacks=${STACKS:-20}
high=${HIGH:-8}
target=${CARGO_TARGET_DIR:-$root/target}
venv=${CDK_PYTOOLS_VENV:-$root/.tools/venv}

# Nothing here talks to AWS: loopback endpoint, fake static credentials, no metadata service,
# no settings from the user's files.
export AWS_EC2_METADATA_DISABLED=true
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_ENDPOINT_URL AWS_SESSION_TOKEN

echo "== build: cargo build -p cargo-rcdk"
cargo build -q -p cargo-rcdk
cli="$target/debug/cargo-rcdk"

work=$(mktemp -d)
moto_pid=""
cleanup() {
    if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "== moto on 127.0.0.1:$port"
RCDK_MOTO_SUBSTITUTIONS="$work/substitutions" AWS_DEFAULT_REGION=us-east-1 \
    "$venv/bin/python" tests/moto_patches.py -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 1 600); do
    if python3 -c "import socket, sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
endpoint="http://127.0.0.1:$port"

echo "== assembly: $stacks independent stacks (an SQS queue and an SSM parameter each)"
app="$work/cdk.out"
mkdir -p "$app"
python3 - "$app" "$stacks" <<'PY'
import json, sys
out, count = sys.argv[1], int(sys.argv[2])
artifacts = {}
for i in range(1, count + 1):
    sid = f"Bench{i:02d}"
    template = {"Resources": {
        "Queue": {"Type": "AWS::SQS::Queue",
                  "Properties": {"QueueName": f"bench-{i:02d}", "SqsManagedSseEnabled": True}},
        "Setting": {"Type": "AWS::SSM::Parameter",
                    "Properties": {"Name": f"/bench/{i:02d}", "Type": "String", "Value": sid}},
    }}
    with open(f"{out}/{sid}.template.json", "w") as f:
        json.dump(template, f, indent=1)
    artifacts[sid] = {
        "type": "aws:cloudformation:stack",
        "environment": "aws://unknown-account/unknown-region",
        "properties": {"templateFile": f"{sid}.template.json", "stackName": f"bench-{sid}"},
    }
with open(f"{out}/manifest.json", "w") as f:
    json.dump({"version": "55.0.0", "artifacts": artifacts}, f, indent=1)
PY

rcdk() { "$cli" rcdk "$@" --endpoint-url "$endpoint" --region us-east-1; }
rcdk bootstrap >"$work/bootstrap.log" 2>&1 || { cat "$work/bootstrap.log"; exit 1; }

declare -a rows
timed() {
    local label=$1
    shift
    local start end
    start=$(date +%s%N)
    if ! rcdk "$@" >"$work/run.log" 2>&1; then
        cat "$work/run.log"
        echo "failed: $label" >&2
        exit 1
    fi
    end=$(date +%s%N)
    local ms=$(((end - start) / 1000000))
    rows+=("$(printf '%-40s %4d.%02d s' "$label" $((ms / 1000)) $((ms % 1000 / 10)))")
}

echo "== runs (load before: $(cut -d' ' -f1-3 /proc/loadavg))"
timed "deploy  --concurrency 1 ($stacks stacks)" deploy --yes --concurrency 1 --app "$app"
timed "destroy --concurrency 1" destroy --yes --concurrency 1 --app "$app"
timed "deploy  --concurrency $high ($stacks stacks)" deploy --yes --concurrency "$high" --app "$app"
timed "destroy --concurrency $high" destroy --yes --concurrency "$high" --app "$app"
echo "== wall time (load after: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%s\n' "${rows[@]}"
