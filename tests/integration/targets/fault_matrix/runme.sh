#!/usr/bin/env bash
# The fault matrix: every injected fault x every persona x facts, command and every config module. Each
# task must fail within a bound, name the miner and the command, say what happened, and send no write.
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
farm_start "$work" 127.0.64.0/24 3 api205:1,btminer2021:1,v3compat2026:1 --restart-seconds 1
farm_inventory "$work" miner > "$work/inventory.ini"
mkdir -p "$work/group_vars"
printf 'whatsminer_password: %s\n' "$FARM_PASSWORD" > "$work/group_vars/miners.yml"
farm_playbooks fault_matrix "$FARM_PASSWORD" -- matrix.yml "$@"
