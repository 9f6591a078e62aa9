# stance: `make demo` runs the main job offline; `make test` runs the tests and notebooks;
# `make lab` opens the notebooks in JupyterLab, offline.
PYTHON ?= python3
VENV ?= .venv
TORCH_VERSION ?= 2.13.0
# The CPU build of torch is installed first, so nothing pulls a multi-GB CUDA build.
# On a GPU machine: make install TORCH_SPEC=torch (or your CUDA wheel).
TORCH_SPEC ?= torch==$(TORCH_VERSION)
BIN := $(VENV)/bin
export HF_HUB_OFFLINE ?= 1
export MPLBACKEND ?= Agg

.PHONY: install demo lab test clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[dev,dask,lab]"
	touch $@

demo: install
	$(BIN)/stance demo --out outputs

# JupyterLab on notebooks/ with this venv's Python as the kernel, offline (jupyter/: no news, no update
# check, a read-only extension manager); prints the URL. LAB_PORT: the first port tried.
LAB_PORT ?= 8888
lab: install
	@$(BIN)/python jupyter/lab.py --notebooks notebooks --port $(LAB_PORT)

# The report test and the JupyterLab test (Playwright, from the dev extra) use headless Chromium
# (Debian's package); CI runs as root.
test: install
	command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || echo "chromium not installed: the report render and JupyterLab tests are skipped outside CI"
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) outputs .pytest_cache
