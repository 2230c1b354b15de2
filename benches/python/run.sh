#!/bin/sh
# CPython baseline for the corio bench suite.
#
# Creates a virtual environment in benches/python/.venv on first use,
# installs uvloop into it when pip can, runs bench.py and writes
# target/corio-bench/python.json (or the path given as first argument).
# Without python3 it says so and exits 0, so a bench run can go on.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-"$root/target/corio-bench/python.json"}
venv="$here/.venv"

if ! command -v python3 >/dev/null 2>&1; then
    echo "python baseline: python3 not found, skipping (install python3 to compare with asyncio)"
    exit 0
fi

python=python3
if [ -x "$venv/bin/python" ] || python3 -m venv "$venv" >/dev/null 2>&1; then
    python="$venv/bin/python"
    if ! "$python" -c 'import uvloop' >/dev/null 2>&1; then
        if "$python" -m pip install --quiet --disable-pip-version-check uvloop >/dev/null 2>&1; then
            echo "python baseline: installed uvloop into $venv"
        else
            echo "python baseline: pip could not install uvloop (offline?), measuring asyncio only"
        fi
    fi
else
    rm -rf "$venv"
    echo "python baseline: cannot create a virtualenv (python3-venv missing?), using python3 without uvloop"
fi

mkdir -p "$(dirname "$out")"
echo "python baseline: $("$python" --version 2>&1), writing $out"
"$python" "$here/bench.py" --out "$out" >/dev/null
# The TCP echo shapes, merged into the same report.
echo_json=$("$python" "$here/echo.py" --runs 3)
"$python" - "$out" "$echo_json" <<'PY'
import json, sys
path, extra = sys.argv[1], json.loads(sys.argv[2])
with open(path, encoding="utf-8") as f:
    report = json.load(f)
for loop, results in extra.items():
    report.setdefault(loop, {}).update({k: round(v, 1) for k, v in results.items()})
with open(path, "w", encoding="utf-8") as f:
    f.write(json.dumps(report, indent=2) + "\n")
PY
