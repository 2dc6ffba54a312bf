#!/usr/bin/env bash
# whatsminer_facts against a mixed simulated farm: facts match what each miner holds.
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
farm_start "$work" 127.0.62.0/24 6 btminer2021:2,api205:2,v3compat2026:2
farm_inventory "$work" miner > "$work/inventory.ini"
farm_playbooks whatsminer_facts -- playbook.yml gather_facts.yml "$@"
