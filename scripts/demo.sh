#!/usr/bin/env bash
# make demo: start a small mixed simulated farm, discover it with the inventory plugin, show the fleet, configure it,
# roll firmware out (a canary, then the rest), stop the farm.
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
farm_start "$work" 127.0.50.0/24 12 btminer2021:4,api205:4,v3compat2026:4 --restart-seconds 1

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

# The farm's desired state: pools for every miner, a power mode per model group.
mkdir -p "$work/inventory/group_vars"
cat > "$work/inventory/group_vars/whatsminer.yml" <<YAML
whatsminer_password: $FARM_PASSWORD    # a demo: a real farm keeps this in an Ansible Vault file
demo_power_mode: normal
demo_pools:
  - url: stratum+tcp://btc.pool.example.com:3333
    user: "demo.{{ inventory_hostname | replace('-', '') }}"
  - url: btc-backup.pool.example.com:443
    user: "demo.{{ inventory_hostname | replace('-', '') }}"
YAML
printf 'demo_power_mode: low\n' > "$work/inventory/group_vars/whatsminer_model_M20SV10.yml"
printf 'demo_power_mode: high\n' > "$work/inventory/group_vars/whatsminer_model_M56SVH30.yml"

export ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_CALLBACK_RESULT_FORMAT=yaml ANSIBLE_HOST_KEY_CHECKING=false
export ANSIBLE_FORKS=12 ANSIBLE_DISPLAY_SKIPPED_HOSTS=false
echo "== Discovery: scanning 127.0.50.0/24 for miners"
ansible-inventory -i "$work/inventory" --graph
echo "== Fleet report"
ansible-playbook -i "$work/inventory" "$FARM_ROOT/playbooks/fleet_report.yml"
echo "== Desired state, dry run: what would change (--check --diff sends no write)"
ansible-playbook -i "$work/inventory" "$here/demo_configure.yml" --check --diff
echo "== Desired state, applied (power mode changes restart btminer; each is waited for and read back)"
ansible-playbook -i "$work/inventory" "$here/demo_configure.yml"
echo "== Desired state, applied again: nothing left to change"
ansible-playbook -i "$work/inventory" "$here/demo_configure.yml" | tee "$work/again.log"
grep -q "changed=[1-9]" "$work/again.log" && { echo "the second run changed something" >&2; exit 1; }
echo "== Firmware rollout: a canary, then the rest, each held to its own hashrate (playbooks/firmware_rollout.yml)"
{ printf 'WMFW 20260101.01.REL\n'; head -c 262144 /dev/zero; } > "$work/demo-firmware.bin"
cat > "$work/rollout.yml" <<YAML
firmware_rollout_image: $work/demo-firmware.bin
firmware_rollout_version: 20260101.01.REL
firmware_rollout_checksum: sha256:$(sha256sum "$work/demo-firmware.bin" | cut -d' ' -f1)
firmware_rollout_waves: [1, "100%"]
firmware_rollout_dir: $work/rollout
firmware_rollout_gate_minutes: 1
firmware_rollout_gate_poll_seconds: 1
YAML
ansible-playbook -i "$work/inventory" "$FARM_ROOT/playbooks/firmware_rollout.yml" -e "@$work/rollout.yml"
cat "$work/rollout/20260101.01.REL.report.md"
echo "== Fleet report after the change"
ansible-playbook -i "$work/inventory" "$FARM_ROOT/playbooks/fleet_report.yml"
