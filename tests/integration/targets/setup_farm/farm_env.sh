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
