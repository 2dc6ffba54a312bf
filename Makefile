# make demo: a simulated farm, discovered, configured and shown.   make test: everything CI runs.
# Both create and reuse .venv/ with the newest Python >= 3.11 found, and install what they need;
# make test also builds .venv-2.19/ (the oldest ansible-core supported, on Python 3.11).

SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
VENV ?= .venv
PY := $(abspath $(VENV))/bin/python
BIN := $(abspath $(VENV))/bin
OLDEST_VENV ?= .venv-2.19
OLDEST_PYTHON_VERSION := 3.11
OLDEST_PY := $(abspath $(OLDEST_VENV))/bin/python
# Outside the work tree: inside it ansible-test would ask git, which ignores the copy.
BUILD := $(or $(TMPDIR),/tmp)/hashops-whatsminer-$(shell printf %s "$(CURDIR)" | md5sum | cut -c1-8)
COLL := $(BUILD)/ansible_collections/hashops/whatsminer
# ansible-test keeps its caches, its sanity virtualenvs and pip's bootstrap script under ~/.ansible/test:
# it runs with this HOME so that all of it stays in the build directory, away from the user's own.
TEST_HOME := $(BUILD)/home
# the venv's Python version, asked when a recipe runs (the venv may not exist when make starts)
PYVER = $$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(BUILD)
export PYTHONDONTWRITEBYTECODE := 1
# pip's own warnings (an unreachable index of this machine's pip.conf) are kept in a log, shown on failure
PIP_LOG := $(BUILD)/logs/pip.log
PIP = -m pip install -q --disable-pip-version-check $(1) >> $(PIP_LOG) 2>&1 || { tail -n 40 $(PIP_LOG); exit 1; }
ANSIBLE_TEST = cd $(COLL) && PATH=$(1):$$PATH HOME=$(TEST_HOME) $(1)/ansible-test
# ansible-test shows pip's every line while it builds its virtualenvs (and warns about the locale each run):
# those lines go to $(AT_LOG) only. Use as: $(call ANSIBLE_TEST,...) ... 2>&1 | $(AT_QUIET)
AT_LOG := $(BUILD)/logs/ansible-test.log
PIP_CHATTER := ^(Looking in (indexes|links): |Processing |Collecting |Downloading |  Downloading |  Using cached |Installing collected packages: |Successfully installed |Requirement already satisfied: |  Attempting uninstall: |    Found existing installation: |    Uninstalling |      Successfully uninstalled |WARNING: Location .* is ignored: |Using cached pip .* bootstrap script: |Installing requirements for Python |WARNING: Using locale |WARNING: Reviewing previous 1 warning|[[:space:]]+━)
AT_QUIET = tee -a $(AT_LOG) | { grep --line-buffered -vE '$(PIP_CHATTER)' || true; }

.PHONY: demo test venv venv-oldest collection sanity units units-oldest integration integration-oldest \
  lint docs-lint packaging foreign bench clean fuzz

demo: collection
	FARM_PYTHON=$(PY) bash scripts/demo.sh

test: sanity units units-oldest integration integration-oldest lint docs-lint packaging foreign

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt tests/requirements.txt
	@test -x $(PY) || "$$(scripts/find-python)" -m venv $(VENV)
	@mkdir -p $(dir $(PIP_LOG)) && : > $(PIP_LOG)
	@echo "$(VENV): installing requirements.txt and tests/requirements.txt (log: $(PIP_LOG))"
	@$(PY) $(call PIP,-U pip)
	@$(PY) $(call PIP,-r requirements.txt -r tests/requirements.txt)
	@touch $@

venv-oldest: $(OLDEST_VENV)/.installed

$(OLDEST_VENV)/.installed: tests/requirements-oldest.txt
	@test -x $(OLDEST_PY) || "$$(scripts/find-python $(OLDEST_PYTHON_VERSION))" -m venv $(OLDEST_VENV)
	@mkdir -p $(dir $(PIP_LOG)) && : > $(PIP_LOG)
	@echo "$(OLDEST_VENV): installing tests/requirements-oldest.txt (log: $(PIP_LOG))"
	@$(OLDEST_PY) $(call PIP,-U pip)
	@$(OLDEST_PY) $(call PIP,-r tests/requirements-oldest.txt)
	@touch $@

# ansible-test needs the collection at ansible_collections/NS/NAME, as real files (not a symlink).
# Files git still tracks but that are deleted in the work tree are left out.
collection: venv
	@rm -rf $(COLL) && mkdir -p $(COLL) $(TEST_HOME) $(dir $(AT_LOG))
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git ls-files -co --exclude-standard -z | grep -zv '^\.ci/' \
	    | while IFS= read -r -d '' f; do [ ! -e "$$f" ] || printf '%s\0' "$$f"; done \
	    | xargs -0 cp --parents -t $(COLL); \
	else \
	  tar -cf - --exclude=./.git --exclude='./.venv*' --exclude=./.ci --exclude=./tests/output --exclude=__pycache__ . | tar -xf - -C $(COLL); \
	fi

