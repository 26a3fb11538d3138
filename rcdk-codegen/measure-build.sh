#!/usr/bin/env bash
# Compile-time budget of the generated resources: cold build with default features,
# build with `full`, and `cargo check --all-features`, wall time and peak RSS.
#
# Measures a copy of rcdk-constructs that holds only `src/cfn` (the hand-written modules are not
# part of this budget), depending on the workspace's rcdk-core, in its own target directory
# outside the workspace, offline. "crate only" runs start from a target directory whose
# dependencies are built but which has no artefacts (incremental state included) of the crate.
#
# Usage: bash rcdk-codegen/measure-build.sh [DIR]   (DIR, default /tmp/cfn-measure, is wiped)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-/tmp/cfn-measure}
rm -rf "$dir"
mkdir -p "$dir/src"
cp -r "$root/rcdk-constructs/src/cfn" "$dir/src/cfn"
echo 'pub mod cfn;' > "$dir/src/lib.rs"
cp "$root/Cargo.lock" "$dir/Cargo.lock"
features=$(sed -n '/^\[features\]/,/^# END GENERATED FEATURES/p' "$root/rcdk-constructs/Cargo.toml" | grep -v '^#')
cat > "$dir/Cargo.toml" <<TOML
[package]
name = "cfn-measure"
version = "0.1.0"
edition = "2021"

[dependencies]
rcdk-core = { path = "$root/rcdk-core" }

[workspace]

[profile.dev]
debug = "line-tables-only"

[profile.dev.package."*"]
debug = false

$features
TOML
cd "$dir"
export CARGO_TARGET_DIR="$dir/target"
run() {
  local label=$1
  shift
  /usr/bin/time -v "$@" >/dev/null 2>"$dir/time.out" || { cat "$dir/time.out"; exit 1; }
  printf '%-45s %8s  %6d MB\n' "$label" \
    "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$dir/time.out")" \
    "$(( $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time.out") / 1024 ))"
}
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); source $(du -sh src/cfn | cut -f1)"
run "cold build, default features (deps incl.)" cargo build --offline
cargo clean --offline -p cfn-measure 2>/dev/null
run "build, default features (crate only)" cargo build --offline
cargo clean --offline -p cfn-measure 2>/dev/null
run "build, --features full (crate only)" cargo build --offline --features full
rm -rf "$CARGO_TARGET_DIR"
run "cold check --all-features (deps incl.)" cargo check --offline --all-features
cargo clean --offline -p cfn-measure 2>/dev/null
run "check --all-features (crate only)" cargo check --offline --all-features
