#!/usr/bin/env bash
# whatsminer_system against a simulated farm of the three firmware generations (miner01 api205, miner02
# btminer2021, miner03 v3compat2026): restart_btminer and reboot waited for, check mode, factory_reset refused
# without confirm and done with it, pre_power_on polled until complete, each failure's message, asserted on
# the simulator's state and write log.
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
farm_start "$work" 127.0.97.0/24 3 api205:1,btminer2021:1,v3compat2026:1 --restart-seconds 1
farm_inventory "$work" miner > "$work/inventory.ini"
mkdir -p "$work/group_vars"
printf 'whatsminer_password: %s\n' "$FARM_PASSWORD" > "$work/group_vars/miners.yml"
control=$(farm_control "$work")

# -vvvv goes to a file: the terminal gets its end only when something failed.
started=$SECONDS
if ! ansible-playbook -i "$work/inventory.ini" -e "farm_control=$control" -vvvv converge.yml failures.yml "$@" \
    > "$work/run.log" 2>&1; then
  echo "FAIL: whatsminer_system playbooks failed; the end of their -vvvv output:" >&2
  tail -n 60 "$work/run.log" | cut -c1-2000 >&2
  exit 1
fi

# The admin password (and the wrong one tried; the factory password 'admin' is no secret) must appear nowhere in the output, even at -vvvv.
for secret in "$FARM_PASSWORD" not-the-password; do
  if grep -qF -- "$secret" "$work/run.log"; then
    echo "FAIL: a secret appeared in the -vvvv output" >&2
    grep -nF -- "$secret" "$work/run.log" | cut -c1-300 | head -5 >&2
    exit 1
  fi
done

# Known module bugs are asserted with ignore_errors, so that the rest still runs: list those still present.
grep -o '"msg": "KNOWN BUG [^:]*' "$work/run.log" | sort -u | sed 's/^"msg": "/still present: /' || true
echo "whatsminer_system: passed in $((SECONDS - started)) s, no secret in $(wc -l < "$work/run.log") lines of -vvvv output"
