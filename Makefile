# leadflow: two commands for a new user, `make demo` and `make test`.
# Both create .venv/ (uv's default location) from uv.lock on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.leadflow-synced

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: setup demo test test-slow lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet uv
	$(BIN)/uv sync --frozen --inexact --python $(BIN)/python
	@touch $@

demo: $(STAMP)
	$(BIN)/leadflow demo

test: $(STAMP)
	$(BIN)/pytest -m "not slow"

test-slow: $(STAMP)
	$(BIN)/pytest -m slow; status=$$?; [ $$status -eq 5 ] && echo "no slow tests selected" || exit $$status

lint: $(STAMP)
	$(BIN)/ruff check flows connectors tests bench
	$(BIN)/ruff format --check flows connectors tests bench

# Every benchmark in turn (about two hours at their default sizes); each writes its section of
# BENCHMARKS.md with the machine, the command and the date. Not part of `test`.
.PHONY: bench
bench: bench-sandbox bench-extract bench-dbt bench-writeback bench-nightly bench-chaos

# The sandbox benches load the company of BENCH_PRESET (10k, 100k or 1m people, ~20 activities
# each, bench/presets.py) made with BENCH_SEED, and take each figure as the median of BENCH_RUNS.
BENCH_PRESET ?= 100k
BENCH_SEED   ?= 1
BENCH_RUNS   ?= 3
BENCH_ARGS   := --preset $(BENCH_PRESET) --seed $(BENCH_SEED)

# The sandbox alone (pages per second, the direct loader); writes BENCHMARKS.md. Not part of `test`.
.PHONY: bench-sandbox
bench-sandbox: $(STAMP)
	$(BIN)/python bench/sandbox.py $(BENCH_ARGS) --runs $(BENCH_RUNS)

# The extract flow against the rate-limited sandbox (full pulls, then nightlies); writes BENCHMARKS.md.
.PHONY: bench-extract
bench-extract: $(STAMP)
	$(BIN)/python bench/extract.py $(BENCH_ARGS) --runs $(BENCH_RUNS)

# dbt build on 1,000,000 people and 20,000,000 activities, full and a steady nightly (after a
# first nightly and the write-backs), each 3 times on a fresh copy (medians); writes BENCHMARKS.md.
.PHONY: bench-dbt
bench-dbt: $(STAMP)
	$(BIN)/python bench/dbt_build.py

# Write-back of a changed record per person to each vendor, limits on; writes BENCHMARKS.md.
.PHONY: bench-writeback
bench-writeback: $(STAMP)
	$(BIN)/python bench/writeback.py $(BENCH_ARGS) --runs $(BENCH_RUNS)

# The whole nightly after 1% changed, with and without Prefect (its overhead); writes BENCHMARKS.md.
.PHONY: bench-nightly
bench-nightly: $(STAMP)
	$(BIN)/python bench/nightly.py $(BENCH_ARGS) --runs $(BENCH_RUNS)

# 20 nightlies under faults, each killed (kill -9) and run again, against a fault-free run.
.PHONY: bench-chaos
bench-chaos: $(STAMP)
	$(BIN)/python bench/chaos.py

# Registers deploy/prefect.yaml's deployments (nightly, backfill, writeback) with the Prefect
# server PREFECT_API_URL points at, creating the process work pool if it is missing.
LEADFLOW_HOME        ?= $(CURDIR)
LEADFLOW_NIGHTLY_CRON ?= 0 2 * * *
LEADFLOW_TIMEZONE    ?= UTC
DEPLOY_POOL          ?= leadflow-process
.PHONY: deploy
deploy: $(STAMP)
	$(BIN)/prefect --no-prompt work-pool inspect $(DEPLOY_POOL) >/dev/null 2>&1 \
		|| $(BIN)/prefect --no-prompt work-pool create $(DEPLOY_POOL) --type process
	$(BIN)/python -m flows.slots >/dev/null  # a global concurrency limit per object (limit 1)
	LEADFLOW_HOME="$(LEADFLOW_HOME)" LEADFLOW_NIGHTLY_CRON="$(LEADFLOW_NIGHTLY_CRON)" \
		LEADFLOW_TIMEZONE="$(LEADFLOW_TIMEZONE)" \
		$(BIN)/prefect --no-prompt deploy --prefect-file deploy/prefect.yaml --all

clean:
	rm -rf $(VENV) .leadflow dbt_project/target dbt_project/logs
