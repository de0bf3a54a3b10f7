# The front door: `make run` starts the assistant, `make test` checks it. Both set up first.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := help

PY311 ?= $(firstword $(shell command -v python3.11) $(wildcard $(HOME)/.pyenv/versions/3.11*/bin/python3.11))
# pyenv's python3.10 shim refuses to run unless 3.10 is selected, so look for the real one first.
PY310 ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.10*/bin/python3.10) $(shell command -v python3.10))

APP_ENV := .venv
RASA_ENV := .venv-rasa
PIP_QUIET := --quiet --disable-pip-version-check
# This machine's pip configuration names local package folders that hold only some packages;
# pip warns once per missing package. The warnings say nothing about our install.
PIP_FILTER := | { grep -v "^WARNING: Location 'file:" || true; }

# The model is named after a hash of everything it is trained from, so `make train`
# retrains only when one of these files changed.
# Our own Rasa components are part of the model too: a change to their code names a new one.
MODEL_INPUTS = config.yml $(sort $(shell find domain data -name '*.yml') $(wildcard rasa_components/*.py))
MODEL_HASH = $(shell cat $(MODEL_INPUTS) | sha256sum | cut -c1-12)
MODEL = models/model-$(MODEL_HASH).tar.gz
export MODEL
# Rasa 3.6 runs on SQLAlchemy 1.4 and warns about 2.0 on every start.
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# Rasa reports usage to its makers by default, and exceptions (which can quote what a client
# wrote) with it. Health data stays on the practice's machine: off for every Rasa we start.
export RASA_TELEMETRY_ENABLED := false

.PHONY: help setup browser train run run-prod test lint validate eval eval-sealed bench bench-cold clean announce-run

help:
	@echo "make run    set up, train if needed, and start rasa, actions and the api"
	@echo "make run-prod  the same on PostgreSQL and Redis: two rasa processes, two api workers"
	@echo "make test   set up, train if needed, and run lint, data validation and the tests"
	@echo "make setup  create $(APP_ENV) (Python 3.11) and $(RASA_ENV) (Python 3.10) from the lock files"
	@echo "make train  train the Rasa model when its inputs changed"
	@echo "make eval FILE=...  routing scores on a labelled file, against a running assistant"
	@echo "make eval-sealed  the sealed set's scores only (never its lines), against a running assistant"
	@echo "make bench  fresh-clone times, latency, throughput, memory, triage and training: docs/benchmarks.md (about 45 minutes)"
	@echo "make bench-cold  only the fresh-clone times: setup, train, first reply, .ci/run (about 20 minutes)"

# The two environments are independent, so they install at once: most of pip's time is spent
# waiting on downloads and the disk.
setup:
	@$(MAKE) --no-print-directory -s -j2 $(APP_ENV)/.installed $(RASA_ENV)/.installed

$(APP_ENV)/.installed: requirements/app.lock
	@echo "== creating $(APP_ENV) with $(PY311) (about 1 minute the first time)"
	@test -n "$(PY311)" || { echo "python3.11 not found"; exit 1; }
	@test -x $(APP_ENV)/bin/python || $(PY311) -m venv $(APP_ENV)
	$(APP_ENV)/bin/pip install $(PIP_QUIET) --require-hashes --no-deps -r requirements/app.lock 2>&1 $(PIP_FILTER)
	@touch $@

$(RASA_ENV)/.installed: requirements/rasa.lock
	@echo "== creating $(RASA_ENV) with $(PY310) (about 2 minutes and 2.7 GB the first time)"
	@test -n "$(PY310)" || { echo "python3.10 not found (Rasa 3.6 needs it)"; exit 1; }
	@test -x $(RASA_ENV)/bin/python || $(PY310) -m venv $(RASA_ENV)
	$(RASA_ENV)/bin/pip install $(PIP_QUIET) --require-hashes --no-deps -r requirements/rasa.lock 2>&1 $(PIP_FILTER)
	@touch $@

# The dashboard tests drive a real browser: Debian's Chromium (Playwright's own download is
# neither needed nor reachable here).
browser:
	@command -v chromium >/dev/null || { echo "== installing Debian's chromium for the page tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# `make validate` checks the data (`make test` runs it before training): the train itself
# skips Rasa's own pass over it, which costs 8 seconds of every cold train.
train: $(RASA_ENV)/.installed
	@if [ -f $(MODEL) ]; then echo "model up to date: $(MODEL)"; else \
	  echo "== training $(MODEL) (1 to 2 minutes on 2 cores; Rasa shows each step's progress)"; \
	  $(RASA_ENV)/bin/rasa train --fixed-model-name model-$(MODEL_HASH) --out models \
	    --config config.yml --domain domain --data data --skip-validation; fi

# Measured on the 2-core machine (docs/benchmarks.md, "From a fresh clone").
announce-run:
	@echo "== make run: set up the two environments (about 2 minutes the first time), train the"
	@echo "   model (1 to 2 minutes the first time), then start rasa, actions and the api (under"
	@echo "   1 minute until it answers). Later runs skip what is already done."

# Only `make run` is a developer's machine: development secrets and dry-run SMS signatures.
# umask 077: the databases, Rasa's tracker and the logs it writes are readable by their owner
# only (health details live in them).
run: export ENVIRONMENT ?= development
# `make eval` sends hundreds of new web chats from this machine's one address; production keeps
# the default (10 new chats that open a case, per address and hour).
run: export WEB_CASES_PER_ADDRESS ?= 100000/hour
run: announce-run setup train
	@echo "== preparing the database (var/assistant.db) and starting the processes"
	umask 077 && $(APP_ENV)/bin/python -m assistant prepare-db
	umask 077 && $(APP_ENV)/bin/honcho start -f Procfile

# The production profile on this machine's PostgreSQL and Redis (docs/deploy.md): two Rasa
# processes (RASA_URL, sticky by conversation) sharing a PostgreSQL tracker store and a Redis
# lock store, and the api with two workers. Override any address: make run-prod DATABASE_URL=...
run-prod: export DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/assistant_prod
run-prod: export RASA_TRACKER_URL ?= postgresql://postgres@127.0.0.1:5432/rasa_tracker
run-prod: export REDIS_URL ?= redis://127.0.0.1:6379/1
run-prod: export RASA_URL ?= http://127.0.0.1:5005,http://127.0.0.1:5006
run-prod: export ENVIRONMENT := production
# Its secrets: written once with strong random values (owner-only), then read on every start.
# Bring your own with SECRETS_FILE=path (SESSION_SECRET=..., INTERNAL_API_TOKEN=...).
SECRETS_FILE ?= var/secrets.env
run-prod: setup train
	$(APP_ENV)/bin/python -m assistant generate-secrets $(SECRETS_FILE)
	umask 077 && set -a && . "$(abspath $(SECRETS_FILE))" && set +a && \
	  $(APP_ENV)/bin/python -m assistant create-databases && \
	  $(APP_ENV)/bin/python -m assistant prepare-db && \
	  $(APP_ENV)/bin/honcho start -f Procfile.prod

lint: $(APP_ENV)/.installed
	$(APP_ENV)/bin/ruff check .
	$(APP_ENV)/bin/ruff format --check .
	$(APP_ENV)/bin/mypy
	$(APP_ENV)/bin/lint-imports --no-cache

validate: $(RASA_ENV)/.installed
	$(RASA_ENV)/bin/rasa data validate --fail-on-warnings --config config.yml --domain domain --data data

# Two groups at once, one per core. Training starts first, in the background: the data
# validation, the lint and the tests that need no model run while it trains. The tests that boot
# the whole stack (marker needs_model) start as soon as the model is trained, beside whatever of
# the others is left; the Rasa environment's own tests (actions, our Rasa components) need the
# model too and follow the tests that need none, the shorter group (docs/benchmarks.md). The
# background group's output, and training's, is shown once all are done (var/train.log,
# var/test-model.log). If validation or lint fails, training is stopped. pytest's status 5 (it
# collected nothing) is a broken suite, never a pass.
test:
	@$(MAKE) --no-print-directory -s -j3 $(APP_ENV)/.installed $(RASA_ENV)/.installed browser
	@mkdir -p var && rm -f var/train.status var/test-model.status
	@echo "== make train in the background (var/train.log); validation, lint and the tests that need no model meanwhile"
	@stop_tree() { for child in $$(pgrep -P $$1); do stop_tree $$child; done; kill $$1 2>/dev/null; }; \
	( $(MAKE) --no-print-directory train > var/train.log 2>&1; trained=$$?; echo $$trained > var/train.status; \
	  [ $$trained -eq 0 ] || exit 97; \
	  $(APP_ENV)/bin/python -m pytest -p no:cacheprovider -m needs_model tests \
	    --ignore=tests/actions --ignore=tests/rasa_components > var/test-model.log 2>&1; \
	  echo $$? > var/test-model.status ) & model=$$!; \
	if ! $(MAKE) --no-print-directory validate lint; then \
	  stop_tree $$model; wait $$model; echo "make validate or make lint failed"; exit 1; fi; \
	$(APP_ENV)/bin/python -m pytest -m "not needs_model" tests --ignore=tests/actions --ignore=tests/rasa_components; others=$$?; \
	while [ ! -f var/train.status ]; do sleep 2; done; \
	if [ "$$(cat var/train.status)" != 0 ]; then wait $$model; cat var/train.log; echo "make train failed"; exit 1; fi; \
	echo "== the Rasa environment's tests (actions, rasa_components), on the trained model"; \
	$(RASA_ENV)/bin/python -m pytest -p no:cacheprovider tests/actions tests/rasa_components \
	  --confcutdir=tests/actions; rasa=$$?; \
	wait $$model; \
	echo "== make train, run beside them (var/train.log)"; grep -v "Epochs:" var/train.log | tail -n 3; \
	echo "== the tests that need the model, once it was trained (var/test-model.log)"; \
	cat var/test-model.log; \
	for status in $$others $$rasa $$(cat var/test-model.status 2>/dev/null || echo 1); do \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests in one group"; exit 1; fi; \
	  if [ $$status -ne 0 ]; then exit 1; fi; \
	done

# Routing on a labelled file, against a running assistant (`make run` in another terminal).
FILE ?= tests/data/dev_set.jsonl
API ?= http://127.0.0.1:8000
eval: $(APP_ENV)/.installed
	$(APP_ENV)/bin/python -m assistant.evaluation $(FILE) --api $(API)

# The sealed set's scores only, never its lines (tests/data/sealed/README.md), against a
# running assistant.
eval-sealed: $(APP_ENV)/.installed
	$(APP_ENV)/bin/python -m assistant.evaluation tests/data/sealed/vet.jsonl \
	  tests/data/sealed/human.jsonl --sealed --api $(API)

# Boots its own stack on free ports and a temporary database; nothing else may run meanwhile
# for figures worth comparing. BENCH_ARGS=--quick for a one-minute trial (under var/bench).
BENCH_ARGS ?=
bench: setup train
	@if [ -z "$(findstring --quick,$(BENCH_ARGS))" ]; then $(MAKE) --no-print-directory bench-cold; fi
	$(APP_ENV)/bin/python -m bench.run $(BENCH_ARGS)

# Fresh clones of HEAD with empty caches: make setup, make train, make run to the first
# answered message, and .ci/run. Nothing else may run meanwhile (make run's ports included).
bench-cold: $(APP_ENV)/.installed
	$(APP_ENV)/bin/python -m bench.cold

clean:
	rm -rf $(APP_ENV) $(RASA_ENV) models .rasa var
