#!/usr/bin/env bash
# whatsminer_settings against a simulated farm of the three firmware generations (miner01 api205, miner02
# btminer2021, miner03 v3compat2026): every option is sent on every run (none reads back; on the V3 miner the
# heat mode and fan options do) and listed as unverifiable, check mode sends nothing, unknown commands fail clearly.
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
farm_start "$work" 127.0.94.0/24 3 api205:1,btminer2021:1,v3compat2026:1 --restart-seconds 1
farm_inventory "$work" miner > "$work/inventory.ini"
mkdir -p "$work/group_vars"
printf 'whatsminer_password: %s\n' "$FARM_PASSWORD" > "$work/group_vars/miners.yml"

farm_playbooks whatsminer_settings "$FARM_PASSWORD" not-the-password -- converge.yml failures.yml "$@"
