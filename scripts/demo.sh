#!/usr/bin/env bash
# make demo: start a small mixed simulated farm, discover it with the inventory plugin, show the fleet, stop the farm.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
FARM_ROOT=$(dirname "$here")
FARM_PYTHON=${FARM_PYTHON:-$FARM_ROOT/.venv/bin/python}
export FARM_ROOT FARM_PYTHON
# shellcheck source=scripts/farm.sh
source "$here/farm.sh"

work=$(mktemp -d)
trap 'farm_stop "$work"; rm -rf "$work"' EXIT

echo "== Starting a simulated farm of 12 miners (three firmware generations) on 127.0.50.0/24"
farm_start "$work" 127.0.50.0/24 12 btminer2021:4,api205:4,v3compat2026:4

mkdir -p "$work/inventory"
cat > "$work/inventory/farm.whatsminer.yml" <<YAML
plugin: hashops.whatsminer.whatsminer
networks:
  - network: 127.0.50.0/24
    vars: {site: demo}
keyed_groups:
  - key: whatsminer_power_mode
    prefix: power
YAML

export ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_CALLBACK_RESULT_FORMAT=yaml ANSIBLE_HOST_KEY_CHECKING=false
export ANSIBLE_FORKS=12 ANSIBLE_DISPLAY_SKIPPED_HOSTS=false
echo "== Discovery: scanning 127.0.50.0/24 for miners"
ansible-inventory -i "$work/inventory" --graph
echo "== Fleet report"
ansible-playbook -i "$work/inventory" "$FARM_ROOT/playbooks/fleet_report.yml"
