#!/usr/bin/env bash
# API V3 beside V2 on a mixed farm: each miner is read (and written) through its own API, auto falls back to V2
# when port 4433 is down and says so at -v, and whatsminer_api spares the probe.
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
# miner01 btminer2021, miner02 api205, miner03-04 v3compat2026 (API V3 on 4433)
farm_start "$work" 127.0.150.0/24 4 btminer2021:1,api205:1,v3compat2026:2 --restart-seconds 1
farm_inventory "$work" miner > "$work/inventory.ini"
mkdir -p "$work/group_vars"
printf 'whatsminer_password: %s\n' "$FARM_PASSWORD" > "$work/group_vars/miners.yml"
export API_V3_WORK=$work
farm_playbooks api_v3 "$FARM_PASSWORD" p00l-s3cret -- facts.yml writes.yml "$@"
# the fallback of facts.yml ("V3 port down") is said at -v, naming the miner, the port and the cause
v3_miner=$(sed -n 's/^miner04 ansible_host=//p' "$work/inventory.ini")
if ! grep -q "miner $v3_miner: API V3 did not answer get.device.info on port 4433 (connection refused" "$work/run.log"; then
  echo "FAIL: api_v3: the fallback to API V2 was not said at -v" >&2
  exit 1
fi
grep -q "miner $v3_miner: API V3 answered on port 4433; using it" "$work/run.log" \
  || { echo "FAIL: api_v3: the choice of API V3 was not said at -v" >&2; exit 1; }

# the inventory plugin records whatsminer_api; plays that use it do not probe port 4433 again
network=$(sed -n 's/^miner01 ansible_host=\([0-9.]*\)\.[0-9]*$/\1.0\/29/p' "$work/inventory.ini")
printf 'plugin: hashops.whatsminer.whatsminer\nnetworks: [%s]\nread_timeout: 3\n' "$network" > "$work/farm.whatsminer.yml"
ansible-inventory -i "$work/farm.whatsminer.yml" --list > "$work/inventory.json"
"$FARM_PYTHON" - "$work/inventory.json" <<'PY'
import json, sys
hostvars = json.load(open(sys.argv[1]))["_meta"]["hostvars"]
def plain(value):  # ansible-inventory shows values a miner reported as untrusted: {"__ansible_unsafe": ...}
    return value.get("__ansible_unsafe") if isinstance(value, dict) else value
apis = sorted((plain(v["ansible_host"]), plain(v["whatsminer_api"])) for v in hostvars.values())
assert [api for _address, api in apis] == ["v2", "v2", "v3", "v3"], apis
PY
ansible-playbook -i "$work/farm.whatsminer.yml" -e "whatsminer_password=$FARM_PASSWORD" -v recorded.yml > "$work/recorded.log" 2>&1 \
  || { echo "FAIL: api_v3: recorded.yml failed" >&2; tail -40 "$work/recorded.log" >&2; exit 1; }
if grep -q "API V3 answered\|API V3 did not answer" "$work/recorded.log"; then
  echo "FAIL: api_v3: a play probed port 4433 although the inventory recorded whatsminer_api" >&2
  exit 1
fi
echo "api_v3: the inventory recorded whatsminer_api for $(grep -c '"whatsminer_api"' "$work/inventory.json") miners; no probe followed"
