#!/usr/bin/env bash
# whatsminer_system against a simulated farm of the three firmware generations (miner01 api205, miner02
# btminer2021, miner03 v3compat2026): restart_btminer and reboot waited for, check mode, factory_reset refused
# without confirm and done with it, pre_power_on polled until complete, each failure's message, asserted on
# the simulator's state and write log. miner03 reboots and restarts btminer through API V3 (api auto, the
# default); the failures run a second time with miner03 on its V2 port (whatsminer_api=v2).
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
farm_start "$work" 127.0.97.0/24 3 api205:1,btminer2021:1,v3compat2026:1 --restart-seconds 1
farm_inventory "$work" miner > "$work/inventory.ini"
mkdir -p "$work/group_vars"
printf 'whatsminer_password: %s\n' "$FARM_PASSWORD" > "$work/group_vars/miners.yml"

farm_playbooks "whatsminer_system (api auto)" "$FARM_PASSWORD" not-the-password -- converge.yml failures.yml "$@"
farm_playbooks "whatsminer_system failures (api v2)" "$FARM_PASSWORD" not-the-password -- failures.yml \
  -e whatsminer_api=v2 "$@"
