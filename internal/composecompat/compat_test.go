// Package composecompat checks that the containers stack creates from a
// compose file are the containers Docker Compose creates from it: the same
// file is brought up with Debian's docker-compose (1.29) and with stack
// (from the compose file and from its HCL conversion), and `docker inspect`
// of each pair must agree on every field of HostConfig and Config but
// names, IDs and the tools' own labels.
package composecompat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/spec"
)

// services are the fixture's services, each compared with its twin.
var services = []string{"vpn", "model-server", "loader"}

func TestContainersMatchDockerCompose(t *testing.T) {
	testenv.RequireDocker(t)
	if _, err := exec.LookPath("docker-compose"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("docker-compose is not installed; .ci/run installs it")
		}
		t.Skip("docker-compose is not installed")
	}
	image := testenv.TestImage(t)
	file, err := filepath.Abs("testdata/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// A container outside the stacks, for volumes_from container: and
	// external_links.
	external := projectName(t, "ccext")
	testenv.Cleanup(t, external)
	run := exec.Command("docker", "run", "-d", "--name", external, "--label", "com.docker.compose.project="+external,
		"--label", testenv.LabelTest+"=1", "-v", "/shared", image, "sleep", "1h")
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("start the outside container: %v\n%s", err, out)
	}
	environ := append(os.Environ(), "IMAGE="+image, "EXTERNAL="+external)

	// The projects come up one after the other: the fixture's network has
	// a fixed subnet, which two networks cannot share.
	v1 := projectName(t, "ccv1")
	testenv.Cleanup(t, v1)
	compose := func(args ...string) {
		t.Helper()
		cmd := exec.Command("docker-compose", append([]string{"-p", v1, "-f", file}, args...)...)
		cmd.Env = environ
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("docker-compose %s: %v\n%s", args[0], err, out)
		}
	}
	compose("up", "-d")
	want := inspectProject(t, v1)
	wantResources := inspectResources(t, v1)
	compose("down", "-v")

	fromCompose := projectName(t, "ccst")
	p, err := spec.Load(spec.LoadOptions{Files: []string{file}, ProjectName: fromCompose, Environ: environ})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range p.Warnings {
		if strings.Contains(w.Summary, "not supported") {
			t.Errorf("compose file loads with %s", w)
		}
	}
	// The same stack written in HCL, as `stack convert` writes it.
	hcl, err := spec.MarshalHCL(p)
	if err != nil {
		t.Fatal(err)
	}
	hclFile := filepath.Join(filepath.Dir(file), "stack-converted.hcl")
	if err := os.WriteFile(hclFile, hcl, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(hclFile) })
	ph, err := spec.Load(spec.LoadOptions{Files: []string{hclFile}, ProjectName: projectName(t, "cchcl"), Environ: environ})
	if err != nil {
		t.Fatalf("load converted HCL: %v\n%s", err, hcl)
	}

	for _, sp := range []*spec.Project{p, ph} {
		down := up(t, sp)
		got := inspectProject(t, sp.Name)
		for _, svc := range services {
			w, g := want[svc], got[svc]
			if w == nil || g == nil {
				t.Fatalf("service %s: docker-compose made %v, stack (%s) made %v", svc, w != nil, sp.Name, g != nil)
			}
			for _, d := range diff(w, g) {
				t.Errorf("%s %s: %s", sp.Name, svc, d)
			}
		}
		for _, d := range diff(wantResources, inspectResources(t, sp.Name)) {
			t.Errorf("%s: %s", sp.Name, d)
		}
		if sp == p {
			checkFromInside(t, p)
		}
		down()
	}
}

// checkFromInside sees what the keys are for from inside the containers:
// the link alias resolves, the shared network namespace answers on the
// vpn's loopback.
func checkFromInside(t *testing.T, p *spec.Project) {
	loader := engine.ContainerName(p, p.Services["loader"], 1)
	if out, err := exec.Command("docker", "exec", loader, "/testimage", "lookup", "gateway").CombinedOutput(); err != nil {
		t.Errorf("links: gateway does not resolve in %s: %v\n%s", loader, err, out)
	}
	vpn := engine.ContainerName(p, p.Services["vpn"], 1)
	if out, err := exec.Command("docker", "exec", vpn, "/testimage", "get", "http://127.0.0.1:8081/healthz").CombinedOutput(); err != nil {
		t.Errorf("network_mode service:vpn: model-server does not answer on the vpn's loopback: %v\n%s", err, out)
	}
}

