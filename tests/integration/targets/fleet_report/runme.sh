#!/usr/bin/env bash
# playbooks/report.yml against a mixed farm of seven miners (127.0.121.0/24): one reports a hostile hostname
# (control API), one inventory name is hostile markup, one miner refuses connections, drift.json lies beside the
# report. The page, opened from the file in headless Chromium, shows the totals the miners hold (control API),
# every miner, the hostile names as text with nothing injected, sorts by a header both ways (numbers in order,
# missing last), filters, draws a bar per miner read, shows drift. The refused miner fails the play (exit 2)
# only after the page is written; with fleet_report_fail_on_unreachable=false the play ends with 0; a drift.json
# of another version is named and not used; a title of markup stays text; --check writes no page; no miner gets
# a write; the screenshot script renders a whole-page PNG; fleet_report.yml prints one line per miner.
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh

# Debian's browser and driver, used as they are (selenium-manager downloads do not work offline)
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get install -y chromium chromium-driver > "$work/apt.log" 2>&1 \
      || { echo "FAIL: fleet_report: apt-get install chromium chromium-driver failed:" >&2; tail -20 "$work/apt.log" >&2; exit 1; }
  else
    echo "FAIL: fleet_report: needs /usr/bin/chromium and /usr/bin/chromedriver: apt-get install -y chromium chromium-driver (as root)" >&2
    exit 1
  fi
fi
# the browser checks need selenium, not Ansible: REPORT_PYTHON may be another interpreter than the farm's
REPORT_PYTHON=${REPORT_PYTHON:-$FARM_PYTHON}
"$REPORT_PYTHON" -c 'import selenium' 2>/dev/null || { echo "FAIL: fleet_report: selenium is not installed for" \
  "$REPORT_PYTHON: pip install selenium (tests/requirements.txt), or set REPORT_PYTHON to a Python that has it" >&2; exit 1; }

farm_start "$work" 127.0.121.0/24 7 api205:3,btminer2021:2,v3compat2026:2 --web-port none --web-tls-port none
export REPORT_WORK=$work
check() { "$REPORT_PYTHON" check_report.py "$@"; }
check setup
started=$SECONDS

export FARM_INVENTORY=$work/inventory.yml

reports=$work/reports
mkdir -p "$reports"
cp drift.json "$reports/drift.json"
farm_play 2 "report with a refused miner and drift.json beside it" "$FARM_ROOT/playbooks/report.yml" -e "fleet_report_dir=$reports"
grep -qE '^m05 +: .*failed=1' "$work/step.log" && [ "$(grep -cE ' failed=[1-9]' "$work/step.log")" -eq 1 ] \
  || { echo "FAIL: fleet_report: the recap does not fail m05 alone" >&2; grep -A9 'PLAY RECAP' "$work/step.log" >&2; exit 1; }
grep -q "m05 is listed as unreachable in $reports/fleet.html" "$work/step.log" \
  || { echo "FAIL: fleet_report: m05's failure does not say it is listed as unreachable" >&2; exit 1; }
if grep -qiF '<img' "$reports/fleet.html"; then
  echo "FAIL: fleet_report: a hostile name is in the HTML file as markup" >&2
  exit 1
fi
check page "$reports/fleet.html" drift.json

"$REPORT_PYTHON" "$FARM_ROOT/scripts/report_screenshot.py" "$reports/fleet.html" > /dev/null
check png "$reports/fleet.png"

farm_play 0 "report without drift.json, not failing on the refused miner" "$FARM_ROOT/playbooks/report.yml" \
  -e "fleet_report_dir=$work/plain" -e fleet_report_fail_on_unreachable=false
check page "$work/plain/fleet.html"

"$FARM_PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1])); d["version"] = 2; print(json.dumps(d))' \
  drift.json > "$work/drift-v2.json"
title='<b>North & South</b> farm'
farm_play 0 "a drift report of another version, a title of markup" "$FARM_ROOT/playbooks/report.yml" \
  -e "fleet_report_dir=$work/v2" -e "fleet_report_drift_file=$work/drift-v2.json" -e fleet_report_fail_on_unreachable=false \
  -e "{\"fleet_report_title\": \"$title\"}"
check unusable-drift "$work/v2/fleet.html" "$title"

farm_play 0 "check mode" "$FARM_ROOT/playbooks/report.yml" --check -e "fleet_report_dir=$work/checked" \
  -e fleet_report_fail_on_unreachable=false
[ ! -e "$work/checked/fleet.html" ] || { echo "FAIL: fleet_report: --check wrote the page" >&2; exit 1; }
grep -q "check mode: not written" "$work/step.log" || { echo "FAIL: fleet_report: --check did not say so" >&2; exit 1; }

ANSIBLE_STDOUT_CALLBACK=default farm_play 0 "the text table" "$FARM_ROOT/playbooks/fleet_report.yml" -e 'target=all:!m05'
check text-table "$work/step.log"
check no-writes

echo "fleet_report: passed in $((SECONDS - started)) s ($(wc -l < "$work/run.log") lines of -vvvv output)"
