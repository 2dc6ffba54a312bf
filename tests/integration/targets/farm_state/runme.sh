#!/usr/bin/env bash
# The farm_state role over a farm of three firmware generations (127.0.180.0/24) and one address nobody
# answers: bad variables fail their hosts before any write and the rest converge; drift made through the
# control API (a pool, a power mode, a hostname) shows in the --check drift report with both values and
# nothing is sent; apply fixes it (simulator state) and a second apply sends nothing; a curtailed miner keeps
# its power settings; more bad miners than farm_state_max_fail_percentage stop the run before any write; unreadable settings are reported and sent only when asked; a password rotation goes
# first and the rest of the run signs with it. Every run is -vvvv into one log that must hold no secret.
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
farm_start "$work" 127.0.180.0/24 10 api205:4,btminer2021:3,v3compat2026:3 --restart-seconds 1 \
  --web-port none --web-tls-port none
export FS_WORK=$work FS_CONTROL
FS_CONTROL=$(farm_control "$work")
"$FARM_PYTHON" check.py layout > "$work/inventory.ini"
cp -r inventory/group_vars inventory/host_vars "$work/"
printf 'whatsminer_password: %s\n' "$FARM_PASSWORD" > "$work/group_vars/all.yml"
export FARM_NEW_PASSWORD=n3wpass
report=(-e "farm_state_report_dir=$work/reports" -e "farm_state_curtailment_state_file=$work/curtailment.json")
started=$SECONDS

# play EXPECT NAME [options]: farm_state.yml through farm_play (EXPECT ok or fail)
play() { farm_play "$1" "$2" "$FARM_ROOT/playbooks/farm_state.yml" "${report[@]}" "${@:3}"; }
check() {
  "$FARM_PYTHON" check.py "$@" || { farm_failure_context "$work/step.log"; exit 1; }
}

check reset
play fail "first apply: bad variables and an unreachable miner fail, the rest converge"
check first-apply

check drift
play ok "check mode reports the drift and sends nothing" --check --diff -l 'all:!bad:!gone'
check drift-report

play ok "apply fixes the drift" -l 'all:!bad:!gone'
check fixed
play ok "a second apply changes nothing" -l 'all:!bad:!gone'
grep -qE 'changed=[1-9]' "$work/step.log" && { echo "FAIL: farm_state: the second apply changed something" >&2; exit 1; }
check nothing-sent
check drift
play fail "too many bad miners stop the run before any write" -e farm_state_max_fail_percentage=20
check stopped-before-writes
play ok "the drift left by the stopped run is fixed" -l 'all:!bad:!gone'
check fixed

check curtail m04
play ok "a curtailed miner keeps its power settings" -l 'all:!bad:!gone'
check curtailed m04

play ok "unreadable settings are sent only when asked" -l m01 -e farm_state_apply_unverifiable=true
check settings-sent m01

farm_no_secrets farm_state "$FARM_PASSWORD" "$FARM_NEW_PASSWORD" pool-secret-9
echo "farm_state: passed in $((SECONDS - started)) s; no secret in $(wc -l < "$work/run.log") lines of -vvvv output"
