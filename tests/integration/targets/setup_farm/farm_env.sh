# shellcheck shell=bash
# Sourced by the integration targets (with needs/target/setup_farm): finds the collection root,
# since ansible-test runs a copy of the targets, and loads scripts/farm.sh. The target sets
# work=$(mktemp -d) first; when the target ends, the farm in it is stopped and the folder removed.
FARM_ROOT=$PWD
until [ -f "$FARM_ROOT/galaxy.yml" ]; do FARM_ROOT=$(dirname "$FARM_ROOT"); done
export FARM_ROOT
# shellcheck source=/dev/null
source "$FARM_ROOT/scripts/farm.sh"

# shellcheck disable=SC2154  # work is set by the target before it sources this file
trap 'farm_stop "$work"; rm -rf "$work"' EXIT
export ANSIBLE_HOST_KEY_CHECKING=false

# farm_failure_context LOG: the part of an ansible-playbook log around its last failed task, on stderr.
farm_failure_context() {
  local log=$1 last
  last=$(grep -nE '^(fatal|failed): |^\[ERROR\]' "$log" | tail -n 1 | cut -d: -f1 || true)
  if [ -n "$last" ]; then
    sed -n "$((last > 12 ? last - 12 : 1)),$((last + 45))p" "$log" | grep -v '^<' | cut -c1-400 >&2 || true
  else
    tail -n 40 "$log" | cut -c1-400 >&2
  fi
}

# farm_play EXPECT NAME [ansible-playbook options]: one run at -vvvv against $FARM_INVENTORY (default
# "$work/inventory.ini") into "$work/step.log", appended to "$work/run.log". EXPECT is ok, fail or an exit
# code; any other outcome prints the part of the log around the last failed task and exits the target.
farm_play() {
  local expect=$1 name=$2 rc=0
  shift 2
  echo "=== $name" >> "$work/run.log"
  ansible-playbook -i "${FARM_INVENTORY:-$work/inventory.ini}" -vvvv "$@" > "$work/step.log" 2>&1 || rc=$?
  cat "$work/step.log" >> "$work/run.log"
  case $expect in
    ok) [ "$rc" -eq 0 ] ;;
    fail) [ "$rc" -ne 0 ] ;;
    *) [ "$rc" -eq "$expect" ] ;;
  esac && return 0
  echo "FAIL: $(basename "$PWD"): $name: ansible-playbook exited $rc, expected $expect; from its -vvvv output:" >&2
  farm_failure_context "$work/step.log"
  exit 1
}

# farm_no_secrets NAME SECRET...: fails when any SECRET appears in "$work/run.log", showing where.
farm_no_secrets() {
  local name=$1 secret
  shift
  for secret in "$@"; do
    if grep -qF -- "$secret" "$work/run.log"; then
      echo "FAIL: $name: a secret appeared in the -vvvv output" >&2
      grep -nF -- "$secret" "$work/run.log" | cut -c1-300 | head -5 >&2
      return 1
    fi
  done
}

# farm_playbooks NAME SECRET... -- PLAYBOOK... [ansible-playbook options]
# Runs the playbooks at -vvvv against "$work/inventory.ini" (with farm_control set) into "$work/run.log",
# keeping the terminal short: on failure it prints the part of the log around the last failed task. Then
# it fails if any SECRET appears anywhere in that log.
farm_playbooks() {
  local name=$1 started=$SECONDS
  shift
  local secrets=()
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do secrets+=("$1"); shift; done
  shift
  if ! ansible-playbook -i "$work/inventory.ini" -e "farm_control=$(farm_control "$work")" -vvvv "$@" \
      > "$work/run.log" 2>&1; then
    echo "FAIL: $name: the playbooks failed; from their -vvvv output:" >&2
    farm_failure_context "$work/run.log"
    return 1
  fi
  farm_no_secrets "$name" "${secrets[@]}" || return 1
  echo "$name: passed in $((SECONDS - started)) s; no secret in $(wc -l < "$work/run.log") lines of -vvvv output"
}
