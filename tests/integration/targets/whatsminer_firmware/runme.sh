#!/usr/bin/env bash
# whatsminer_firmware and whatsminer_logs against a simulated farm of the three firmware generations: an
# upgrade sends only the miner's package of a combined image (the simulator holds its sha256) and is verified,
# check mode sends nothing, a second run sends nothing, a wrong platform and a checksum mismatch are refused
# with nothing sent, each way an upgrade can fail (old version, not mining, never back) fails clearly; logs
# are downloaded whole, as a new file each run, and check mode writes nothing.
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
farm_start "$work" 127.0.87.0/24 3 api205:1,btminer2021:1,v3compat2026:1 --restart-seconds 1 --upgrade-seconds 2 \
  --web-port none --web-tls-port none
farm_inventory "$work" miner > "$work/inventory.ini"
mkdir -p "$work/group_vars" "$work/images" "$work/logs"
printf 'whatsminer_password: %s\n' "$FARM_PASSWORD" > "$work/group_vars/miners.yml"
"$FARM_PYTHON" make_images.py "$work/images" > "$work/images.json"

farm_playbooks whatsminer_firmware "$FARM_PASSWORD" -- converge.yml failures.yml logs.yml \
  -e "@$work/images.json" -e "logs_dir=$work/logs" "$@"
