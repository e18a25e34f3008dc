package mobydocker

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/distribution/reference"
	"github.com/docker/cli/cli/config"
	"github.com/docker/cli/cli/config/credentials"
	"github.com/moby/moby/api/types/registry"
	"go.uber.org/zap"
)

// anonymousAuth is the X-Registry-Auth of no credentials, "{}": Docker 20.10
// refuses a push without the header.
var anonymousAuth = base64.URLEncoding.EncodeToString([]byte("{}"))

// registryAuth returns the X-Registry-Auth value for ref's registry from the
// Docker config (auths and credential helpers), or anonymousAuth.
// A broken config or helper is logged and the pull is tried anonymously, as
// the registry may not need credentials at all.
func registryAuth(ref string, log *zap.Logger) string {
	auth, err := encodedRegistryAuth(dockerConfigDir(), ref)
	if err != nil {
		log.Debug("registry credentials unavailable", zap.String("ref", ref), zap.Error(err))
		return anonymousAuth
	}
	if auth == "" {
		return anonymousAuth
	}
	return auth
}

// dockerConfigDir is $DOCKER_CONFIG or ~/.docker, read on every call so a
// `docker login` during a long session is picked up.
func dockerConfigDir() string {
	if dir := os.Getenv("DOCKER_CONFIG"); dir != "" {
		return dir
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".docker")
}

// encodedRegistryAuth looks up the credentials for ref's registry in the
// config in dir and encodes them as the Engine API expects: base64url JSON.
func encodedRegistryAuth(dir, ref string) (string, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", fmt.Errorf("parse image reference %q: %w", ref, err)
	}
	cfg, err := config.Load(dir)
	if err != nil {
		return "", fmt.Errorf("load docker config: %w", err)
	}
	if !cfg.ContainsAuth() {
		cfg.CredentialsStore = credentials.DetectDefaultStore(cfg.CredentialsStore)
	}
	ac, err := cfg.GetAuthConfig(reference.Domain(named))
	if err != nil {
		return "", fmt.Errorf("credentials for %s: %w", reference.Domain(named), err)
	}
	if ac.Username == "" && ac.Password == "" && ac.Auth == "" && ac.IdentityToken == "" && ac.RegistryToken == "" {
		return "", nil
	}
	buf, err := json.Marshal(registry.AuthConfig{
		Username:      ac.Username,
		Password:      ac.Password,
		Auth:          ac.Auth,
		ServerAddress: ac.ServerAddress,
		IdentityToken: ac.IdentityToken,
		RegistryToken: ac.RegistryToken,
	})
	if err != nil {
		return "", fmt.Errorf("encode credentials: %w", err)
	}
	return base64.URLEncoding.EncodeToString(buf), nil
}
