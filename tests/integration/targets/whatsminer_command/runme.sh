#!/usr/bin/env bash
# whatsminer_command against a simulated farm: reads, writes, check mode, and each failure's message.
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
farm_start "$work" 127.0.61.0/24 4 api205:2,btminer2021:1,v3compat2026:1 --restart-seconds 1
farm_inventory "$work" miner > "$work/inventory.ini"
mkdir -p "$work/group_vars"
printf 'whatsminer_password: %s\n' "$FARM_PASSWORD" > "$work/group_vars/miners.yml"
control=$(farm_control "$work")

ansible-playbook -i "$work/inventory.ini" -e "farm_control=$control" -vvvv playbook.yml "$@" | tee "$work/run.log"

# The admin password and the pool password must appear nowhere in the output, even at -vvvv.
for secret in "$FARM_PASSWORD" "pool-secret-1"; do
  if grep -qF -- "$secret" "$work/run.log"; then
    echo "FAIL: a secret appeared in the -vvvv output" >&2
    grep -nF -- "$secret" "$work/run.log" | head -5 >&2
    exit 1
  fi
done
echo "no secret in $(wc -l < "$work/run.log") lines of -vvvv output"
