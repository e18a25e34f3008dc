package mobydocker_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

// These tests build with the compose build keys against the real engine.
// RUN steps need a shell: a base image FROM scratch with Debian's static
// busybox (package busybox-static), built first as the project's "base".

// baseService builds the busybox base image and returns its name.
func (env *imageEnv) baseImage(p *spec.Project) string {
	env.t.Helper()
	busybox, err := os.ReadFile("/bin/busybox")
	if err != nil {
		if os.Getenv("CI") == "true" {
			env.t.Fatalf("no static busybox (apt-get install busybox-static): %v", err)
		}
		env.t.Skipf("no static busybox (apt-get install busybox-static): %v", err)
	}
	dir := env.t.TempDir()
	writeFile(env.t, filepath.Join(dir, "Dockerfile"), "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n")
	if err := os.WriteFile(filepath.Join(dir, "busybox"), busybox, 0o755); err != nil {
		env.t.Fatal(err)
	}
	base := &spec.Service{Name: "base", Build: &spec.Build{Context: dir}}
	env.add(p, base)
	if _, err := env.engine.Build(context.Background(), p, []string{"base"}, engine.ImageOptions{}); err != nil {
		env.t.Fatalf("build base image: %v", err)
	}
	return engine.ImageName(p, base)
}

// add puts a service into p, labelled and removed at the end as projectOf does.
func (env *imageEnv) add(p *spec.Project, s *spec.Service) {
	q := env.projectOf(s)
	q.Secrets = p.Secrets
	p.Services[s.Name] = q.Services[s.Name]
}

// imageFile reads a file of an image by running cat in a throwaway
// container.
func (env *imageEnv) imageFile(image, path string) string {
	env.t.Helper()
	out, err := exec.Command("docker", "run", "--rm", "--label", "dev.stack.test=1", "--label", engine.LabelProject+"="+env.project,
		"--network", "none", "--entrypoint", "/bin/cat", image, path).CombinedOutput()
	if err != nil {
		env.t.Fatalf("read %s of %s: %v\n%s", path, image, err, out)
	}
	return string(out)
}

