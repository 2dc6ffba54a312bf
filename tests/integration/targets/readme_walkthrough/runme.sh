#!/usr/bin/env bash
# The README's "The first ten minutes", taken from the README itself and run as written (doc_blocks.py): the
# collection built and installed from its tarball into a temporary HOME, the simulator started from the installed
# copy, discovery, the vault, one read, one write under --check --diff, for real and again, the control API. Then
# what the miners received and hold, the four runs' changes, and no secret in the -vvvv output.
set -euo pipefail
work=$(mktemp -d)
# shellcheck source=../setup_farm/farm_env.sh
source ../setup_farm/farm_env.sh
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
here=$PWD
walk_dir=$work/home/whatsminer-first

# The README's farm is stopped by its last step; if a step failed before it, stop it here (by its PID, and only
# while that PID is still the farm).
stop_walkthrough_farm() {
  local pid
  pid=$(cat "$walk_dir/farm.pid" 2>/dev/null) || return 0
  if grep -qa farm.py "/proc/$pid/cmdline" 2>/dev/null; then kill "$pid"; fi
}
trap 'stop_walkthrough_farm; rm -rf "$work"' EXIT

mkdir -p "$work/home"
WALKTHROUGH_NETWORK=127.0.140. WALKTHROUGH_BEFORE_STOP="\"$python\" \"$here/check_walkthrough.py\" miners \"$walk_dir\"" \
  "$python" ../readme_snippets/doc_blocks.py walkthrough "$FARM_ROOT/README.md" "$work/walkthrough.sh"

# The walk-through's own environment: a fresh HOME holding only what it installs, no collection path or config
# of the test run, this python as python3, no package index (requirements.txt is already satisfied), and
# ansible-playbook at -vvvv (only it: other commands' output is parsed by the README's own pipes).
mkdir -p "$work/bin"
printf '#!/bin/sh\nexec %q "$@"\n' "$python" > "$work/bin/python3"  # not a symlink: a venv is found from the path run
# with the PATH of this test, so that ansible-test's injector does not find this wrapper again
printf '#!/bin/sh\nPATH=%q exec %q -vvvv "$@"\n' "$PATH" "$(command -v ansible-playbook)" > "$work/bin/ansible-playbook"
chmod +x "$work/bin/python3" "$work/bin/ansible-playbook"
started=$SECONDS
if ! (cd "$FARM_ROOT" && env -u ANSIBLE_COLLECTIONS_PATH -u ANSIBLE_COLLECTIONS_PATHS -u ANSIBLE_CONFIG \
      HOME="$work/home" PATH="$work/bin:$PATH" PIP_NO_INDEX=1 ANSIBLE_NOCOLOR=1 \
      bash -euo pipefail "$work/walkthrough.sh") > "$work/run.log" 2>&1; then
  echo "FAIL: readme_walkthrough: a step of the README failed; from its -vvvv output:" >&2
  farm_failure_context "$work/run.log"
  grep -n '^== README.md:' "$work/run.log" | tail -n 1 >&2
  exit 1
fi
HOME="$work/home" "$python" check_walkthrough.py log "$work/run.log" "$work/walkthrough.sh"
grep -q '^readme_walkthrough: 3 miners' "$work/run.log" || { echo "FAIL: readme_walkthrough: the miners were not checked" >&2; exit 1; }
grep '^readme_walkthrough: ' "$work/run.log"
echo "readme_walkthrough: passed in $((SECONDS - started)) s"