func projectName(t *testing.T, prefix string) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + hex.EncodeToString(b)
}

// up brings p up and returns what takes it down again, volumes included.
func up(t *testing.T, p *spec.Project) (down func()) {
	t.Helper()
	testenv.Cleanup(t, p.Name)
	e := engine.New(testenv.Docker(t), nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := e.Up(ctx, p, engine.UpOptions{}); err != nil {
		t.Fatalf("up %s: %v", p.Name, err)
	}
	return func() {
		t.Helper()
		if err := e.Down(context.Background(), p.Name, engine.DownOptions{Volumes: true}); err != nil {
			t.Fatalf("down %s: %v", p.Name, err)
		}
	}
}

// inspected is one container's HostConfig and Config, normalised.
type inspected map[string]any

// inspectProject inspects the service containers of a project, by service,
// with every container ID and project-derived name replaced by the service
// it belongs to, so two projects compare.
func inspectProject(t *testing.T, project string) map[string]inspected {
	t.Helper()
	out, err := exec.Command("docker", "ps", "-aq", "--no-trunc", "--filter", "label=com.docker.compose.project="+project).Output()
	if err != nil {
		t.Fatal(err)
	}
	ids := strings.Fields(string(out))
	if len(ids) == 0 {
		t.Fatalf("project %s has no containers", project)
	}
	data, err := exec.Command("docker", append([]string{"inspect"}, ids...)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	var raw []map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	names := externals() // container ID -> service
	for _, c := range raw {
		names[c["Id"].(string)] = c["Config"].(map[string]any)["Labels"].(map[string]any)["com.docker.compose.service"].(string)
	}
	// Project-derived names: project_svc_1 (v1), project-svc-1, svc_1, svc-1.
	nameRE := regexp.MustCompile(regexp.QuoteMeta(project) + `[_-]([a-z0-9-]+?)[_-]1\b`)
	byService := map[string]inspected{}
	for _, c := range raw {
		svc := names[c["Id"].(string)]
		blob, _ := json.Marshal(map[string]any{"HostConfig": c["HostConfig"], "Config": c["Config"]})
		s := string(blob)
		for id, name := range names {
			s = strings.ReplaceAll(s, id, "<"+name+">")
		}
		s = nameRE.ReplaceAllString(s, "<$1>")
		s = strings.ReplaceAll(s, project, "<project>")
		var norm map[string]map[string]any
		if err := json.Unmarshal([]byte(s), &norm); err != nil {
			t.Fatal(err)
		}
		flat := inspected{}
		for sec, fields := range norm {
			for k, v := range fields {
				flat[sec+"."+k] = v
			}
		}
		normalise(flat)
		byService[svc] = flat
	}
	return byService
}

// normalise rewrites the fields where the two tools differ by design, each
// with the reason.
func normalise(c inspected) {
	// Names and IDs: the hostname of a container without one is its ID.
	if h, _ := c["Config.Hostname"].(string); regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(h) {
		c["Config.Hostname"] = "<id>"
	}
	// The tools' own labels: compose v1's config-hash and version, stack's
	// dev.stack.* and depends_on, paths of the files. Only the user's count.
	if labels, ok := c["Config.Labels"].(map[string]any); ok {
		for k := range labels {
			if strings.HasPrefix(k, "com.docker.compose.") || strings.HasPrefix(k, "dev.stack.") {
				delete(labels, k)
			}
		}
	}
	// Compose v1 writes empty lists where Compose v2 and stack leave them
	// out; Docker treats both the same.
	for k, v := range c {
		if l, ok := v.([]any); ok && len(l) == 0 {
			c[k] = nil
		}
	}
	// Compose v1 mounts named volumes as Binds ("vol:/path:rw") with an
	// image-style Config.Volumes entry; Compose v2 and stack use Mounts.
	// Both are the same mount: compare them as one sorted list.
	var mounts []string
	if binds, ok := c["HostConfig.Binds"].([]any); ok {
		for _, b := range binds {
			parts := strings.SplitN(b.(string), ":", 3)
			typ := "volume"
			if strings.HasPrefix(parts[0], "/") {
				typ = "bind"
			}
			var opts []string
			ro := false
			if len(parts) == 3 {
				for _, o := range strings.Split(parts[2], ",") {
					switch o {
					case "ro":
						ro = true
					case "rw":
					default:
						opts = append(opts, o)
					}
				}
			}
			mounts = append(mounts, canonicalMount(typ, parts[0], parts[1], ro, opts))
		}
	}
	if ms, ok := c["HostConfig.Mounts"].([]any); ok {
		for _, m := range ms {
			m := m.(map[string]any)
			ro, _ := m["ReadOnly"].(bool)
			src, _ := m["Source"].(string)
			var opts []string
			if c, _ := m["Consistency"].(string); c != "" {
				opts = append(opts, c)
			}
			if b, ok := m["BindOptions"].(map[string]any); ok {
				if p, _ := b["Propagation"].(string); p != "" {
					opts = append(opts, p)
				}
			}
			if v, ok := m["VolumeOptions"].(map[string]any); ok {
				if nc, _ := v["NoCopy"].(bool); nc {
					opts = append(opts, "nocopy")
				}
			}
			if o, ok := m["TmpfsOptions"]; ok {
				b, _ := json.Marshal(o)
				opts = append(opts, string(b))
			}
			mounts = append(mounts, canonicalMount(m["Type"].(string), src, m["Target"].(string), ro, opts))
		}
	}
	sort.Strings(mounts)
	c["mounts"] = mounts
	delete(c, "HostConfig.Binds")
	delete(c, "HostConfig.Mounts")
	delete(c, "Config.Volumes")
	// Link names: v1 adds <svc>_1, v2 and stack <svc>-1 and <project>-<svc>-1
	// beside the alias; the aliases the user wrote are what must agree.
	if links, ok := c["HostConfig.Links"].([]any); ok {
		var kept []string
		for _, l := range links {
			target, alias, _ := strings.Cut(l.(string), ":")
			if strings.HasPrefix(alias, "<") || regexp.MustCompile(`[_-]1$`).MatchString(alias) {
				continue
			}
			kept = append(kept, target+":"+alias)
		}
		slices.Sort(kept)
		c["HostConfig.Links"] = kept
	}
	// Published host ports are picked by the engine for ports without one.
	if pb, ok := c["HostConfig.PortBindings"].(map[string]any); ok {
		for port, bindings := range pb {
			for _, b := range bindings.([]any) {
				b.(map[string]any)["HostPort"] = ""
			}
			pb[port] = bindings
		}
	}
	// An environment is a set.
	if env, ok := c["Config.Env"].([]any); ok {
		sort.Slice(env, func(i, j int) bool { return env[i].(string) < env[j].(string) })
	}
}

// diff lists the fields on which got differs from want.
func diff(want, got inspected) []string {
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var out []string
	for k := range keys {
		if !reflect.DeepEqual(normalJSON(want[k]), normalJSON(got[k])) {
			out = append(out, fmt.Sprintf("%s: docker-compose %s, stack %s", k, jsonOf(want[k]), jsonOf(got[k])))
		}
	}
	sort.Strings(out)
	return out
}

// normalJSON is v as plain JSON values, with empty lists and objects as
// null: Compose v1 sends them empty where Compose v2 and stack leave them
// out, and Docker reads both the same.
func normalJSON(v any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return dropEmpty(out)
}

func dropEmpty(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return nil
		}
		for k, e := range x {
			x[k] = dropEmpty(e)
		}
	case []any:
		if len(x) == 0 {
			return nil
		}
		for i, e := range x {
			x[i] = dropEmpty(e)
		}
	}
	return v
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// externals maps the IDs of the test's containers outside the stacks to
// a name both projects share.
func externals() map[string]string {
	out, _ := exec.Command("docker", "ps", "-aq", "--no-trunc", "--filter", "name=ccext").Output()
	names := map[string]string{}
	for _, id := range strings.Fields(string(out)) {
		names[id] = "external"
	}
	return names
}

// Keys Compose v1 lacks, checked against what Compose v2 sets for them.
func TestKeysComposeV1Lacks(t *testing.T) {
	image := testenv.TestImage(t)
	file, err := filepath.Abs("testdata/v2-only.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := spec.Load(spec.LoadOptions{Files: []string{file}, ProjectName: projectName(t, "ccv2"), Environ: append(os.Environ(), "IMAGE="+image)})
	if err != nil {
		t.Fatal(err)
	}
	up(t, p)
	name := engine.ContainerName(p, p.Services["app"], 1)
	var c []struct {
		HostConfig struct {
			UTSMode, CgroupnsMode string
			Mounts                []struct{ Type, Source, Target string }
		}
		Config struct {
			Labels map[string]string
			Env    []string
		}
	}
	out, err := exec.Command("docker", "inspect", name).Output()
	if err != nil || json.Unmarshal(out, &c) != nil || len(c) != 1 {
		t.Fatalf("inspect %s: %v %s", name, err, out)
	}
	h, cfg := c[0].HostConfig, c[0].Config
	if h.UTSMode != "host" || h.CgroupnsMode != "private" {
		t.Errorf("uts %q cgroup %q, want host and private", h.UTSMode, h.CgroupnsMode)
	}
	if cfg.Labels["com.example.team"] != "ml" || cfg.Labels["com.example.tier"] != "gpu" {
		t.Errorf("labels %v: want label_file's team, and tier from labels (they win)", cfg.Labels)
	}
	socket := slices.ContainsFunc(h.Mounts, func(m struct{ Type, Source, Target string }) bool {
		return m.Type == "bind" && m.Source == "/var/run/docker.sock" && m.Target == "/var/run/docker.sock"
	})
	if !socket || !slices.Contains(cfg.Env, "DOCKER_CONFIG=/run/secrets/docker") {
		t.Errorf("use_api_socket: mounts %v env %v, want the socket bound and DOCKER_CONFIG=/run/secrets/docker", h.Mounts, cfg.Env)
	}
	if out, err := exec.Command("docker", "exec", name, "/testimage", "cat", "/run/secrets/docker/config.json").CombinedOutput(); err != nil || !strings.Contains(string(out), "auths") {
		t.Errorf("use_api_socket: no credentials file in the container: %v\n%s", err, out)
	}
}

// What the engine here cannot do is refused, with the reason, before
// anything is created.
func TestEngineRefusesWhatItCannotDo(t *testing.T) {
	image := testenv.TestImage(t)
	file, err := filepath.Abs("testdata/refused.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := spec.Load(spec.LoadOptions{Files: []string{file}, ProjectName: projectName(t, "ccno"), Environ: append(os.Environ(), "IMAGE="+image)})
	if err != nil {
		t.Fatal(err)
	}
	testenv.Cleanup(t, p.Name)
	d := testenv.Docker(t)
	if v, err := d.Version(context.Background()); err != nil || v.APIVersion != "1.41" || v.OS != "linux" {
		t.Skipf("the refusals are those of a Linux engine with API 1.41; this one is %+v (%v)", v, err)
	}
	e := engine.New(d, nil, nil)
	_, err = e.Up(context.Background(), p, engine.UpOptions{})
	if err == nil {
		t.Fatal("up succeeded, want the three services refused")
	}
	for _, want := range []string{
		"service annotated: annotations need Docker Engine API 1.43",
		"service cdi: CDI devices need Docker Engine API 1.45",
		`service windows: isolation "hyperv" is for Windows containers`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	out, _ := exec.Command("docker", "ps", "-aq", "--filter", "label=com.docker.compose.project="+p.Name).Output()
	nets, _ := exec.Command("docker", "network", "ls", "-q", "--filter", "label=com.docker.compose.project="+p.Name).Output()
	if len(strings.TrimSpace(string(out)+string(nets))) > 0 {
		t.Errorf("refused stack left containers %q and networks %q", out, nets)
	}
}

// canonicalMount writes a mount the same way whether it came as a bind
// string or a mount object.
func canonicalMount(typ, src, dst string, ro bool, opts []string) string {
	slices.Sort(opts)
	return fmt.Sprintf("%s %s:%s ro=%v %v", typ, src, dst, ro, opts)
}

// inspectResources inspects the networks and volumes of a project, by the
// key the stack file gives them, keeping the fields a stack file sets.
func inspectResources(t *testing.T, project string) inspected {
	t.Helper()
	out := inspected{}
	for _, kind := range []struct{ cmd, key string }{{"network", "com.docker.compose.network"}, {"volume", "com.docker.compose.volume"}} {
		ids, err := exec.Command("docker", kind.cmd, "ls", "-q", "--filter", "label=com.docker.compose.project="+project).Output()
		if err != nil {
			t.Fatal(err)
		}
		if len(strings.Fields(string(ids))) == 0 {
			continue
		}
		data, err := exec.Command("docker", append([]string{kind.cmd, "inspect"}, strings.Fields(string(ids))...)...).Output()
		if err != nil {
			t.Fatal(err)
		}
		var objs []map[string]any
		if err := json.Unmarshal(data, &objs); err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			labels, _ := o["Labels"].(map[string]any)
			key, _ := labels[kind.key].(string)
			for k := range labels {
				if strings.HasPrefix(k, "com.docker.compose.") || strings.HasPrefix(k, "dev.stack.") {
					delete(labels, k)
				}
			}
			if kind.cmd == "network" && key == "default" {
				// The file does not configure it: the engine picks its
				// subnet, and Compose v1 (unlike the compose spec,
				// Compose v2 and stack) makes it attachable.
				delete(o, "IPAM")
				delete(o, "Attachable")
			}
			for _, f := range []string{"Driver", "Options", "Labels", "Internal", "Attachable", "EnableIPv6", "IPAM"} {
				if v, ok := o[f]; ok {
					out[kind.cmd+"."+key+"."+f] = v
				}
			}
		}
	}
	return out
}

// GPU requests reach the container as docker-compose sends them. They are
// compared on created containers: without a GPU the daemon refuses to
// start them.
func TestGPURequestsMatchDockerCompose(t *testing.T) {
	testenv.RequireDocker(t)
	if _, err := exec.LookPath("docker-compose"); err != nil {
		t.Skip("docker-compose is not installed")
	}
	image := testenv.TestImage(t)
	file, err := filepath.Abs("testdata/gpu.yaml")
	if err != nil {
		t.Fatal(err)
	}
	environ := append(os.Environ(), "IMAGE="+image)
	v1 := projectName(t, "ccgpu")
	testenv.Cleanup(t, v1)
	cmd := exec.Command("docker-compose", "-p", v1, "-f", file, "up", "--no-start")
	cmd.Env = environ
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker-compose up --no-start: %v\n%s", err, out)
	}
	p, err := spec.Load(spec.LoadOptions{Files: []string{file}, ProjectName: projectName(t, "ccgpust"), Environ: environ})
	if err != nil {
		t.Fatal(err)
	}
	testenv.Cleanup(t, p.Name)
	d := testenv.Docker(t)
	ctx := context.Background()
	img, err := d.ImageInspect(ctx, image)
	if err != nil {
		t.Fatal(err)
	}
	images := map[string]string{"trainer": img.ID, "server": img.ID}
	plan, err := engine.PlanUp(p, &engine.Observed{Project: p.Name}, images, engine.PlanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range plan.Networks {
		if _, err := d.NetworkCreate(ctx, *n.Network); err != nil {
			t.Fatal(err)
		}
	}
	for _, sp := range plan.Services {
		for _, a := range sp.Actions {
			if _, err := d.ContainerCreate(ctx, a.Spec); err != nil {
				t.Fatal(err)
			}
		}
	}
	want, got := inspectProject(t, v1), inspectProject(t, p.Name)
	for _, svc := range []string{"trainer", "server"} {
		w, g := want[svc]["HostConfig.DeviceRequests"], got[svc]["HostConfig.DeviceRequests"]
		if w == nil || !reflect.DeepEqual(normalJSON(w), normalJSON(g)) {
			t.Errorf("%s: device requests: docker-compose %s, stack %s", svc, jsonOf(w), jsonOf(g))
		}
	}
}
