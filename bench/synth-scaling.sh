#!/usr/bin/env bash
# The whole `synth` command of the microservices app (seed 000) at 2, 40 and 100 services:
# builds the release binary, writes each cdk.out once (saving it with what the command printed),
# then times the command and, given a reference directory saved by an earlier run, checks that
# every byte written and printed is the same.
#
#   bash bench/synth-scaling.sh [--save DIR] [--compare DIR]
#
#   --save DIR      keep the outputs in DIR/<services>/ (cdk.out files, stdout.txt, stderr.txt)
#   --compare DIR   diff -r the outputs against DIR/<services>/ saved by an earlier --save;
#                   any difference fails the script
#
# Timing: bench/measure.py, RUNS (default 30) runs after a warm-up, the output directory removed
# before each run: median, min and max wall time, median CPU time, median peak RSS. The command
# is `target/release/examples/synth_bench --cli N synth --output DIR`, run from the repository
# root, as `bench/compare.sh` runs it for 40 services (the 2-service app is the same one the
# `microservices` binary runs). SERVICES overrides the list ("2 40 100"); SYNTH_BENCH names a
# prebuilt synth_bench binary to time instead of building this checkout's (e.g. one built from
# an earlier commit, to save the reference and the "before" figures; its outputs depend on this
# checkout's files too, which the image hashes read).
#
# Outputs hold the repository's absolute path (the image packages' manifests), so compare runs
# made in the same checkout. Not part of the tests or CI: it measures the machine as much as the
# code.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
save="" compare=""
while [ $# -gt 0 ]; do
    case $1 in
    --save) save=$2; shift 2 ;;
    --compare) compare=$2; shift 2 ;;
    *) echo "usage: $0 [--save DIR] [--compare DIR]" >&2; exit 2 ;;
    esac
done
runs=${RUNS:-30}
services_list=${SERVICES:-2 40 100}
target=${CARGO_TARGET_DIR:-$root/target}
bin=${SYNTH_BENCH:-$target/release/examples/synth_bench}

[ -n "${SYNTH_BENCH:-}" ] || cargo build --quiet --release -p microservices --example synth_bench

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(rustc --version | cut -d' ' -f1-2); load average before: $(load)"

status=0
for n in $services_list; do
    # One run kept: the files and what the command printed (the output directory's path
    # replaced by OUT, so that runs into different directories compare).
    out="$work/out-$n"
    kept="$work/kept/$n"
    mkdir -p "$kept"
    "$bin" --cli "$n" synth --output "$out" >"$work/stdout" 2>"$work/stderr"
    cp -r "$out" "$kept/cdk.out"
    sed "s|$out|OUT|g" "$work/stdout" >"$kept/stdout.txt"
    sed "s|$out|OUT|g" "$work/stderr" >"$kept/stderr.txt"
    if [ -n "$save" ]; then
        rm -rf "${save:?}/$n"
        mkdir -p "$save"
        cp -r "$kept" "$save/$n"
    fi
    same=""
    if [ -n "$compare" ]; then
        if diff -r "$compare/$n" "$kept" >"$work/diff"; then
            same="; output identical to $compare/$n"
        else
            same="; OUTPUT DIFFERS from $compare/$n"
            head -n 20 "$work/diff"
            status=1
        fi
    fi
    bytes=$(cat "$kept"/cdk.out/* | wc -c)
    figures=$(python3 bench/measure.py --runs "$runs" --clean "$out" -- "$bin" --cli "$n" synth --output "$out")
    echo "$n services: $figures; $(ls "$kept/cdk.out" | wc -l) files, $bytes bytes$same"
done
echo "load average after: $(load)"
exit $status
