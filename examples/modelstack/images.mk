# Builds the modelstack example's static binaries next to their Dockerfiles,
# the model file baked into the model-server-embedded image and the Go
# toolchain image the gateway is built from source with.
# Included from the top-level Makefile; paths are relative to the repo root.
GO                        ?= go
DOCKER                    ?= docker
MODELSTACK_DIR            := examples/modelstack
# The gateway is not here: its image builds it from source (gateway/Dockerfile).
MODELSTACK_PROGRAMS       := model-registry train model-server predlog
MODELSTACK_BINS           := $(foreach p,$(MODELSTACK_PROGRAMS),$(MODELSTACK_DIR)/$(p)/$(p)) $(MODELSTACK_DIR)/registry/registry
# Must match the MODEL_VERSION build arg of model-server-embedded in stack.hcl and compose.yaml.
MODELSTACK_EMBEDDED_VERSION ?= iris-embedded-1
MODELSTACK_EMBEDDED_MODEL := $(MODELSTACK_DIR)/model-server/embedded/model-$(MODELSTACK_EMBEDDED_VERSION).json
MODELSTACK_GOFLAGS        := -trimpath -ldflags '-s -w'
MODELSTACK_SHARED_SRC     := $(shell find $(MODELSTACK_DIR)/internal -name '*.go' 2>/dev/null)

.PHONY: modelstack-bins modelstack-go-image modelstack-clean

modelstack-bins: $(MODELSTACK_BINS) $(MODELSTACK_EMBEDDED_MODEL) modelstack-go-image

# The build stage of gateway/Dockerfile: the host's Go toolchain imported as
# an image FROM scratch (nothing can be pulled), so the gateway is compiled
# from source in the stack and `stack up --watch` rebuilds it on an edit.
# Imported once, again only when the host's Go version changes (its label).
# test/, api/, doc/ and misc/ are left out: go build does not read them.
MODELSTACK_GO_IMAGE       := modelstack/go:local
modelstack-go-image:
	@goroot=$$($(GO) env GOROOT) && version=$$($(GO) env GOVERSION) && \
	if [ "$$($(DOCKER) image inspect -f '{{index .Config.Labels "org.golang.version"}}' $(MODELSTACK_GO_IMAGE) 2>/dev/null)" != "$$version" ]; then \
		echo "import $$goroot ($$version) as image $(MODELSTACK_GO_IMAGE)"; \
		tar -C "$$goroot" --exclude=./test --exclude=./api --exclude=./doc --exclude=./misc \
			--transform 's,^\.,usr/local/go,' -cf - . | \
		$(DOCKER) import \
			-c 'ENV PATH=/usr/local/go/bin HOME=/root GOPATH=/root/go GOCACHE=/root/.cache/go-build' \
			-c 'ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-trimpath' \
			-c "LABEL org.golang.version=$$version" \
			- $(MODELSTACK_GO_IMAGE) >/dev/null; \
	fi

# One static binary per program, rebuilt when its sources or the shared packages change.
define modelstack_bin_rule
$(MODELSTACK_DIR)/$(1)/$(1): $(MODELSTACK_SHARED_SRC) $(wildcard $(MODELSTACK_DIR)/$(1)/*.go $(MODELSTACK_DIR)/$(1)/*.csv) go.mod go.sum
	CGO_ENABLED=0 $$(GO) build $$(MODELSTACK_GOFLAGS) -o $$@ ./$(MODELSTACK_DIR)/$(1)
endef
$(foreach p,$(MODELSTACK_PROGRAMS),$(eval $(call modelstack_bin_rule,$(p))))

# The OCI registry lives in its own module so its dependencies stay out of ours.
$(MODELSTACK_DIR)/registry/registry: $(MODELSTACK_DIR)/registry/main.go $(MODELSTACK_DIR)/registry/go.mod $(MODELSTACK_DIR)/registry/go.sum
	cd $(MODELSTACK_DIR)/registry && CGO_ENABLED=0 $(GO) build $(MODELSTACK_GOFLAGS) -o registry .

$(MODELSTACK_EMBEDDED_MODEL): $(MODELSTACK_DIR)/train/train
	MODEL_VERSION=$(MODELSTACK_EMBEDDED_VERSION) $(MODELSTACK_DIR)/train/train -out $@

modelstack-clean:
	rm -f $(MODELSTACK_BINS) $(MODELSTACK_DIR)/gateway/gateway
	rm -rf $(MODELSTACK_DIR)/model-server/embedded
