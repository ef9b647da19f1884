# The two commands of the README: `make run` (whole stack) and `make test`.
SHELL := /bin/bash
TEMPORAL_CLI_VERSION := v1.5.1
BIN := $(CURDIR)/bin
TEMPORAL := $(BIN)/temporal
TEMPORAL_STAMP := $(BIN)/.temporal-$(TEMPORAL_CLI_VERSION)
GO_TEST_FLAGS ?= -race -timeout 45m

.PHONY: run test build vet unit e2e faults demo postgres temporal-cli clean help

help:
	@echo "make run    whole stack: PostgreSQL, Temporal dev server + UI (:8233), migrations, worker, API (:8080)"
	@echo "make test   go vet and every test (unit, workflow, integration against real PostgreSQL and Temporal)"
	@echo "make unit   only the fast tests that need no server (go test -short)"
	@echo "make demo   with make run up in another shell: a day of office work on shared/realdata, then the supervisor's view"
	@echo "make faults kill the worker, restart Temporal and stop PostgreSQL 30 s during 500-letter loads; nothing may be lost"
	@echo "make e2e    the end-to-end test: the built binary as migrate, worker and API processes, driven by the demo"

run: postgres temporal-cli build
	$(BIN)/dannguyen dev

test: postgres temporal-cli vet
	go test $(GO_TEST_FLAGS) ./...

unit:
	go test -short ./...

# make test runs it too (it is in ./...); this target runs it alone.
e2e: postgres temporal-cli
	go test -count=1 -v -run TestDemoEndToEnd ./e2e/

# Fault tests that restart the Temporal server or stop the machine's PostgreSQL for 30 s, so
# they stay out of make test (the worker-kill one runs there).
faults: postgres temporal-cli
	FAULTS=1 go test -count=1 -v -timeout 30m -run 'TestWorkerKilledMidLoad|TestTemporalRestartMidLoad|TestPostgresOutageMidLoad' ./e2e/

demo: build
	$(BIN)/dannguyen demo

vet:
	go vet ./...

build:
	go build -o $(BIN)/dannguyen ./cmd/dannguyen

postgres:
	@scripts/ensure-postgres.sh

# The Temporal CLI embeds the dev server and the Web UI. It is built from the Go module proxy
# once (about 5 minutes on a fresh 2-core machine) and reused afterwards.
temporal-cli: $(TEMPORAL_STAMP)

$(TEMPORAL_STAMP):
	@echo "building the Temporal CLI $(TEMPORAL_CLI_VERSION) into $(BIN) (first time only)"
	GOBIN=$(BIN) go install github.com/temporalio/cli/cmd/temporal@$(TEMPORAL_CLI_VERSION)
	@touch $@

clean:
	rm -rf $(BIN)/dannguyen .data
