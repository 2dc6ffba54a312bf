#!/usr/bin/env bash
# make demo: start a small mixed simulated farm, discover it with the inventory plugin, audit it against its desired
# state (farm_state --check --diff), apply it, make three miners drift and show the drift report, fix it, show a
# second run is clean, roll firmware out (a canary, then the rest), write the HTML fleet report and its screenshot.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
FARM_ROOT=$(dirname "$here")
FARM_PYTHON=${FARM_PYTHON:-$FARM_ROOT/.venv/bin/python}
export FARM_ROOT FARM_PYTHON
# shellcheck source=scripts/farm.sh
source "$here/farm.sh"

work=$(mktemp -d)
# step TITLE: a section's title, with how long the section before it took
step() {
  [ -z "${step_started:-}" ] || echo "   ($((SECONDS - step_started)) s)"
  step_started=$SECONDS
  echo "== $1"
}
trap 'farm_stop "$work"; rm -rf "$work"' EXIT

step "Starting a simulated farm of 12 miners (three firmware generations) on 127.0.50.0/24"
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

# The farm's desired state, as a farm keeps it in git: pools with a worker per miner, a hostname per miner,
# a power mode per model group (a model group's variables win over the farm-wide ones).
mkdir -p "$work/inventory/group_vars/whatsminer"
printf 'whatsminer_password: %s   # a demo: a real farm keeps this in an Ansible Vault file\n' "$FARM_PASSWORD" \
  > "$work/inventory/group_vars/whatsminer/vault.yml"
cat > "$work/inventory/group_vars/whatsminer/main.yml" <<'YAML'
whatsminer_pools:
  - url: stratum+tcp://btc.pool.example.com:3333
    user: "demo.{{ inventory_hostname | replace('-', '') }}"
  - url: btc-backup.pool.example.com:443
    user: "demo.{{ inventory_hostname | replace('-', '') }}"
whatsminer_power:
  mode: normal
whatsminer_network:
  hostname: "{{ inventory_hostname }}"
YAML
printf 'whatsminer_power:\n  mode: low\n' > "$work/inventory/group_vars/whatsminer_model_M20SV10.yml"
printf 'whatsminer_power:\n  mode: high\n' > "$work/inventory/group_vars/whatsminer_model_M56SVH30.yml"

export ANSIBLE_STDOUT_CALLBACK=default ANSIBLE_CALLBACK_RESULT_FORMAT=yaml ANSIBLE_HOST_KEY_CHECKING=false
export ANSIBLE_FORKS=12 ANSIBLE_DISPLAY_SKIPPED_HOSTS=false
reports=${DEMO_OUT:-${TMPDIR:-/tmp}/hashops-whatsminer-demo}
mkdir -p "$reports"
state=(-i "$work/inventory" "$FARM_ROOT/playbooks/farm_state.yml" -e "farm_state_report_dir=$reports"
       -e "farm_state_curtailment_state_file=$work/no-curtailment.json")
# farm_state LOG [options]: one farm_state run into LOG; prints the play's summary, or the log when it fails
farm_state() {
  local log=$1
  shift
  ansible-playbook "${state[@]}" "$@" > "$log" 2>&1 || { cat "$log"; exit 1; }
  sed 's/^/   /' "$reports/summary.txt"
}
step "Discovery: scanning 127.0.50.0/24 for miners"
ansible-inventory -i "$work/inventory" --graph
step "The farm as found, against git (--check --diff: nothing is sent)"
farm_state "$work/found.log" --check --diff
step "Desired state applied (a power mode change restarts btminer; each is waited for and read back)"
farm_state "$work/apply.log"

step "Someone changes three miners behind git's back (through the simulator's control API)"
control=$(farm_control "$work")
drift() {
  "$FARM_PYTHON" - "$control" "$1" "$2" <<'PY'
import json, sys, urllib.request
control, address, body = sys.argv[1:]
request = urllib.request.Request(f"{control}/miners/{address}/settings", data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
urllib.request.urlopen(request, timeout=10).read()
print(f"   {address}: {body}")
PY
}
mapfile -t miners < <("$FARM_PYTHON" -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))["miners"]))' "$work/farm.json")
drift "${miners[0]}" '{"pools": [{"url": "stratum+tcp://rogue.example.net:3333", "user": "thief.1"}]}'
drift "${miners[4]}" '{"power_mode": "high"}'
drift "${miners[9]}" '{"hostname": "rack9-spare"}'
step "Drift report (--check --diff): exactly what differs from git, both values"
farm_state "$work/check.log" --check --diff
sed -n '/^## Settings that differ/,/^## /p' "$reports/drift.md" | grep '^|' | sed 's/^/   /' || true
step "Applied: the drift is fixed and read back"
farm_state "$work/fix.log"
step "Applied again: nothing left to change"
farm_state "$work/again.log"
grep -q "changed=[1-9]" "$work/again.log" && { echo "the second run changed something" >&2; exit 1; }
step "Firmware rollout: a canary, then the rest, each held to its own hashrate (playbooks/firmware_rollout.yml)"
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
ansible-playbook -i "$work/inventory" "$FARM_ROOT/playbooks/firmware_rollout.yml" -e "@$work/rollout.yml" > "$work/rollout.log" 2>&1 \
  || { cat "$work/rollout.log"; exit 1; }
cat "$work/rollout/20260101.01.REL.report.md"
step "Fleet report: one self-contained HTML page, with each miner's drift status"
ansible-playbook -i "$work/inventory" "$FARM_ROOT/playbooks/report.yml" -e "fleet_report_dir=$reports" > "$work/report.log" \
  || { cat "$work/report.log"; exit 1; }
echo "   $reports/fleet.html"
if [ -x "${CHROMIUM:-/usr/bin/chromium}" ] && [ -x "${CHROMEDRIVER:-/usr/bin/chromedriver}" ]; then
  "$FARM_PYTHON" "$FARM_ROOT/scripts/report_screenshot.py" "$reports/fleet.html" "$reports/fleet.png"
  echo "   $reports/fleet.png (its screenshot)"
else
  echo "   (no screenshot: headless Chromium is missing; on Debian: apt-get install chromium chromium-driver)"
fi
step "Done in $SECONDS s; the report and its screenshot stay in $reports"
