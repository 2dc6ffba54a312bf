#!/usr/bin/env bash
# The discovery inventory against a mixed simulated farm: every miner found with the vars and groups the
# farm says it should have, a non-WhatsMiner on the port skipped, then caching and --flush-cache.
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
here=$(pwd)

stranger_pid=
cleanup() {
  [ -z "$stranger_pid" ] || kill "$stranger_pid" 2>/dev/null || true
  farm_stop "$work"
  rm -rf "$work"
}
trap cleanup EXIT

farm_start "$work" 127.0.63.0/24 9 btminer2021:3,api205:3,v3compat2026:3 --spread auto
control=$(farm_control "$work")

# Something else listening on the API port: it answers like a web server, so it must be skipped.
"$python" "$here/stranger.py" 127.0.63.250 4028 "$work/stranger.ready" &
stranger_pid=$!
until [ -e "$work/stranger.ready" ]; do sleep 0.1; done

config="$work/farm.whatsminer.yml"
cat > "$config" <<YAML
plugin: hashops.whatsminer.whatsminer
networks:
  - network: 127.0.63.0/25
    vars: {site: lab, rack: r1}
  - network: 127.0.63.128-127.0.63.253
    vars: {site: lab, rack: r2}
exclude:
  - 127.0.63.254
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: $work/cache
cache_timeout: 3600
keyed_groups:
  - key: rack
    prefix: rack
compose:
  found_at: ansible_host
YAML

list() {  # list NAME [ansible-inventory options...]: the inventory as JSON in $work/NAME.json, -v output in NAME.log
  local name=$1
  shift
  ansible-inventory -i "$config" --list --output "$work/$name.json" -v "$@" > "$work/$name.log" 2>&1 \
    || { cat "$work/$name.log" >&2; return 1; }
}

echo "== scan"
list scan
cat "$work/scan.log"
"$python" "$here/check_inventory.py" "$work/scan.json" "$control" --expect farm
grep -q "skipped 127.0.63.250: it answers on port 4028, but not as a WhatsMiner API" "$work/scan.log" \
  || { echo "FAIL: the web server on 127.0.63.250:4028 was not reported as skipped at -v" >&2; exit 1; }

echo "== the inventory drives a play: --limit to a group, modules run locally with the controller's python"
ansible -i "$config" whatsminer --limit rack_r2 -m hashops.whatsminer.whatsminer_facts -a gather_subset=identity \
  > "$work/adhoc.log" 2>&1 || { cat "$work/adhoc.log" >&2; exit 1; }
answered=$(grep -c " | SUCCESS" "$work/adhoc.log" || true)
expected=$("$python" "$here/check_inventory.py" "$work/scan.json" "$control" --count rack_r2)
echo "$answered of the $expected miners in rack_r2 answered whatsminer_facts"
[ "$answered" -eq "$expected" ] && [ "$expected" -gt 0 ]

echo "== farm stopped: the second run comes from the cache and sends nothing"
kill "$stranger_pid"
stranger_pid=
farm_stop "$work"
list cached
grep -q "from the cache, nothing scanned" "$work/cached.log"
"$python" "$here/check_inventory.py" "$work/cached.json" "$work/scan.json" --expect same

echo "== farm stopped: --flush-cache scans again and finds nothing"
list flushed --flush-cache
"$python" "$here/check_inventory.py" "$work/flushed.json" "" --expect none
list after_flush
"$python" "$here/check_inventory.py" "$work/after_flush.json" "" --expect none
echo "inventory_whatsminer: all checks passed"
