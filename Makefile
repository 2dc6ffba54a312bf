# make demo: a simulated farm, discovered, configured and shown.   make test: everything CI runs.
# Both create and reuse .venv/ with the newest Python >= 3.11 found, and install what they need.

SHELL := /bin/bash
VENV ?= .venv
PY := $(abspath $(VENV))/bin/python
BIN := $(abspath $(VENV))/bin
# Outside the work tree: inside it ansible-test would ask git, which ignores the copy.
BUILD := $(or $(TMPDIR),/tmp)/hashops-whatsminer-$(shell printf %s "$(CURDIR)" | md5sum | cut -c1-8)
COLL := $(BUILD)/ansible_collections/hashops/whatsminer
# the venv's Python version, asked when a recipe runs (the venv may not exist when make starts)
PYVER = $$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(BUILD)
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: demo test venv collection sanity units integration lint foreign bench clean fuzz

demo: collection
	FARM_PYTHON=$(PY) bash scripts/demo.sh

test: sanity units integration lint foreign

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt tests/requirements.txt
	@test -x $(PY) || "$$(scripts/find-python)" -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -U pip
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt -r tests/requirements.txt
	@touch $@

# ansible-test needs the collection at ansible_collections/NS/NAME, as real files (not a symlink).
collection: venv
	@rm -rf $(COLL) && mkdir -p $(COLL)
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	  git ls-files -co --exclude-standard -z | grep -zv '^\.ci/' | xargs -0 cp --parents -t $(COLL); \
	else \
	  tar -cf - --exclude=./.git --exclude='./.venv*' --exclude=./.ci --exclude=./tests/output --exclude=__pycache__ . | tar -xf - -C $(COLL); \
	fi

sanity: collection
	scripts/prepare-ansible-test $(PY)
	cd $(COLL) && ansible-test sanity --local --python $(PYVER) --color no

units: collection
	cd $(COLL) && PYTHONPATH=$(BUILD) $(PY) -m pytest -q -p no:cacheprovider tests/unit

# The parsers against 100000 seeded mutations of every stored reply, and every stored reply cut at
# every byte; prints its figures. HASHOPS_FUZZ_CASES / HASHOPS_FUZZ_SEED / HASHOPS_FUZZ_CASE=<n> change it.
fuzz: collection
	cd $(COLL) && PYTHONPATH=$(BUILD) HASHOPS_FUZZ_CASES=$${HASHOPS_FUZZ_CASES:-100000} HASHOPS_CUT_EVERY_BYTE=1 \
	  $(PY) -m pytest -q -s -p no:cacheprovider tests/unit/plugins/module_utils/test_fuzz.py \
	  tests/unit/plugins/module_utils/test_cut_replies.py

integration: collection
	cd $(COLL) && ansible-test integration --local --python $(PYVER) --color no

lint: collection
	cd $(COLL) && ansible-lint --offline --profile production playbooks roles

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
