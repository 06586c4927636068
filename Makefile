# The two set-up commands of the README: `make` installs and builds the index of the bundled
# corpus; `make test` installs the test extras and runs the tests, offline.
PYTHON ?= python3
PIP_FLAGS ?= --quiet --disable-pip-version-check

.PHONY: install test

install:
	$(PYTHON) -m pip install $(PIP_FLAGS) "torch==2.13.0" -e ".[test]"
	HF_HUB_OFFLINE=1 $(PYTHON) -m assistant index

test:
	$(PYTHON) -m pip install $(PIP_FLAGS) "torch==2.13.0" -e ".[test]"
	HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(PYTHON) -m pytest -q
