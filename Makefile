# The README's two set-up commands, for a fresh machine with nothing but a python3 (3.11 or
# newer). Everything goes into the project's own virtual environment, .venv, so a system Python
# marked "externally managed" (Debian, Ubuntu) or a shared pyenv interpreter is never touched.
#
#   make        .venv, avtale installed into it (torch 2.13.0, the CPU build), the search index
#               of the bundled documents, one example question answered, and how to open the app
#   make test   the same .venv with the test extras, then the whole suite, offline
#
# Another interpreter: make PYTHON=/usr/bin/python3.12. Another folder: make VENV=/opt/avtale.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
PIP = $(BIN)/python -m pip --disable-pip-version-check
TORCH = torch==2.13.0
OFFLINE = HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
EXAMPLE = Hvem sender tidligmelding ved innleggelse?

.PHONY: install test venv

install:
	@echo "==> [1/4] Virtuelt miljø: $(VENV)"
	@$(MAKE) --no-print-directory -s venv
	@echo "==> [2/4] Installerer avtale og avhengighetene i $(VENV) (første gang om lag 1 GB med torch; pip viser fremdriften)"
	$(PIP) install "$(TORCH)" -e .
	@echo "==> [3/4] Bygger søkeindeksen for de medfølgende dokumentene (første gang om lag ett minutt)"
	$(OFFLINE) $(BIN)/avtale index
	@echo "==> [4/4] Prøver et eksempelspørsmål: «$(EXAMPLE)»"
	$(OFFLINE) $(BIN)/avtale ask --top-k 1 "$(EXAMPLE)"
	@echo ""
	@echo "Ferdig. Åpne appen med:"
	@echo "    $(BIN)/avtale"
	@echo "eller aktiver miljøet (source $(BIN)/activate), så virker «avtale» og «avtale ask \"SPØRSMÅL\"» direkte."

test:
	@echo "==> [1/3] Virtuelt miljø: $(VENV)"
	@$(MAKE) --no-print-directory -s venv
	@echo "==> [2/3] Installerer avtale med testpakkene i $(VENV)"
	$(PIP) install "$(TORCH)" -e ".[test]"
	@echo "==> [3/3] Kjører testene (offline; med en installasjon av hjulet i et nytt miljø, 2–3 minutter av tiden)"
	$(OFFLINE) $(BIN)/python -m pytest -q

# Made once; remade when it has no working pip (a creation that stopped midway).
venv:
	@if $(BIN)/python -m pip --version >/dev/null 2>&1; then \
	    echo "    finnes allerede ($$($(BIN)/python -V))"; \
	elif ! command -v $(PYTHON) >/dev/null 2>&1; then \
	    echo "avtale: fant ikke $(PYTHON). Installer Python 3.11 eller nyere (Debian/Ubuntu: sudo apt install python3 python3-venv), eller oppgi en med make PYTHON=/sti/til/python3." >&2; exit 1; \
	elif ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
	    echo "avtale: trenger Python 3.11 eller nyere, men $(PYTHON) er $$($(PYTHON) -V 2>&1). Oppgi en nyere med make PYTHON=python3.12." >&2; exit 1; \
	elif ! $(PYTHON) -c 'import venv, ensurepip' >/dev/null 2>&1; then \
	    echo "avtale: $(PYTHON) mangler venv-modulen. Installer systempakken python3-venv (Debian/Ubuntu: sudo apt install python3-venv, eller python3.$$($(PYTHON) -c 'import sys; print(sys.version_info[1])')-venv) og kjør make igjen." >&2; exit 1; \
	else \
	    echo "    lager det med $$($(PYTHON) -V) ($$(command -v $(PYTHON)))"; \
	    $(PYTHON) -m venv --clear $(VENV) || { rm -rf $(VENV); exit 1; }; \
	fi
