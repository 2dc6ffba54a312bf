#!/usr/bin/env bash
# whatsminer_led against a simulated farm of the three firmware generations (miner01 api205, miner02
# btminer2021, miner03 v3compat2026, worked through API V3): blink, auto (idempotent), for_seconds, check mode,
# refused options and each failure's message, asserted on the simulator's state and write log. The failures run
# twice: miner03 through API V3 (api auto, the default), then through its V2 port (whatsminer_api=v2).
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
farm_start "$work" 127.0.96.0/24 3 api205:1,btminer2021:1,v3compat2026:1 --restart-seconds 1
farm_inventory "$work" miner > "$work/inventory.ini"
mkdir -p "$work/group_vars"
printf 'whatsminer_password: %s\n' "$FARM_PASSWORD" > "$work/group_vars/miners.yml"

farm_playbooks "whatsminer_led (api auto)" "$FARM_PASSWORD" not-the-password -- converge.yml failures.yml "$@"
farm_playbooks "whatsminer_led failures (api v2)" "$FARM_PASSWORD" not-the-password -- failures.yml \
  -e whatsminer_api=v2 "$@"
