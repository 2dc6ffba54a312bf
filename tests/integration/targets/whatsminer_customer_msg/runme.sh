#!/usr/bin/env bash
# whatsminer_customer_msg against a simulated farm of the three firmware generations (miner01 api205, miner02
# btminer2021, miner03 v3compat2026, the only one with the V2.2 commands): set, read, idempotent, refused values,
# "firmware does not know" on the older two, and each failure's message, asserted on the simulator. The playbooks
# run twice: miner03 through API V3 (api auto, the default), then through API V2 (whatsminer_api=v2).
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
farm_start "$work" 127.0.98.0/24 3 api205:1,btminer2021:1,v3compat2026:1 --restart-seconds 1
farm_inventory "$work" miner > "$work/inventory.ini"
mkdir -p "$work/group_vars"
printf 'whatsminer_password: %s\n' "$FARM_PASSWORD" > "$work/group_vars/miners.yml"

farm_playbooks "whatsminer_customer_msg (api auto)" "$FARM_PASSWORD" not-the-password -- converge.yml failures.yml "$@"
farm_playbooks "whatsminer_customer_msg (api v2)" "$FARM_PASSWORD" not-the-password -- converge.yml failures.yml \
  -e whatsminer_api=v2 "$@"
