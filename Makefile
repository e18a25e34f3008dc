# stack: make build, make up, make down, make test.
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.Version=$(VERSION)
STACK    := bin/stack
EXAMPLE  ?= stack.hcl.example
export CGO_ENABLED ?= 0

.PHONY: build up down test test-swarm-nodes vet fuzz bench clean docs

build: $(STACK)

include examples/modelstack/images.mk

# The example: a model server behind a gateway, its registries and a
# prediction log, all built here from source (nothing is pulled).
up: build modelstack-bins
	$(STACK) -f $(EXAMPLE) up --wait --wait-timeout 5m
	@echo
	@echo "the model-serving stack is up; ask it for a prediction:"
	@echo "  curl -s -X POST localhost:8080/predict -d '{\"features\": [5.1, 3.5, 1.4, 0.2]}'"
	@echo "see it with: $(STACK) -f $(EXAMPLE) ps; tear it down with: make down"

down: build
	$(STACK) -f $(EXAMPLE) down

$(STACK): $(shell find cmd engine spec internal kube -name '*.go' 2>/dev/null) go.mod go.sum
	$(GO) build -ldflags '$(LDFLAGS)' -o $(STACK) ./cmd/stack

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }

# All tests: unit, CLI scripts and integration tests against the real engine,
# then a short fuzz run of both loaders. The short run starts from the
# checked-in seeds only: a corpus grown by longer runs takes longer than
# 10 s to replay, which the fuzzer reports as a failure.
test: vet
	$(GO) test -count=1 -timeout 15m ./...
	@echo "swarm tests, alone: swarm mode disturbs the networks of tests running beside it"
	@if [ "$(SWARM_ISOLATED)" = 1 ]; then \
		.ci/swarm-nodes test $(GO) test -count=1 -timeout 15m -p 1 -run 'Swarm' $(SWARM_PKGS); s=$$?; \
		[ $$s -eq 75 ] || exit $$s; \
		echo "swarm tests: no isolated swarm; on the engine's own"; \
	fi; \
	STACK_TEST_SWARM=1 $(GO) test -count=1 -timeout 15m -p 1 -run 'Swarm' $(SWARM_PKGS)
	$(GO) clean -fuzzcache
	$(MAKE) fuzz FUZZTIME=10s

# The packages with swarm tests (named *Swarm*, run with STACK_TEST_SWARM=1).
SWARM_PKGS := ./swarm/... ./engine/mobydocker/ ./cmd/stack/ ./examples/modelstack/

# The swarm tests on an isolated two-node swarm (.ci/swarm-nodes: two
# dockerds in their own network namespaces; needs root) instead of the
# engine's own, the two-node test included. make test does so with
# SWARM_ISOLATED=1 (as .ci/run sets it for root), and falls back on the
# engine's own swarm when the isolated one cannot start.
test-swarm-nodes:
	.ci/swarm-nodes test $(GO) test -count=1 -timeout 15m -p 1 -run 'Swarm' $(SWARM_PKGS)

FUZZTIME ?= 30s
fuzz:
	@for f in $$($(GO) test -list '^Fuzz' ./spec | grep '^Fuzz'); do \
		echo "fuzz $$f ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 200x ./spec || exit 1; \
	done

# Times stack against the raw Docker API doing the same work; see bench/README.md.
bench: $(STACK)
	$(GO) run ./bench -stack $(STACK) $(BENCHFLAGS)

clean: modelstack-clean
	rm -rf bin

# docs/cli: the Markdown and man page reference, generated from the cobra
# tree; a test fails when it is out of date.
docs:
	$(GO) test ./cmd/stack -run TestDocsUpToDate -update-docs
