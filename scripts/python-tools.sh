#!/usr/bin/env bash
# Installs the pinned Python tools (tools/requirements.txt) into .tools/venv.
# Idempotent: does nothing when the venv already matches the requirements file.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv="$root/.tools/venv"
req="$root/tools/requirements.txt"
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "python-tools: installing $(grep -cvE '^[[:space:]]*(#|$)' "$req") pinned tools from tools/requirements.txt into .tools/venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
for tool in cfn-lint checkov moto_server cargo-lambda; do
  [ -x "$venv/bin/$tool" ] || { echo "python-tools: $tool missing after install" >&2; exit 1; }
done
# cargo-lambda cross-links with zig, which its `ziglang` dependency brings as a Python module.
"$venv/bin/python" -m ziglang version >/dev/null ||
  { echo "python-tools: zig (the ziglang package) does not run after install" >&2; exit 1; }
echo "$want" > "$stamp"
