#!/usr/bin/env bash
# The firmware_rollout role and playbook against a simulated farm of 10 miners of three firmware generations:
# check mode uploads nothing; a closed window starts nothing; a rollout in waves [1, 3, 100%] stops when
# miner03 comes back on its old firmware, and the report names it; a re-run refuses to go on until told to,
# then resumes with the miners not yet done; a last run retries miner03. Each step is checked in the simulator
# (firmware version and write log through the control API) and in the state file and reports.
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
farm_start "$work" 127.0.71.0/24 10 api205:4,btminer2021:3,v3compat2026:3 --restart-seconds 1
farm_inventory "$work" miner > "$work/inventory.ini"
mkdir -p "$work/group_vars"
printf 'whatsminer_password: %s\n' "$FARM_PASSWORD" > "$work/group_vars/miners.yml"
control=$(farm_control "$work")
check() { "$FARM_PYTHON" "$PWD/check_rollout.py" "$work" "$control" "$@"; }

# The image: the simulator installs whatever follows a first line WMFW <version>.
version=20260101.01.REL
{ printf 'WMFW %s\n' "$version"; head -c 65536 /dev/zero | tr '\0' 'x'; } > "$work/image.bin"
checksum="sha256:$(sha256sum "$work/image.bin" | cut -d' ' -f1)"
cat > "$work/rollout.yml" <<YAML
firmware_rollout_hosts: miners
firmware_rollout_image: $work/image.bin
firmware_rollout_version: $version
firmware_rollout_checksum: $checksum
firmware_rollout_waves: [1, 3, "100%"]
firmware_rollout_max_fail_percentage: 0
firmware_rollout_dir: $work/rollout
firmware_rollout_gate_minutes: 0.25
firmware_rollout_gate_poll_seconds: 1
firmware_rollout_wait_timeout: 60
YAML

started=$SECONDS
step=0
# run EXPECTED_RC NAME ansible-playbook-args...: -vvvv to the log; on a surprise, the end of it and stop.
run() {
  local expected=$1 name=$2 rc=0 begun=$SECONDS
  shift 2
  step=$((step + 1))
  echo "=== step $step: $name" >> "$work/run.log"
  ansible-playbook -i "$work/inventory.ini" "$FARM_ROOT/playbooks/firmware_rollout.yml" -e "@$work/rollout.yml" \
    -vvvv "$@" > "$work/step.log" 2>&1 || rc=$?
  cat "$work/step.log" >> "$work/run.log"
  if [ "$rc" != "$expected" ]; then
    echo "FAIL: firmware_rollout: step $step ($name) exited $rc, expected $expected; from its -vvvv output:" >&2
    farm_failure_context "$work/step.log"
    exit 1
  fi
  timings+=("$name $((SECONDS - begun)) s")
}
timings=()

# 1. --check: every miner is read and checked, nothing is written to any miner or to the controller.
run 0 "check mode" --check
check check_mode

# 2. A window that opens an hour from now: nothing starts, not even the pre-flight's write probe.
run 0 "closed window" -e "$(check window 1 2 UTC)"
check window_closed

# 3. miner03 (second wave) accepts the image but comes back on its old firmware: the wave fails its gate,
#    max_fail_percentage 0 stops the rollout, the exit code says so and the report names miner03.
miner03=$(sed -n 's/^miner03 ansible_host=//p' "$work/inventory.ini")
check fault "$miner03" '{"kind": "stale", "commands": ["update_firmware"]}'
# The window is open: it opened an hour ago and closes 23 hours after that (so it crosses midnight), in Auckland.
run 2 "rollout stopped by miner03" -e "$(check window -1 -2 Pacific/Auckland)"
check stopped

# 4. A re-run does not go on with a stopped rollout unless told to, and sends nothing.
run 2 "stopped rollout refuses to resume"
check refused

# 5. Told to: the miners not done are upgraded; the done ones get nothing; miner03 is not retried.
check fault "$miner03" clear
run 0 "resumed" -e firmware_rollout_continue_after_failure=true
check resumed

# 6. miner03 retried: the rollout is complete.
run 0 "failed miner retried" -e firmware_rollout_retry_failed=true
check complete

# No secret may appear in the output, even at -vvvv.
farm_no_secrets firmware_rollout "$FARM_PASSWORD"
printf 'firmware_rollout: %s\n' "${timings[@]}"
[ -z "${FIRMWARE_ROLLOUT_SHOW:-}" ] || cat "$work/rollout/$version.report.md" "$work/run.log" > "$FIRMWARE_ROLLOUT_SHOW"
echo "firmware_rollout: passed in $((SECONDS - started)) s; no secret in $(wc -l < "$work/run.log") lines of -vvvv output"