func TestBuildSecretsAndSSHThroughSession(t *testing.T) {
	env := newImageEnv(t)
	p := env.projectOf()
	base := env.baseImage(p)

	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "sshkeys"), "./testdata/sshkeys")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build sshkeys: %v\n%s", err, out)
	}
	writeFile(t, filepath.Join(dir, "Dockerfile"), "FROM "+base+"\n"+
		"COPY sshkeys /bin/sshkeys\n"+
		"RUN --mount=type=secret,id=token cat /run/secrets/token > /token.txt\n"+
		"RUN --mount=type=secret,id=apikey cat /run/secrets/apikey > /apikey.txt\n"+
		"RUN --mount=type=ssh sshkeys > /ssh-default.txt\n"+
		"RUN --mount=type=ssh,id=deploy sshkeys > /ssh-deploy.txt\n")

	// The agent behind "default", served on a unix socket as ssh-agent does.
	sock := filepath.Join(t.TempDir(), "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	keyring := agent.NewKeyring()
	_, agentKey, _ := ed25519.GenerateKey(rand.Reader)
	if err := keyring.Add(agent.AddedKey{PrivateKey: agentKey, Comment: "agent-key-for-stack-test"}); err != nil {
		t.Fatal(err)
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _ = agent.ServeAgent(keyring, c) }()
		}
	}()
	t.Setenv("SSH_AUTH_SOCK", sock)
	// The key behind "deploy", a private key file.
	_, fileKey, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(fileKey, "deploy-key-for-stack-test")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "deploy_key")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(t.TempDir(), "token.txt")
	writeFile(t, tokenFile, "file-secret-value\n")
	t.Setenv("STACK_TEST_API_KEY", "env-secret-value")
	p.Secrets = map[string]*spec.Secret{
		"token":   {Key: "token", File: tokenFile},
		"api_key": {Key: "api_key", Environment: "STACK_TEST_API_KEY"},
	}
	app := &spec.Service{Name: "app", Build: &spec.Build{Context: dir,
		Secrets: []spec.FileRef{{Source: "token"}, {Source: "api_key", Target: "apikey"}},
		SSH:     []spec.BuildSSH{{ID: "default"}, {ID: "deploy", Path: keyFile}},
	}}
	env.add(p, app)
	if _, err := env.ensure(p, engine.ImageOptions{}); err != nil {
		t.Fatal(err)
	}
	image := engine.ImageName(p, app)
	checks := map[string]string{
		"/token.txt":       "file-secret-value\n",
		"/apikey.txt":      "env-secret-value",
		"/ssh-default.txt": "agent-key-for-stack-test\n",
	}
	for path, want := range checks {
		if got := env.imageFile(image, path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	// A key file is served by an agent of its own: one key, and not the
	// agent's.
	if got := env.imageFile(image, "/ssh-deploy.txt"); strings.Count(got, "\n") != 1 || strings.Contains(got, "agent-key") {
		t.Errorf("/ssh-deploy.txt = %q, want the one key of the file", got)
	}
}

func TestBuildInlineDockerfileAndAdditionalContexts(t *testing.T) {
	env := newImageEnv(t)
	p := env.projectOf()
	base := env.baseImage(p)

	assets := t.TempDir()
	writeFile(t, filepath.Join(assets, "a.txt"), "asset\n")
	writeFile(t, filepath.Join(assets, "sub", "b.txt"), "nested\n")
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "src.txt"), "source\n")
	tools := &spec.Service{Name: "tools", Build: &spec.Build{Context: t.TempDir(),
		DockerfileInline: "FROM " + base + "\nRUN echo tool > /tool.txt\n"}}
	env.add(p, tools)
	app := &spec.Service{Name: "app", Build: &spec.Build{Context: src,
		DockerfileInline: "ARG FROM_ARG=1\nFROM " + base + "\n" +
			"COPY . /ctx/\n" +
			"COPY --from=assets / /assets/\n" +
			"COPY --from=tools /tool.txt /tool.txt\n" +
			"COPY --from=img /bin/busybox /img-busybox\n" +
			"RUN ls -a /ctx > /ctx-list.txt\n",
		AdditionalContexts: map[string]string{"assets": assets, "tools": "service:tools", "img": "docker-image://" + base},
	}}
	env.add(p, app)
	// Only app is asked for: tools is built first because app uses it.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := env.engine.EnsureImages(ctx, p, []string{"app"}, engine.ImageOptions{}); err != nil {
		t.Fatal(err)
	}
	image := engine.ImageName(p, app)
	checks := map[string]string{
		"/assets/a.txt":     "asset\n",
		"/assets/sub/b.txt": "nested\n",
		"/tool.txt":         "tool\n",
		"/ctx/src.txt":      "source\n",
	}
	for path, want := range checks {
		if got := env.imageFile(image, path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if got := env.imageFile(image, "/ctx-list.txt"); strings.Contains(got, ".dockerfile") || strings.Contains(got, ".dockerignore") || !strings.Contains(got, "src.txt") {
		t.Errorf("context seen by COPY . : %q; want src.txt and not the generated Dockerfile or .dockerignore", got)
	}
	if env.imageFile(image, "/img-busybox") == "" {
		t.Error("/img-busybox is empty, want the base image's busybox")
	}
	out, err := exec.Command("docker", "images", "-q", "--filter", "label=dev.stack.build-context", "--filter", "label="+engine.LabelProject+"="+env.project).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("context images left after the build: %q %v", out, err)
	}
}

