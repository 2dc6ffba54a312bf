#!/usr/bin/env bash
# whatsminer_facts, whatsminer_command and whatsminer_pools against hostile miners on loopback (tests/unit/hostile.py):
# every task fails within a few timeouts, names the miner and the command, and says what happened.
set -euo pipefail
root=$PWD
until [ -f "$root/galaxy.yml" ]; do root=$(dirname "$root"); done
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
work=$(mktemp -d)
hostile_pid=""
cleanup() {
  if [ -n "$hostile_pid" ]; then
    kill "$hostile_pid" 2>/dev/null || true
    wait "$hostile_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$python" "$root/tests/unit/hostile.py" --ready-file "$work/servers.json" --network 127.0.93 --lifetime 240 \
  > "$work/hostile.log" 2>&1 &
hostile_pid=$!
waited=0
until [ -s "$work/servers.json" ]; do
  if ! kill -0 "$hostile_pid" 2>/dev/null; then
    echo "the hostile servers did not start:" >&2
    cat "$work/hostile.log" >&2
    exit 1
  fi
  sleep 0.1
  waited=$((waited + 1))
  [ "$waited" -lt 100 ] || { echo "the hostile servers did not get ready in 10 s" >&2; exit 1; }
done

"$python" - "$work/servers.json" "$python" > "$work/inventory.ini" <<'PY'
import json, sys
ready = json.load(open(sys.argv[1]))
print("[hostile]")
for server in ready["servers"]:
    print(f"{server['kind']} ansible_host={server['host']} hostile_port={server['port']}")
print("[hostile:vars]")
print("ansible_connection=local")
print(f"ansible_python_interpreter={sys.argv[2]}")
print(f"whatsminer_password={ready['password']}")
PY

# The output goes to a file; the terminal gets its end only when something failed.
if ! ANSIBLE_FORKS=20 ansible-playbook -i "$work/inventory.ini" playbook.yml "$@" > "$work/run.log" 2>&1; then
  echo "FAIL: hostile_servers: from the playbook's output:" >&2
  grep -nE -A12 '^(fatal|failed): .*assert|Assertion failed' "$work/run.log" | cut -c1-600 | tail -n 60 >&2 || tail -n 60 "$work/run.log" >&2
  exit 1
fi
grep -F '"msg": "facts ' "$work/run.log" | sed 's/^ *"msg": "/hostile_servers: /; s/"$//' | sort | head -n 20
echo "hostile_servers: passed"
