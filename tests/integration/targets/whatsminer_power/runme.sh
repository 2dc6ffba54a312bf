#!/usr/bin/env bash
# whatsminer_power against a simulated farm of the three firmware generations: each option converges and
# reads back (or is reported unverifiable), check mode sends nothing, restarts are waited for and verified,
# firmware that lacks a command fails clearly, and each failure's message is clear.
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
farm_start "$work" 127.0.82.0/24 3 api205:1,btminer2021:1,v3compat2026:1 --restart-seconds 1
farm_inventory "$work" miner > "$work/inventory.ini"
mkdir -p "$work/group_vars"
printf 'whatsminer_password: %s\n' "$FARM_PASSWORD" > "$work/group_vars/miners.yml"

farm_playbooks whatsminer_power "$FARM_PASSWORD" not-the-password -- converge.yml failures.yml "$@"
