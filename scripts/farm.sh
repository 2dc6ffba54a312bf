# shellcheck shell=bash
# Functions to run a simulated farm from bash (sourced by scripts/demo.sh and the integration targets).
#   farm_start DIR NETWORK MINERS PERSONA [extra farm.py options...]   starts it, waits until it listens
#   farm_inventory DIR NAME_PREFIX > inventory.ini                      static inventory of its miners
#   farm_stop DIR                                                       stops it
# DIR holds farm.json (the ready file), farm.pid and farm.log.

FARM_ROOT=${FARM_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
FARM_PYTHON=${FARM_PYTHON:-${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}}
FARM_PASSWORD=${FARM_PASSWORD:-s3cret}

farm_start() {
  local dir=$1 network=$2 miners=$3 persona=$4
  shift 4
  mkdir -p "$dir"
  rm -f "$dir/farm.json"
  "$FARM_PYTHON" "$FARM_ROOT/tests/simulator/farm.py" --miners "$miners" --network "$network" \
    --password "$FARM_PASSWORD" --persona "$persona" --ready-file "$dir/farm.json" --lifetime 900 "$@" \
    > "$dir/farm.log" 2>&1 &
  echo $! > "$dir/farm.pid"
  local waited=0
  until [ -s "$dir/farm.json" ]; do
    if ! kill -0 "$(cat "$dir/farm.pid")" 2>/dev/null; then
      echo "the simulated farm did not start:" >&2
      cat "$dir/farm.log" >&2
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
    [ "$waited" -lt 300 ] || { echo "the simulated farm did not get ready in 30 s" >&2; return 1; }
  done
}

farm_control() {
  "$FARM_PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["control"])' "$1/farm.json"
}

farm_inventory() {
  local dir=$1 prefix=${2:-miner}
  "$FARM_PYTHON" - "$dir/farm.json" "$prefix" "$FARM_PYTHON" <<'PY'
import json, sys
ready, prefix, python = sys.argv[1], sys.argv[2], sys.argv[3]
miners = json.load(open(ready))["miners"]
print("[miners]")
for index, address in enumerate(miners, 1):
    print(f"{prefix}{index:02d} ansible_host={address}")
print("[miners:vars]")
print("ansible_connection=local")
print(f"ansible_python_interpreter={python}")
PY
}

farm_stop() {
  local dir=$1
  [ -f "$dir/farm.pid" ] || return 0
  kill "$(cat "$dir/farm.pid")" 2>/dev/null || true
  wait "$(cat "$dir/farm.pid")" 2>/dev/null || true
  rm -f "$dir/farm.pid"
}