func TestBuildArgsNetworkExtraHostsShmAndUlimits(t *testing.T) {
	env := newImageEnv(t)
	p := env.projectOf()
	base := env.baseImage(p)
	dockerfile := "FROM " + base + "\nARG GREETING\n" +
		"RUN echo \"$GREETING\" > /arg.txt; cat /etc/hosts > /hosts.txt; cat /proc/net/dev > /netdev.txt; " +
		"df -k /dev/shm | tail -1 > /shm.txt; ulimit -n > /nofile.txt\n"

	// BuildKit: network none, extra hosts, args.
	kit := &spec.Service{Name: "kit", Build: &spec.Build{Context: t.TempDir(), DockerfileInline: dockerfile,
		Args: map[string]string{"GREETING": "hello"}, Network: "none", ExtraHosts: []string{"mirror.example:10.1.2.3"}}}
	env.add(p, kit)

	// The classic builder: a named network, shm_size and ulimits.
	subnet := fmt.Sprintf("10.231.%d.0/24", mrand.IntN(250)+2)
	netName := env.project + "-buildnet"
	ctx := context.Background()
	if _, err := env.docker.NetworkCreate(ctx, engine.NetworkSpec{Name: netName, IPAM: spec.IPAM{Pools: []spec.IPAMPool{{Subnet: subnet}}},
		Labels: map[string]string{"dev.stack.test": "1", engine.LabelProject: env.project}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := env.docker.NetworkRemove(context.Background(), netName); err != nil && !errors.Is(err, engine.ErrNotFound) {
			t.Errorf("cleanup: %v", err)
		}
	})
	classic := &spec.Service{Name: "classic", Build: &spec.Build{Context: t.TempDir(), DockerfileInline: dockerfile,
		Args: map[string]string{"GREETING": "classic"}, Network: netName, ShmSize: 96 << 20,
		ExtraHosts: []string{"mirror.example:10.1.2.4"},
		Ulimits:    map[string]spec.BuildUlimit{"nofile": {Soft: 777, Hard: 888}}}}
	env.add(p, classic)
	if _, err := env.ensure(p, engine.ImageOptions{}); err != nil {
		t.Fatal(err)
	}

	kitImage, classicImage := engine.ImageName(p, kit), engine.ImageName(p, classic)
	if got := env.imageFile(kitImage, "/arg.txt"); got != "hello\n" {
		t.Errorf("buildkit: arg = %q, want hello", got)
	}
	if got := env.imageFile(kitImage, "/hosts.txt"); !strings.Contains(got, "10.1.2.3\tmirror.example") {
		t.Errorf("buildkit: /etc/hosts = %q, want mirror.example", got)
	}
	if got := env.imageFile(kitImage, "/netdev.txt"); strings.Contains(got, "eth0") || !strings.Contains(got, "lo:") {
		t.Errorf("buildkit, network none: /proc/net/dev = %q, want only lo", got)
	}
	if got := env.imageFile(classicImage, "/arg.txt"); got != "classic\n" {
		t.Errorf("classic: arg = %q, want classic", got)
	}
	prefix := strings.TrimSuffix(subnet, "0/24")
	if got := env.imageFile(classicImage, "/hosts.txt"); !strings.Contains(got, "10.1.2.4\tmirror.example") || !strings.Contains(got, prefix) {
		t.Errorf("classic: /etc/hosts = %q, want mirror.example and an address in %s", got, subnet)
	}
	if got := strings.Fields(env.imageFile(classicImage, "/shm.txt")); len(got) < 2 || got[1] != "98304" {
		t.Errorf("classic: /dev/shm = %q, want 98304 KiB", got)
	}
	if got := env.imageFile(classicImage, "/nofile.txt"); got != "777\n" {
		t.Errorf("classic: ulimit -n = %q, want 777", got)
	}
}

func TestBuildRefusesWindowsIsolationBeforeBuilding(t *testing.T) {
	env := newImageEnv(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "Dockerfile"), "FROM scratch\n")
	p := env.projectOf(&spec.Service{Name: "app", Build: &spec.Build{Context: dir, Isolation: "hyperv"}})
	_, err := env.ensure(p, engine.ImageOptions{})
	if err == nil || !strings.Contains(err.Error(), "services.app.build.isolation: isolation hyperv is for Windows containers") {
		t.Fatalf("error %v, want the isolation refused with its key path", err)
	}
	if _, err := env.docker.ImageInspect(context.Background(), engine.ImageName(p, p.Services["app"])); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("image exists after the refusal: %v", err)
	}
}

// pull: true makes the builder fetch the base image even when it is there:
// a base known only locally, under a registry nothing listens on, builds
// without pull and fails with it.
func TestBuildPullFetchesTheBaseImage(t *testing.T) {
	env := newImageEnv(t)
	p := env.projectOf()
	base := env.baseImage(p)
	unreachable := "127.0.0.1:9/" + env.project + "/base:latest"
	ctx := context.Background()
	if err := env.docker.ImageTag(ctx, base, unreachable); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.docker.ImageRemove(context.Background(), unreachable) })
	build := &spec.Build{Context: t.TempDir(), DockerfileInline: "FROM " + unreachable + "\nRUN echo built > /built.txt\n"}
	app := &spec.Service{Name: "app", Build: build}
	env.add(p, app)
	if _, err := env.engine.Build(ctx, p, []string{"app"}, engine.ImageOptions{}); err != nil {
		t.Fatalf("without pull: %v", err)
	}
	build.Pull = true
	_, err := env.engine.Build(ctx, p, []string{"app"}, engine.ImageOptions{})
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:9") {
		t.Fatalf("with pull: error %v, want the pull from 127.0.0.1:9 to fail the build", err)
	}
}
