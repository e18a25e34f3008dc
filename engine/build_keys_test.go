package engine_test

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/dockerfake"
	"github.com/stack-dev/stack/spec"
)

// recordingDocker records every build's spec and context files.
type recordingDocker struct {
	engine.Docker
	mu     sync.Mutex
	builds []recordedBuild
}

type recordedBuild struct {
	Spec  engine.BuildSpec
	Files map[string]string
}

func (r *recordingDocker) ImageBuild(ctx context.Context, body io.Reader, bs engine.BuildSpec, fn func(engine.Progress)) (string, error) {
	files := map[string]string{}
	tr := tar.NewReader(body)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		b, _ := io.ReadAll(tr)
		files[h.Name] = string(b)
	}
	r.mu.Lock()
	r.builds = append(r.builds, recordedBuild{Spec: bs, Files: files})
	r.mu.Unlock()
	var buf strings.Builder
	for _, k := range slices.Sorted(maps.Keys(files)) {
		buf.WriteString(k + "\x00" + files[k])
	}
	return r.Docker.ImageBuild(ctx, strings.NewReader(buf.String()), bs, fn)
}

func buildDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func fakeEngine() (*engine.Engine, *recordingDocker, *dockerfake.Fake) {
	f := dockerfake.New()
	r := &recordingDocker{Docker: f}
	return engine.New(r, nil, nil), r, f
}

