#!/usr/bin/env bash
# Time to migrate a 100-resource template to a Rust program and build it: `cargo rcdk migrate`
# (release build of the subcommand) on tests/templates/corpus/large-network-fleet.json (125
# resources), then the generated package's build cold (its own target directory, dependencies
# included, dev profile), again after a one-line change of its main.rs, and its `synth`.
#
#   bash bench/migrate.sh
#
# TEMPLATE overrides the template. Needs the crates of Cargo.lock downloaded (any earlier build
# of this workspace); nothing is fetched. Not part of the tests or CI: it measures the machine as
# much as the code.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
template=${TEMPLATE:-$root/tests/templates/corpus/large-network-fleet.json}
target=${CARGO_TARGET_DIR:-$root/target}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
secs() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }

cargo build --release -q -p cargo-rcdk
bin=$target/release/cargo-rcdk
resources=$(python3 - "$template" <<'PY'
import json, sys
print(len(json.load(open(sys.argv[1]))["Resources"]))
PY
)

# Median of 9 migrations (each into a fresh directory).
times=()
for i in 1 2 3 4 5 6 7 8 9; do
    start=$(now)
    "$bin" rcdk migrate --from-path "$template" --name fleet --output-dir "$work/run$i" \
        --rcdk-path "$root" 2>/dev/null
    times+=("$(secs "$start" "$(now)")")
done
migrate=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 5p)
pkg=$work/run1
lines=$(wc -l < "$pkg/src/main.rs")
cp "$root/Cargo.lock" "$pkg/"

start=$(now)
(cd "$pkg" && CARGO_TARGET_DIR=$work/target cargo build -q --offline)
cold=$(secs "$start" "$(now)")

echo "// touched" >> "$pkg/src/main.rs"
start=$(now)
(cd "$pkg" && CARGO_TARGET_DIR=$work/target cargo build -q --offline)
incremental=$(secs "$start" "$(now)")

start=$(now)
(cd "$pkg" && "$work/target/debug/fleet" synth --output "$work/cdk.out" >/dev/null)
synth=$(secs "$start" "$(now)")

echo "template: $template ($resources resources)"
echo "migrate (release cargo-rcdk, median of 9): ${migrate} s -> main.rs of $lines lines"
echo "build, cold (dependencies included, dev profile): ${cold} s"
echo "build after a one-line change of main.rs: ${incremental} s"
echo "synth of the migrated program: ${synth} s"