sanity: collection
	@scripts/prepare-ansible-test $(PY) $(TEST_HOME)
	@echo "ansible-test sanity, Python $(PYVER) (pip's output: $(AT_LOG))"
	@$(call ANSIBLE_TEST,$(BIN)) sanity --local --python $(PYVER) --color no 2>&1 | $(AT_QUIET)

# ansible-test units as a user runs it: its own virtualenv with tests/unit/requirements.txt, every test
# in a fork; then no simulator or hostile server it started may still run. ansible-test passes no
# variable of ours on, so HASHOPS_TEST_NETWORKS (the loopback range the test farms keep to) goes in a file.
LEFT_BEHIND = '$(COLL)/tests/(simulator/farm|unit/hostile)[.]py'
UNITS = scripts/prepare-ansible-test $(1)/python $(TEST_HOME) && \
  if [ -n "$${HASHOPS_TEST_NETWORKS:-}" ]; then mkdir -p $(COLL)/tests/output && \
    echo "$$HASHOPS_TEST_NETWORKS" > $(COLL)/tests/output/test-networks; fi && \
  ( $(call ANSIBLE_TEST,$(1)) units --venv --requirements --color no \
    --python $$($(1)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])') ) 2>&1 | $(AT_QUIET); status=$$?; \
  for _ in {1..50}; do pgrep -f $(LEFT_BEHIND) >/dev/null || exit $$status; sleep 0.1; done; \
  echo "units left these processes behind:"; pgrep -af $(LEFT_BEHIND); exit 1

units: collection
	@echo "ansible-test units, Python $(PYVER) (pip's output: $(AT_LOG))"
	@$(call UNITS,$(BIN))

units-oldest: collection venv-oldest
	@echo "ansible-test units, ansible-core 2.19, Python $(OLDEST_PYTHON_VERSION) (pip's output: $(AT_LOG))"
	@$(call UNITS,$(abspath $(OLDEST_VENV))/bin)

# The parsers against 100000 seeded mutations of every stored reply, and every stored reply cut at
# every byte; prints its figures. HASHOPS_FUZZ_CASES / HASHOPS_FUZZ_SEED / HASHOPS_FUZZ_CASE=<n> change it.
fuzz: collection
	cd $(COLL) && PYTHONPATH=$(BUILD) HASHOPS_FUZZ_CASES=$${HASHOPS_FUZZ_CASES:-100000} HASHOPS_CUT_EVERY_BYTE=1 \
	  $(PY) -m pytest -q -s -p no:cacheprovider tests/unit/plugins/module_utils/test_fuzz.py \
	  tests/unit/plugins/module_utils/test_cut_replies.py

integration: collection
	@echo "ansible-test integration, Python $(PYVER)"
	@$(call ANSIBLE_TEST,$(BIN)) integration --local --python $(PYVER) --color no 2>&1 | $(AT_QUIET)

integration-oldest: collection venv-oldest
	@echo "ansible-test integration, ansible-core 2.19, Python $(OLDEST_PYTHON_VERSION)"
	@$(call ANSIBLE_TEST,$(abspath $(OLDEST_VENV))/bin) integration --local --python $(OLDEST_PYTHON_VERSION) --color no \
	  2>&1 | $(AT_QUIET)

lint: collection
	cd $(COLL) && ansible-lint --offline --profile production playbooks roles

# The collection's docs as docs.ansible.com would build them: plugin docs, docs/docsite (extra docs, links).
docs-lint: collection
	cd $(COLL) && antsibull-docs lint-collection-docs --plugin-docs .

# The tarball users install (its file list), the changelog (lint, and the notes of the next release),
# requires_ansible against what is tested, and an execution environment's build context.
packaging: collection
	cd $(COLL) && $(PY) -m pytest -q -p no:cacheprovider tests/packaging

foreign: collection
	SIM_PYTHON=$(PY) bash tests/foreign/run.sh

# Figures, not pass/fail: each benchmark prints them, the last line as JSON.
bench: collection
	cd $(COLL) && PYTHONPATH=$(BUILD) SIM_PYTHON=$(PY) $(PY) bench/client_streams.py
	cd $(COLL) && PYTHONPATH=$(BUILD) SIM_PYTHON=$(PY) $(PY) bench/inventory_scan.py
	cd $(COLL) && PYTHONPATH=$(BUILD) SIM_PYTHON=$(PY) $(PY) bench/firmware_upload.py
	cd $(COLL) && $(PY) bench/host_task_overhead.py
	cd $(COLL) && PYTHONPATH=$(BUILD) $(PY) bench/curtail.py

clean:
	rm -rf $(BUILD) tests/output
