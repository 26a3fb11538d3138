#!/usr/bin/env bash
# Times the `microservices` example (seed 000) against the same app written with the AWS CDK
# (bench/aws-cdk), side by side in one run, with 2 and 40 services, and prints the table that
# the README quotes.
#
#   bash bench/compare.sh          # RUNS=5 runs of each AWS CDK command, OURS_RUNS=30 of ours
#
# What is timed, each from process start to exit, output directory removed before every run:
#  - ours: the release binary's whole `synth` command, writing cdk.out (as in scripts/bench.sh:
#    `microservices synth` for 2 services, `synth_bench --cli 40 synth` for 40);
#  - the AWS CDK: `node app.js`, the app itself writing cdk.out (what the CLI runs), and
#    `cdk synth --quiet` through the pinned CLI, what a user of the AWS CDK types.
# Wall time is the median of the runs after one warm-up, CPU time (user + system, children
# included) the median too: on a machine busy with other work, wall time grows and CPU time
# much less. Memory is the peak RSS of the process tree's largest process (bench/measure.py,
# the figure GNU time's %M prints).
#
# Installs the pinned npm packages (bench/aws-cdk/package-lock.json) into
# bench/aws-cdk/node_modules and builds our release binaries; needs node, npm, python3 and
# cargo. Not part of the tests or CI: it takes minutes and measures the machine as much as
# the code.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${RUNS:-5}
ours_runs=${OURS_RUNS:-30}
target=${CARGO_TARGET_DIR:-$root/target}
cdk_app="$root/bench/aws-cdk"

# Nothing here talks to AWS: no instance metadata, no AWS CDK notices, version check or
# telemetry, no credentials from the user's settings.
export AWS_EC2_METADATA_DISABLED=true
export CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "== install: npm ci (bench/aws-cdk/package-lock.json)"
stamp="$cdk_app/node_modules/.package-lock.sha256"
want=$(cat "$cdk_app/package.json" "$cdk_app/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    (cd "$cdk_app" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
fi

echo "== build: our release binaries"
cargo build --quiet --release -p microservices --bin microservices --example synth_bench

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

cdk_lib=$(node -p "require('$cdk_app/node_modules/aws-cdk-lib/package.json').version")
cdk_cli=$(node -p "require('$cdk_app/node_modules/aws-cdk/package.json').version")
echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
    "$(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
    "$(rustc --version | cut -d' ' -f1-2), node $(node --version)," \
    "aws-cdk-lib $cdk_lib, aws-cdk CLI $cdk_cli; load average before: $(load)"

# resources DIR: the resource count of each template in DIR, "118" or "397 + 325".
resources() {
    python3 - "$1" <<'EOF'
import glob, json, sys
counts = []
for path in sorted(glob.glob(sys.argv[1] + "/*.template.json")):
    with open(path) as f:
        counts.append(str(len(json.load(f)["Resources"])))
print(" + ".join(counts))
EOF
}

# measure RUNS DIR [measure.py options] -- COMMAND...: prints "median_ms=... rss_mib=...".
measure() {
    local n=$1 dir=$2
    shift 2
    python3 "$root/bench/measure.py" --runs "$n" --clean "$dir" "$@"
}
field() { sed -E "s/.*$1=([0-9.]+).*/\1/" <<<"$2"; }

declare -A result
for services in 2 40; do
    echo "== $services services (load average $(load))"
    dir="$out/ours-$services"
    if [ "$services" = 2 ]; then
        ours=("$target/release/microservices" synth --output "$dir")
    else
        ours=("$target/release/examples/synth_bench" --cli "$services" synth --output "$dir")
    fi
    result[ours,$services]=$(measure "$ours_runs" "$dir" -- "${ours[@]}")
    result[ours_res,$services]=$(resources "$dir")
    echo "ours, whole synth command: ${result[ours,$services]}; resources ${result[ours_res,$services]}"

    dir="$out/node-$services"
    result[node,$services]=$(measure "$runs" "$dir" --cwd "$cdk_app" --env "CDK_OUTDIR=$dir" \
        -- node app.js "$services")
    result[cdk_res,$services]=$(resources "$dir")
    echo "AWS CDK, node app.js: ${result[node,$services]}; resources ${result[cdk_res,$services]}"

    # An app of this aws-cdk-lib validates its templates against built-in CloudFormation
    # rules by default, which takes most of the time and memory; CDK_VALIDATION=false shows
    # what construction and synthesis alone cost.
    dir="$out/novalidate-$services"
    result[noval,$services]=$(measure "$runs" "$dir" --cwd "$cdk_app" --env "CDK_OUTDIR=$dir" \
        --env CDK_VALIDATION=false -- node app.js "$services")
    echo "AWS CDK, node app.js, CDK_VALIDATION=false: ${result[noval,$services]}"

    dir="$out/cli-$services"
    result[cli,$services]=$(measure "$runs" "$dir" --cwd "$cdk_app" --env "SERVICES=$services" \
        -- "$cdk_app/node_modules/.bin/cdk" synth --quiet --no-notices --output "$dir")
    echo "AWS CDK, cdk synth: ${result[cli,$services]}"
done

# cell KEY SERVICES: "2.78 s (CPU 3.10 s) / 442 MiB" or "6.0 ms (CPU 5.1 ms) / 11.5 MiB".
cell() {
    local r=${result[$1,$2]}
    awk -v ms="$(field median_ms "$r")" -v cpu="$(field cpu_ms "$r")" \
        -v rss="$(field rss_mib "$r")" '
        function t(x) { return x >= 1000 ? sprintf("%.2f s", x / 1000) : sprintf("%.1f ms", x) }
        BEGIN { m = (rss >= 100) ? sprintf("%.0f", rss) : sprintf("%.1f", rss)
                printf "%s (CPU %s) / %s MiB", t(ms), t(cpu), m }'
}
ratio() {
    awk -v a="$(field median_ms "${result[$1,$3]}")" -v b="$(field median_ms "${result[$2,$3]}")" \
        -v c="$(field cpu_ms "${result[$1,$3]}")" -v d="$(field cpu_ms "${result[$2,$3]}")" \
        'BEGIN { printf "%.0fx (CPU %.0fx)", a / b, c / d }'
}

echo
echo "Median wall time (and CPU time) of $runs runs (ours: $ours_runs) after a warm-up / peak RSS; load average after: $(load)"
echo
echo "| Median wall time (CPU time) / peak memory | 2 services | 40 services |"
echo "|---|---|---|"
echo "| ours: whole \`synth\` command, release build | $(cell ours 2) | $(cell ours 40) |"
echo "| AWS CDK $cdk_lib: \`node app.js\` | $(cell node 2) | $(cell node 40) |"
echo "| AWS CDK $cdk_lib: \`node app.js\` with \`CDK_VALIDATION=false\` | $(cell noval 2) | $(cell noval 40) |"
echo "| AWS CDK $cdk_lib: \`cdk synth --quiet\` (CLI $cdk_cli) | $(cell cli 2) | $(cell cli 40) |"
echo "| resources (ours; AWS CDK) | ${result[ours_res,2]}; ${result[cdk_res,2]} | ${result[ours_res,40]}; ${result[cdk_res,40]} |"
echo "| \`node app.js\` / ours | $(ratio node ours 2) | $(ratio node ours 40) |"
