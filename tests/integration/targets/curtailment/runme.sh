#!/usr/bin/env bash
# The curtailment role and playbooks against a 30-miner farm of three firmware generations (127.0.170.0/24):
# check mode sends nothing and prints the plan; curtail by target_kw stops the least efficient miners; a
# refused miner is reported, fails the play and does not stop the rest; a miner woken by a write is
# re-curtailed on the next run (and nothing else gets a write); restore obeys batch size, interval and PDU
# spread (from the write log's timestamps); a miner whose baseline was low power comes back in low power;
# a low_power event over a group returns each miner to its own mode; a percent event sets and restores the power
# percent (restore_power_pct, or set_power_pct where the firmware lacks it); a restore batch whose miner does
# not come back (a stale power_on) stops the restore, names it, leaves the later batches untouched and
# curtailed, and the next restore brings them back. A check-mode plan's readings hand the miners to a shed that
# does not read them again (the module's documented hand-off). Every run is -vvvv into one log that
# must not hold the password; the log is printed only on failure.
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
farm_start "$work" 127.0.170.0/24 30 api205:12,btminer2021:9,v3compat2026:9 --restart-seconds 1 \
  --web-port none --web-tls-port none
"$FARM_PYTHON" - "$work/farm.json" > "$work/inventory.ini" <<'PY'
import json, sys
miners = json.load(open(sys.argv[1]))["miners"]
print("[whatsminer]")
for index, address in enumerate(miners, 1):
    # six PDUs, five miners each; rack_a is the first ten miners
    print(f"m{index:02d} ansible_host={address} whatsminer_pdu=pdu{index % 6}")
print("[rack_a]")
print("\n".join(f"m{index:02d}" for index in range(1, 11)))
print("[whatsminer:vars]")
print("ansible_connection=local")
PY
mkdir -p "$work/group_vars"
printf 'whatsminer_password: %s\n' "$FARM_PASSWORD" > "$work/group_vars/whatsminer.yml"
cp "$work/group_vars/whatsminer.yml" "$work/group_vars/all.yml"
export CURT_WORK=$work CURT_CONTROL
CURT_CONTROL=$(farm_control "$work")
PLAYBOOKS=$FARM_ROOT/playbooks
state=(-e "curtailment_dir=$work/curtailment")
started=$SECONDS

check() {
  "$FARM_PYTHON" check.py "$@" || {
    echo "the last ansible-playbook run said:" >&2
    grep -v '^<' "$work/step.log" | grep -vE '^(Using|Loading|Skipping|Read vars|Parsed|Loaded|redirecting|PLAYBOOK|Set default|host_list|script|auto|yaml|ini|toml|Found|Attempting|Loading callback)' \
      | tail -n 50 | cut -c1-600 >&2
    exit 1
  }
}

# the least efficient miner starts in low power: its baseline is low, and restore must keep it there
low=$(check reset)
farm_play ok "$low to low power" low_power.yml -l "$low"
check snapshot

target_kw=$(check target-kw)
farm_play ok "check mode plans only" "$PLAYBOOKS/curtail.yml" --check "${state[@]}" -e curtailment_target_kw="$target_kw"
check no-writes
grep -q "curtailment plan (check mode: nothing will be sent)" "$work/step.log" \
  || { echo "FAIL: curtailment: check mode printed no plan" >&2; exit 1; }
[ ! -e "$work/curtailment/state.json" ] || { echo "FAIL: curtailment: check mode wrote the state file" >&2; exit 1; }

check refuse m07
farm_play fail "curtail by target_kw with m07 refusing" "$PLAYBOOKS/curtail.yml" "${state[@]}" -e curtailment_target_kw="$target_kw"
grep -q "m07 (127.0.170" "$work/step.log" || { echo "FAIL: curtailment: m07's failure is not named" >&2; exit 1; }

woken=$(check shed-least-efficient "$target_kw" m07)
farm_play ok "wake $woken with a write" wake.yml -l "$woken"
farm_play ok "re-run re-curtails the miner that woke up" "$PLAYBOOKS/curtail.yml" "${state[@]}" -e curtailment_fail_on_miner_error=false
check recurtailed

check clear m07
farm_play ok "restore in batches" "$PLAYBOOKS/restore.yml" "${state[@]}" -e curtailment_restore_batch_size=4 \
  -e curtailment_restore_batch_interval=2
check restored 4 2

farm_play ok "low_power over a group" "$PLAYBOOKS/curtail.yml" -i "$work/rack_a.ini" "${state[@]}" -e curtailment_mode=low_power -e curtailment_group=rack_a
check low-shed
farm_play ok "restore the low_power event" "$PLAYBOOKS/restore.yml" -i "$work/rack_a.ini" "${state[@]}" -e curtailment_restore_batch_interval=0
check low-restored

farm_play ok "percent over the farm" "$PLAYBOOKS/curtail.yml" "${state[@]}" -e curtailment_mode=percent -e curtailment_percent=60
check percent-shed 60
farm_play ok "restore the percent event" "$PLAYBOOKS/restore.yml" "${state[@]}" -e curtailment_restore_batch_size=30 \
  -e curtailment_restore_batch_interval=0
check percent-restored

farm_play ok "stop every miner" "$PLAYBOOKS/curtail.yml" "${state[@]}"
stale=$(check stale-power-on)
farm_play fail "a batch that does not come back stops the restore" "$PLAYBOOKS/restore.yml" "${state[@]}" \
  -e curtailment_restore_batch_size=5 -e curtailment_restore_batch_interval=0 -e curtailment_verify_timeout=4
grep -q "restore stopped at batch 1 of [0-9]*: $stale did not come back" "$work/step.log" \
  || { echo "FAIL: curtailment: the stopped restore does not say which batch and miner" >&2; exit 1; }
check restore-stopped 5
farm_play ok "restore the rest once it is fixed" "$PLAYBOOKS/restore.yml" "${state[@]}" -e curtailment_restore_batch_size=30 \
  -e curtailment_restore_batch_interval=0
check rest-restored
check log

check handoff-before
farm_play ok "a check-mode plan, then a shed from its readings" handoff.yml -e handoff_stopped=m02 \
  -e '{"handoff_hosts": ["m01", "m02", "m03"]}'
check handoff m01,m02,m03 m02

farm_no_secrets curtailment "$FARM_PASSWORD"
echo "curtailment: passed in $((SECONDS - started)) s; no secret in $(wc -l < "$work/run.log") lines of -vvvv output"
