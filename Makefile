# `make test` and `make demo` create .venv when it is missing, install the
# pinned stack and this package (editable) once, and reuse them afterwards.
PYTHON_BOOT ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.mmrazor_dfad-installed

.PHONY: install test demo smoke clean-venv

install: $(STAMP)

$(STAMP): requirements/torch.txt requirements/mminstall.txt requirements/runtime.txt requirements/tests.txt setup.py pyproject.toml
	test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -r requirements/torch.txt
	$(PY) -m pip install -r requirements/mminstall.txt -r requirements/runtime.txt -r requirements/tests.txt
	$(PY) -m pip install -v -e .
	$(PY) tools/misc/mim_editable_link.py
	$(PY) -c "import mmrazor_dfad, mmrazor.models; print('mmrazor_dfad', mmrazor_dfad.__version__, 'ready')"
	touch $(STAMP)

test: install
	$(PY) -m pytest tests -q

demo: install
	$(PY) tools/misc/cifar_smoke.py --work-dir work_dirs/cifar_smoke

clean-venv:
	rm -rf $(VENV)
