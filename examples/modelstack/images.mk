# Builds the modelstack example's static binaries next to their Dockerfiles
# and the model file baked into the model-server-embedded image.
# Included from the top-level Makefile; paths are relative to the repo root.
GO                        ?= go
MODELSTACK_DIR            := examples/modelstack
MODELSTACK_PROGRAMS       := model-registry train model-server gateway predlog
MODELSTACK_BINS           := $(foreach p,$(MODELSTACK_PROGRAMS),$(MODELSTACK_DIR)/$(p)/$(p)) $(MODELSTACK_DIR)/registry/registry
# Must match the MODEL_VERSION build arg of model-server-embedded in stack.hcl and compose.yaml.
MODELSTACK_EMBEDDED_VERSION ?= iris-embedded-1
MODELSTACK_EMBEDDED_MODEL := $(MODELSTACK_DIR)/model-server/embedded/model-$(MODELSTACK_EMBEDDED_VERSION).json
MODELSTACK_GOFLAGS        := -trimpath -ldflags '-s -w'
MODELSTACK_SHARED_SRC     := $(shell find $(MODELSTACK_DIR)/internal -name '*.go' 2>/dev/null)

.PHONY: modelstack-bins modelstack-clean

modelstack-bins: $(MODELSTACK_BINS) $(MODELSTACK_EMBEDDED_MODEL)

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
	rm -f $(MODELSTACK_BINS)
	rm -rf $(MODELSTACK_DIR)/model-server/embedded