func TestBuildSendsEveryBuildKey(t *testing.T) {
	dir := buildDir(t, map[string]string{"Dockerfile": "ARG BASE=scratch\nFROM ${BASE}\nCOPY . /\n", "src.txt": "x"})
	secretFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(secretFile, []byte("s3cret"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("STACK_TEST_BUILD_SECRET", "from-env")
	t.Setenv("SSH_AUTH_SOCK", "/tmp/agent.sock")
	p := &spec.Project{Name: "demo",
		Secrets: map[string]*spec.Secret{
			"token": {Key: "token", File: secretFile},
			"env":   {Key: "env", Environment: "STACK_TEST_BUILD_SECRET"},
		},
		Services: map[string]*spec.Service{"app": {Name: "app", Build: &spec.Build{
			Context: dir, Args: map[string]string{"A": "1"},
			Secrets:    []spec.FileRef{{Source: "token"}, {Source: "env", Target: "apikey"}},
			SSH:        []spec.BuildSSH{{ID: "default"}, {ID: "deploy", Path: "/keys/deploy"}},
			CacheFrom:  []string{"app:cache", "type=registry,ref=reg.example/app:cache"},
			CacheTo:    []string{"type=inline"},
			Network:    "host",
			ExtraHosts: []string{"db.example:10.0.0.6"},
			Pull:       true,
			Isolation:  "default",
			Platforms:  []string{"linux/amd64"},
		}}}}
	e, rec, _ := fakeEngine()
	if _, err := e.EnsureImages(context.Background(), p, nil, engine.ImageOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(rec.builds) != 1 {
		t.Fatalf("%d builds, want 1", len(rec.builds))
	}
	got := rec.builds[0].Spec
	checks := []struct {
		name      string
		got, want any
	}{
		{"builder", got.Builder, engine.BuilderBuildKit},
		{"secrets", got.Secrets, []engine.BuildSecret{{ID: "token", Value: []byte("s3cret")}, {ID: "apikey", Value: []byte("from-env")}}},
		{"ssh", got.SSH, []engine.BuildSSH{{ID: "default"}, {ID: "deploy", Paths: []string{"/keys/deploy"}}}},
		{"cache from", got.CacheFrom, []string{"app:cache", "reg.example/app:cache"}},
		{"inline cache arg", got.Args, map[string]string{"A": "1", "BUILDKIT_INLINE_CACHE": "1"}},
		{"network", got.NetworkMode, "host"},
		{"extra hosts", got.ExtraHosts, []string{"db.example:10.0.0.6"}},
		{"pull", got.PullParent, true},
		{"isolation", got.Isolation, ""},
		{"platform", got.Platform, "linux/amd64"},
		{"dockerfile", got.Dockerfile, "Dockerfile"},
	}
	for _, c := range checks {
		if !equalJSON(c.got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.name, c.got, c.want)
		}
	}
}

func TestBuildClassicSettings(t *testing.T) {
	dir := buildDir(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	p := &spec.Project{Name: "demo", Services: map[string]*spec.Service{"app": {Name: "app", Build: &spec.Build{
		Context: dir, Network: "backend", ShmSize: 128 << 20,
		Ulimits: map[string]spec.BuildUlimit{"nofile": {Soft: 10, Hard: 20}, "nproc": {Soft: 5, Hard: 5}},
	}}}}
	e, rec, _ := fakeEngine()
	if _, err := e.EnsureImages(context.Background(), p, nil, engine.ImageOptions{}); err != nil {
		t.Fatal(err)
	}
	got := rec.builds[0].Spec
	want := []engine.BuildUlimit{{Name: "nofile", Soft: 10, Hard: 20}, {Name: "nproc", Soft: 5, Hard: 5}}
	if got.Builder != engine.BuilderClassic || got.NetworkMode != "backend" || got.ShmSize != 128<<20 || !slices.Equal(got.Ulimits, want) {
		t.Errorf("spec %+v: want the classic builder with network backend, shm 128m and ulimits %v", got, want)
	}
}

func TestBuildInlineDockerfileAndContextStages(t *testing.T) {
	dir := buildDir(t, map[string]string{"src.txt": "x", ".dockerignore": "*.log\n"})
	assets := buildDir(t, map[string]string{"a.txt": "asset"})
	toolsDir := buildDir(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	inline := "# syntax comment\nARG V=1\nFROM scratch\nCOPY --from=assets /a.txt /a.txt\nCOPY --from=tools / /tools\nCOPY --from=base / /base\n"
	p := &spec.Project{Name: "demo", Services: map[string]*spec.Service{
		"app": {Name: "app", Build: &spec.Build{Context: dir, DockerfileInline: inline,
			AdditionalContexts: map[string]string{"assets": assets, "tools": "service:tools", "base": "docker-image://busybox:stable"}}},
		"tools": {Name: "tools", Image: "tools:dev", Build: &spec.Build{Context: toolsDir}},
	}}
	e, rec, f := fakeEngine()
	if _, err := e.EnsureImages(context.Background(), p, []string{"app"}, engine.ImageOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(rec.builds) != 3 {
		t.Fatalf("%d builds, want tools, the assets context and app", len(rec.builds))
	}
	if !slices.Contains(rec.builds[0].Spec.Tags, "tools:dev") {
		t.Errorf("first build %v: want tools, which app uses as a context", rec.builds[0].Spec.Tags)
	}
	ctxBuild, app := rec.builds[1], rec.builds[2]
	if ctxBuild.Files["a.txt"] != "asset" || ctxBuild.Files[ctxBuild.Spec.Dockerfile] != "FROM scratch\nCOPY . /\n" {
		t.Errorf("context image build: files %v", ctxBuild.Files)
	}
	df := app.Files[app.Spec.Dockerfile]
	ctxTag := ctxBuild.Spec.Tags[0]
	wantDF := "# syntax comment\nARG V=1\nFROM " + ctxTag + " AS assets\nFROM busybox:stable AS base\nFROM tools:dev AS tools\nFROM scratch\n"
	if !strings.HasPrefix(df, wantDF) || !strings.HasPrefix(app.Spec.Dockerfile, ".dockerfile.") {
		t.Errorf("dockerfile %s:\n%s\nwant it to start with:\n%s", app.Spec.Dockerfile, df, wantDF)
	}
	if ign := app.Files[".dockerignore"]; ign != "*.log\n\n"+app.Spec.Dockerfile+"\n" {
		t.Errorf(".dockerignore %q: want the generated Dockerfile added", ign)
	}
	if _, err := f.ImageInspect(context.Background(), ctxTag); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("context image %s still there after the build: %v", ctxTag, err)
	}
}

func TestBuildHashChangesWithEveryKey(t *testing.T) {
	dir := buildDir(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	base := func() *spec.Build { return &spec.Build{Context: dir} }
	mutations := map[string]func(b *spec.Build){
		"dockerfile_inline":   func(b *spec.Build) { b.DockerfileInline = "FROM scratch\n" },
		"additional_contexts": func(b *spec.Build) { b.AdditionalContexts = map[string]string{"x": "docker-image://a"} },
		"secrets":             func(b *spec.Build) { b.Secrets = []spec.FileRef{{Source: "s"}} },
		"ssh":                 func(b *spec.Build) { b.SSH = []spec.BuildSSH{{ID: "default"}} },
		"cache_from":          func(b *spec.Build) { b.CacheFrom = []string{"a"} },
		"cache_to":            func(b *spec.Build) { b.CacheTo = []string{"type=inline"} },
		"network":             func(b *spec.Build) { b.Network = "host" },
		"shm_size":            func(b *spec.Build) { b.ShmSize = 1 },
		"extra_hosts":         func(b *spec.Build) { b.ExtraHosts = []string{"a:1.2.3.4"} },
		"ulimits":             func(b *spec.Build) { b.Ulimits = map[string]spec.BuildUlimit{"nofile": {Soft: 1, Hard: 2}} },
		"privileged":          func(b *spec.Build) { b.Privileged = true },
		"pull":                func(b *spec.Build) { b.Pull = true },
		"isolation":           func(b *spec.Build) { b.Isolation = "process" },
	}
	// Each key changed on a built image rebuilds it. (The keys the engine
	// refuses are checked by TestBuildRefusals; here they go into the hash.)
	e, _, f := fakeEngine()
	ctx := context.Background()
	for key, mutate := range mutations {
		b := base()
		p := &spec.Project{Name: "demo", Secrets: map[string]*spec.Secret{"s": {Key: "s", Content: "x"}},
			Services: map[string]*spec.Service{"app": {Name: "app", Build: b}}}
		first, err := engine.BuildHash(ctx, e, p, "app")
		if err != nil {
			t.Fatal(err)
		}
		mutate(b)
		got, err := engine.BuildHash(ctx, e, p, "app")
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if got == first {
			t.Errorf("%s: build hash unchanged", key)
		}
	}
	// A changed file of a folder context rebuilds.
	assets := buildDir(t, map[string]string{"a.txt": "1"})
	b := base()
	b.AdditionalContexts = map[string]string{"assets": assets}
	p := &spec.Project{Name: "demo", Services: map[string]*spec.Service{"app": {Name: "app", Build: b}}}
	if _, err := e.EnsureImages(ctx, p, nil, engine.ImageOptions{}); err != nil {
		t.Fatal(err)
	}
	builds := f.Calls("ImageBuild")
	if _, err := e.EnsureImages(ctx, p, nil, engine.ImageOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := f.Calls("ImageBuild"); n != builds {
		t.Fatalf("unchanged build ran again (%d builds, then %d)", builds, n)
	}
	if err := os.WriteFile(filepath.Join(assets, "a.txt"), []byte("2"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.EnsureImages(ctx, p, nil, engine.ImageOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := f.Calls("ImageBuild"); n == builds {
		t.Error("changing a file of an additional context did not rebuild")
	}
}

func TestBuildRefusals(t *testing.T) {
	tests := []struct {
		name  string
		build spec.Build
		want  string
	}{
		{"isolation on linux", spec.Build{Isolation: "process"}, "services.app.build.isolation: isolation process is for Windows containers and this engine runs linux containers; build on a Windows engine"},
		{"privileged", spec.Build{Privileged: true}, "services.app.build.privileged: the engine's build endpoint (API 1.41) cannot grant the security.insecure entitlement"},
		{"two platforms", spec.Build{Platforms: []string{"linux/amd64", "linux/arm64"}}, "services.app.build.platforms: the engine's builder makes one image per build"},
		{"other platform", spec.Build{Platforms: []string{"linux/arm64"}}, "services.app.build.platforms[0]: this engine builds for linux/amd64; building for linux/arm64 needs emulation"},
		{"cache_to registry", spec.Build{CacheTo: []string{"type=registry,ref=x"}}, "services.app.build.cache_to[0]: \"type=registry,ref=x\": the engine's build endpoint can only export cache into the image it builds (type=inline)"},
		{"cache_from local", spec.Build{CacheFrom: []string{"type=local,src=/tmp/c"}}, "services.app.build.cache_from[0]: \"type=local,src=/tmp/c\": the engine's builders take cache only from images"},
		{"secrets with shm_size", spec.Build{Secrets: []spec.FileRef{{Source: "s"}}, ShmSize: 1 << 20}, "services.app.build.shm_size: secrets need(s) BuildKit"},
		{"ssh with named network", spec.Build{SSH: []spec.BuildSSH{{ID: "k", Path: "/k"}}, Network: "backend"}, "services.app.build.network: ssh need(s) BuildKit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := buildDir(t, map[string]string{"Dockerfile": "FROM scratch\n"})
			b := tt.build
			b.Context = dir
			p := &spec.Project{Name: "demo", Secrets: map[string]*spec.Secret{"s": {Key: "s", Content: "x"}},
				Services: map[string]*spec.Service{
					"app": {Name: "app", Build: &b},
					"db":  {Name: "db", Image: "db:1"},
				}}
			e, _, f := fakeEngine()
			_, err := e.EnsureImages(context.Background(), p, nil, engine.ImageOptions{})
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %v\nwant it to start with %s", err, tt.want)
			}
			if n := f.Calls("ImageBuild") + f.Calls("ImagePull"); n != 0 {
				t.Errorf("%d builds and pulls before the refusal, want none", n)
			}
		})
	}
}

func TestImageBuiltByAnotherServiceIsNotPulled(t *testing.T) {
	dir := buildDir(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	p := &spec.Project{Name: "demo", Services: map[string]*spec.Service{
		"tools":  {Name: "tools", Image: "tools:dev", Build: &spec.Build{Context: dir}},
		"runner": {Name: "runner", Image: "tools:dev"},
		"other":  {Name: "other", Image: "tools:dev", PullPolicy: "always"},
	}}
	for _, selected := range [][]string{nil, {"runner"}, {"other"}} {
		e, _, f := fakeEngine()
		ids, err := e.EnsureImages(context.Background(), p, selected, engine.ImageOptions{})
		if err != nil {
			t.Fatalf("%v: %v", selected, err)
		}
		if f.Calls("ImagePull") != 0 || f.Calls("ImageBuild") != 1 {
			t.Errorf("%v: %d pulls, %d builds; want the one build and no pull", selected, f.Calls("ImagePull"), f.Calls("ImageBuild"))
		}
		img, err := f.ImageInspect(context.Background(), "tools:dev")
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range selected {
			if ids[name] != img.ID {
				t.Errorf("%v: %s got image %s, want the built %s", selected, name, ids[name], img.ID)
			}
		}
	}
}

// equalJSON compares through JSON, secret values included.
func equalJSON(a, b any) bool {
	if sa, ok := a.([]engine.BuildSecret); ok {
		sb, _ := b.([]engine.BuildSecret)
		return slices.EqualFunc(sa, sb, func(x, y engine.BuildSecret) bool { return x.ID == y.ID && string(x.Value) == string(y.Value) })
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// Up creates the service that uses another's built image from that build.
func TestUpUsesTheImageAnotherServiceBuilds(t *testing.T) {
	dir := buildDir(t, map[string]string{"Dockerfile": "FROM scratch\n"})
	p := &spec.Project{Name: "demo", Networks: map[string]*spec.Network{"default": {Key: "default", Name: "demo_default"}},
		Services: map[string]*spec.Service{
			"tools":  {Name: "tools", Image: "tools:dev", Build: &spec.Build{Context: dir}, Replicas: 1},
			"runner": {Name: "runner", Image: "tools:dev", Replicas: 1},
		}}
	e, _, f := fakeEngine()
	ctx := context.Background()
	if _, err := e.Up(ctx, p, engine.UpOptions{Plan: engine.PlanOptions{Services: []string{"runner"}}}); err != nil {
		t.Fatal(err)
	}
	img, err := f.ImageInspect(ctx, "tools:dev")
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.Container("demo-runner-1")
	if err != nil {
		t.Fatal(err)
	}
	if c.ImageID != img.ID || f.Calls("ImagePull") != 0 {
		t.Errorf("runner runs image %s after %d pulls; want the built %s and no pull", c.ImageID, f.Calls("ImagePull"), img.ID)
	}
}
