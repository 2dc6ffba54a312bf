#!/usr/bin/env bash
# whatsminer_password against a simulated farm of the three firmware generations (miner01 api205, miner02
# btminer2021, miner03 v3compat2026): rotate, prove the new password (and that the old one is refused),
# idempotent second run, rotate back, bad new passwords refused, failures; no password in the -vvvv output.
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
farm_start "$work" 127.0.95.0/24 3 api205:1,btminer2021:1,v3compat2026:1 --restart-seconds 1
farm_inventory "$work" miner > "$work/inventory.ini"

# The passwords live in group_vars only, so that the playbook never spells them and the scan below knows them.
new_password=Rot8_n3w
other_password=Tmp_rot2
bad_long=Toolong99
bad_dash=bad-pw1
mkdir -p "$work/group_vars"
{
  printf 'whatsminer_password: %s\n' "$FARM_PASSWORD"
  printf 'new_pw: %s\n' "$new_password"
  printf 'other_pw: %s\n' "$other_password"
  printf 'bad_long_pw: %s\n' "$bad_long"
  printf 'bad_dash_pw: %s\n' "$bad_dash"
} > "$work/group_vars/miners.yml"

farm_playbooks whatsminer_password "$FARM_PASSWORD" "$new_password" "$other_password" "$bad_long" "$bad_dash" not-the-password -- converge.yml failures.yml "$@"
