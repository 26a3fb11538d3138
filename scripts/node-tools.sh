#!/usr/bin/env bash
# Installs the pinned Node tools (tools/package.json, tools/package-lock.json) into .tools/node:
# the AWS CDK's cloud-assembly JSON schemas and the official AWS CDK CLI, which the tests use to
# check that cdk.out is a real Cloud Assembly, and the rule packs AWS publishes for CloudFormation
# (cfn-guard with the Control Tower rules, cdk-nag on aws-cdk-lib), which every example template
# must pass.
# Idempotent: does nothing when .tools/node already matches the lock file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/.tools/node"
lock="$root/tools/package-lock.json"
stamp="$dest/.package-lock.sha256"
command -v npm >/dev/null 2>&1 || {
  echo "node-tools: npm is not installed: install Node.js 18 or newer with npm (e.g. 'apt-get install nodejs npm')" >&2
  exit 1
}
want=$( (cat "$root/tools/package.json" "$lock") | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "node-tools: installing the packages pinned in tools/package-lock.json into .tools/node"
mkdir -p "$dest"
cp "$root/tools/package.json" "$lock" "$dest/"
# npm ci installs exactly the lock file (and fails when it does not match package.json).
(cd "$dest" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error)
for f in node_modules/.bin/cdk \
  node_modules/@aws-cdk/cloud-assembly-schema/schema/cloud-assembly.schema.json \
  node_modules/@aws-cdk/cloud-assembly-schema/schema/assets.schema.json \
  node_modules/@cdklabs/cdk-validator-cfnguard/bin/ubuntu/x86_64/cfn-guard \
  node_modules/cdk-nag/package.json node_modules/aws-cdk-lib/package.json; do
  [ -e "$dest/$f" ] || { echo "node-tools: $f missing after install" >&2; exit 1; }
done
echo "$want" > "$stamp"
