# Builds use plain `go build` with the version ldflags that .promu.yml gives
# release builds, because promu itself is not needed for a local build.

GO        ?= go
BINARY    := fortigate_session_exporter
SIM       := fortigate-sim
VERSION   := $(shell cat VERSION)
REVISION  := $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BRANCH    := $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
BUILDDATE := $(shell date -u +%Y%m%d-%H:%M:%S)
VERSIONPKG := github.com/prometheus/common/version
LDFLAGS   := -X $(VERSIONPKG).Version=$(VERSION) \
             -X $(VERSIONPKG).Revision=$(REVISION) \
             -X $(VERSIONPKG).Branch=$(BRANCH) \
             -X $(VERSIONPKG).BuildUser=$(shell whoami)@$(shell hostname) \
             -X $(VERSIONPKG).BuildDate=$(BUILDDATE)

.PHONY: all build sim demo test test-deps vet fmt-check unit rules bench clean

all: build sim

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BINARY) .

sim:
	$(GO) build -o $(SIM) ./cmd/fortigate-sim

# Runs the simulated FortiGate and one exporter against it, no Redis needed.
demo: build sim
	./scripts/demo.sh

test-deps:
	./scripts/test-deps.sh

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

unit:
	$(GO) test -race -count=1 -timeout 30m ./...

rules:
	./alerts/check.sh

# The whole suite: dependencies, static checks, Go tests with the race
# detector (the end-to-end tests build and start the real binaries), and the
# alerting rule tests.
test: test-deps fmt-check vet unit rules

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -f $(BINARY) $(SIM)
