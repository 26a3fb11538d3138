#!/usr/bin/env bash
# Benchmarks of the `microservices` example; prints the figures quoted in the README.
#
#  1. Synth in-process on the release build: median time per synth and peak RSS, with 2 and
#     40 services (examples/microservices/examples/synth_bench.rs).
#  2. The whole `synth` command on the release binaries, process start and file writes
#     included: hyperfine (if installed) and /usr/bin/time for the maximum RSS.
#  3. Cold `dev` builds in copies outside the workspace with their own target directories (so
#     neither other builds nor the workspace's artefacts count), offline: the example with
#     default features (no AWS SDK: deploy hands over to cargo-rcdk), the example with the opt-in
#     in-process deployer (`--features deploy`: the AWS SDK), and the `cargo-rcdk` subcommand.
#  4. Edit to template: a one-line change in the copy's main.rs (2 <-> 3 services), then
#     `cargo run -- synth` (default features); median of 3.
#
# Usage: scripts/bench.sh [--skip-cold]   (3 and 4 take minutes; --skip-cold skips them)
# BENCH_DIR (default: ../bench next to the repository) holds the copy and its target dir.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
skip_cold=${1:-}
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average $(load)"

echo "== 1. synth in-process (release)"
cargo build --quiet --release -p microservices --bin microservices --example synth_bench
bench=target/release/examples/synth_bench
"$bench" 2 200
"$bench" 40 50

echo "== 2. whole synth command (release binary)"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
two="target/release/microservices synth --output $out/two"
forty="$bench --cli 40 synth --output $out/forty"
if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 5 --runs 50 --style basic "$two" "$forty" 2>&1 |
        grep -E 'Benchmark|Time|Range'
else
    echo "(hyperfine not installed: apt-get install -y hyperfine)"
fi
for cmd in "$two" "$forty"; do
    /usr/bin/time -f "%e s wall, %M KiB max RSS: $cmd" $cmd >/dev/null 2>"$out/time.txt" ||
        { cat "$out/time.txt"; exit 1; }
    tail -n 1 "$out/time.txt"
done

[ "$skip_cold" = "--skip-cold" ] && exit 0

echo "== 3. cold dev builds, load before: $(load)"
dir=${BENCH_DIR:-$(dirname "$root")/bench}
copy="$dir/microservices"
rm -rf "$copy" "$dir/target"
mkdir -p "$copy"
cp -r examples/microservices/src "$copy/"
cp Cargo.lock "$copy/"
cat >"$copy/Cargo.toml" <<EOF
[package]
name = "microservices"
version = "0.1.0"
edition = "2021"
publish = false

[features]
default = []
deploy = ["rcdk/deploy"]

[dependencies]
rcdk = { path = "$root/rcdk", default-features = false }

[workspace]

# As in the workspace's Cargo.toml.
[profile.dev]
debug = "line-tables-only"

[profile.dev.package."*"]
debug = false
EOF
cold() {
    local label=$1 target=$2
    shift 2
    CARGO_TARGET_DIR="$target" /usr/bin/time \
        -f "cold build, $label: %e s wall, %U s user, %S s system, %M KiB max RSS" \
        cargo build --offline --quiet "$@" 2>&1 | tail -n 1
    echo "load: $(load)"
}
rm -rf "$dir/target-deploy" "$dir/target-cli"
cold "example, default features (no AWS SDK)" "$dir/target" --manifest-path "$copy/Cargo.toml"
cold "example, --features deploy (in-process, AWS SDK)" "$dir/target-deploy" \
    --features deploy --manifest-path "$copy/Cargo.toml"
cold "cargo-rcdk" "$dir/target-cli" --manifest-path "$root/cargo-rcdk/Cargo.toml"
export CARGO_TARGET_DIR="$dir/target"

echo "== 4. one-line change in main.rs -> new template (cargo run -- synth)"
cd "$copy"
times=()
for n in 3 2 3; do
    sed -i -E "s/build_app\([0-9]+\)/build_app($n)/" src/main.rs
    start=$(date +%s%N)
    cargo run --offline --quiet -- synth --output "$out/edit" >/dev/null 2>&1
    end=$(date +%s%N)
    services=$(grep -o '"AWS::ECS::Service"' "$out/edit/Microservices.template.json" | wc -l)
    [ "$services" = "$n" ] || { echo "template has $services services, expected $n"; exit 1; }
    times+=($(((end - start) / 1000000)))
    echo "run: ${times[-1]} ms ($n services in the new template)"
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
echo "edit to template: median ${sorted[1]} ms of ${times[*]} ms; load $(load)"
