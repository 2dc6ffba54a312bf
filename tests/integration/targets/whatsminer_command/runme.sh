#!/usr/bin/env bash
# whatsminer_command against a simulated farm: reads, writes, check mode, and each failure's message.
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
farm_start "$work" 127.0.61.0/24 4 api205:2,btminer2021:1,v3compat2026:1 --restart-seconds 1
farm_inventory "$work" miner > "$work/inventory.ini"
mkdir -p "$work/group_vars"
printf 'whatsminer_password: %s\n' "$FARM_PASSWORD" > "$work/group_vars/miners.yml"
farm_playbooks whatsminer_command "$FARM_PASSWORD" pool-secret-1 -- playbook.yml "$@"
