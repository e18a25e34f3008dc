package spec

import (
	"strings"

	"github.com/compose-spec/compose-go/v2/tree"
)

// fatalComposeReasons say why a refused key cannot be honoured and what
// would make it work, by key pattern ("services.*.build.sbom").
var fatalComposeReasons = map[string]string{
	"services.*.build.entitlements": "the engine's build endpoint (API 1.41) cannot grant BuildKit entitlements; " +
		"a buildx builder started with --allow-insecure-entitlement can",
	"services.*.build.provenance": "provenance attestations need a BuildKit client that exports them (buildx); " +
		"the engine's build endpoint stores images without attestations",
	"services.*.build.sbom": "SBOM attestations need a BuildKit client that exports them (buildx); " +
		"the engine's build endpoint stores images without attestations",
	"services.*.build.no_cache_filter": "the engine's build endpoint (API 1.41) can only disable the cache for a whole build; " +
		"use no_cache, or a buildx builder",
	"services.*.credential_spec": "Windows containers only; this engine runs Linux containers",
	"services.*.models":          "needs Docker Model Runner, which a plain Docker Engine does not have; run the model server as a service",
	"models":                     "needs Docker Model Runner, which a plain Docker Engine does not have; run the model server as a service",
	"services.*.umask":           "the Docker Engine API has no umask setting; set it in the image's entrypoint",
}

// fatalReason is the reason for a refused key: by its pattern, or for a
// key under a refused top-level key (models.llm), by that.
func fatalReason(p tree.Path) (string, bool) {
	if why, ok := fatalComposeReasons[keyPathPattern(p)]; ok {
		return why, true
	}
	why, ok := fatalComposeReasons[strings.Split(string(p), ".")[0]]
	return why, ok
}

// keyPathPattern turns services.web.build.sbom into services.*.build.sbom.
func keyPathPattern(p tree.Path) string {
	parts := strings.Split(string(p), ".")
	if len(parts) > 1 && parts[0] == "services" {
		parts[1] = "*"
	}
	return strings.Join(parts, ".")
}
