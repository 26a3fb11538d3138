#!/usr/bin/env bash
# Deploy benchmarks against a local moto server (loopback only, fake credentials), printing the
# figures quoted in the README:
#
#  1. `cargo rcdk deploy --app DIR` of `hello` with no change: the whole command (preflight,
#     asset check, change set that comes back empty), median of 9.
#  2. The same for `nightly-job`, whose stack has a Lambda function built from a Rust package:
#     a no-change redeploy of an app with assets (nothing is built or uploaded: one HeadObject
#     per asset answers), against its template-only counterpart in 1.
#  3. `microservices`, whose two services are container images built from workspace packages:
#     the first publish (release builds with cargo-lambda, image assembly, pushes to a local OCI
#     registry standing in for ECR, as in the tests), then the no-change deploy (one manifest
#     HEAD per image).
#
# Usage: scripts/bench-deploy.sh   (the first deploy of nightly-job builds the function with
# cargo-lambda: minutes when cold)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/python-tools.sh

# Nothing from the developer's AWS settings; the SDK must not probe instance metadata.
for var in $(compgen -e | grep '^AWS_' || true); do unset "$var"; done
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1

work=$(mktemp -d)
log="$work/moto.log"
.tools/venv/bin/python tests/moto_patches.py -H 127.0.0.1 -p 0 >"$log" 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null; rm -rf "$work"' EXIT
port=""
for _ in $(seq 1 100); do
    port=$(grep -oE 'Running on http://127\.0\.0\.1:[0-9]+' "$log" | head -n 1 | sed 's/.*://' || true)
    [ -n "$port" ] && break
    sleep 0.2
done
[ -n "$port" ] || { cat "$log"; echo "moto did not start" >&2; exit 1; }
endpoint="http://127.0.0.1:$port"
echo "moto on $endpoint"

cargo build --quiet --release -p cargo-rcdk
cli="$root/target/release/cargo-rcdk"
export RCDK_CLI="$cli"
aws=(--endpoint-url "$endpoint" --region us-east-1)
"$cli" bootstrap "${aws[@]}" >/dev/null

median_ms() {
    local times=() start end
    for _ in $(seq 1 9); do
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || { "$@"; exit 1; }
        end=$(date +%s%N)
        times+=($(((end - start) / 1000000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n 5p
}

# A local OCI registry with the test base image (the machine may not reach gcr.io), standing
# in for ECR as in the deploy tests.
cargo build --quiet -p rcdk-testkit --example local_registry
coproc REGISTRY { "$root/target/debug/examples/local_registry"; }
read -r registry_endpoint base_image <&"${REGISTRY[0]}"
export RCDK_ECR_REGISTRY_ENDPOINT="$registry_endpoint" RCDK_DEFAULT_BASE_IMAGE="$base_image"
echo "registry on $registry_endpoint, base $base_image"

for example in hello nightly-job microservices; do
    out="$work/$example.out"
    "$cli" -p "$example" -o "$out" synth >/dev/null 2>&1
    first_start=$(date +%s%N)
    "$cli" deploy --app "$out" --all --yes "${aws[@]}" >/dev/null
    first_ms=$((($(date +%s%N) - first_start) / 1000000))
    echo "first deploy --app, $example (builds and publishes its assets): ${first_ms} ms"
    ms=$(median_ms "$cli" deploy --app "$out" --all --yes "${aws[@]}")
    assets=$(grep -c '"packaging"\|"executable"' "$out"/*.assets.json || true)
    echo "no-change deploy --app, $example ($assets asset(s), the templates and images included): median ${ms} ms"
    "$cli" deploy --app "$out" --all --yes "${aws[@]}" 2>&1 | grep -iE 'asset|no changes' | head -n 3
done
