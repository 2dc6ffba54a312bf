#!/usr/bin/env bash
# whatsminer_pools against a simulated farm of the three firmware generations: pools converge (URLs
# normalised, unused slots cleared) and are idempotent, check mode sends nothing, no pool password ever
# shows (result, diff, -vvvv), and each failure's message is clear.
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
farm_start "$work" 127.0.81.0/24 3 api205:1,btminer2021:1,v3compat2026:1 --restart-seconds 1
farm_inventory "$work" miner > "$work/inventory.ini"
mkdir -p "$work/group_vars"
printf 'whatsminer_password: %s\n' "$FARM_PASSWORD" > "$work/group_vars/miners.yml"

farm_playbooks whatsminer_pools "$FARM_PASSWORD" not-the-password pool-secret-7 pool-secret-8 -- converge.yml failures.yml "$@"
