#!/usr/bin/env bash
# Every YAML block of the README and of the scenario guide, and the EXAMPLES of every module and inventory plugin,
# written out as the file each shows (plays, task lists, inventory sources, variables) and held to ansible-lint's
# production profile: names, FQCNs, syntax, duplicate keys.
set -euo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$PWD
until [ -f "$root/galaxy.yml" ]; do root=$(dirname "$root"); done
python=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}
lint=$(command -v ansible-lint || echo "$(dirname "$python")/ansible-lint")
[ -x "$lint" ] || { echo "FAIL: readme_snippets: ansible-lint is not installed (pip install -r tests/requirements.txt)" >&2; exit 1; }

"$python" doc_blocks.py lint-tree "$work/snippets" "$root/README.md" "$root/docs/docsite/rst/guide_farm.rst" \
  "$root"/plugins/modules/*.py "$root"/plugins/inventory/*.py
cd "$work/snippets"
# as a user runs it: ansible-test makes a host pattern matching no host an error (ANSIBLE_HOST_PATTERN_MISMATCH),
# and the snippets' syntax check runs without an inventory
if ! env -u ANSIBLE_CONFIG ANSIBLE_HOST_PATTERN_MISMATCH=warning "$lint" --offline --profile production --nocolor . > "$work/lint.log" 2>&1; then
  echo "FAIL: readme_snippets: ansible-lint refused a documented block (each file names the doc and line):" >&2
  grep -v '^WARNING  Directory expansion' "$work/lint.log" >&2
  exit 1
fi
echo "readme_snippets: ansible-lint production profile passed on $(find . -name '*.yml' | wc -l) files"
