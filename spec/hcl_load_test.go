package spec

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// loadHCLSource writes src as stack.hcl (and files, relative to it) into a
// folder named demo and loads it.
// writeTestFiles writes files (relative name -> content) under dir.
func writeTestFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func loadHCLSource(t *testing.T, src string, files map[string]string, opts LoadOptions) (*Project, error) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "demo")
	writeTestFiles(t, dir, mergeFiles(files, map[string]string{"stack.hcl": src}))
	opts.Files = []string{filepath.Join(dir, "stack.hcl")}
	for i, f := range opts.VarFiles {
		opts.VarFiles[i] = filepath.Join(dir, f)
	}
	if opts.Environ == nil {
		opts.Environ = []string{}
	}
	return Load(opts)
}

func mergeFiles(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

func mustLoadHCL(t *testing.T, src string, files map[string]string, opts LoadOptions) *Project {
	t.Helper()
	p, err := loadHCLSource(t, src, files, opts)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return p
}

func TestHCLVariablePrecedence(t *testing.T) {
	const src = `
variable "replicas" {
  type    = number
  default = 1
}
service "web" {
  image    = "nginx"
  replicas = var.replicas
}
`
	varFile := map[string]string{"ci.vars.hcl": "replicas = 3\n"}
	tests := []struct {
		name string
		opts LoadOptions
		want int
	}{
		{"default", LoadOptions{}, 1},
		{"environment", LoadOptions{Environ: []string{"STACK_VAR_replicas=2"}}, 2},
		{"var file over environment", LoadOptions{Environ: []string{"STACK_VAR_replicas=2"}, VarFiles: []string{"ci.vars.hcl"}}, 3},
		{"--var over var file", LoadOptions{Environ: []string{"STACK_VAR_replicas=2"}, VarFiles: []string{"ci.vars.hcl"}, Vars: map[string]string{"replicas": "4"}}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustLoadHCL(t, src, varFile, tt.opts)
			if got := p.Services["web"].Replicas; got != tt.want {
				t.Errorf("replicas = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestHCLVariableTypes(t *testing.T) {
	const src = `
variable "tags" { type = list(string) }
variable "debug" { type = bool }
variable "ports" {
  type    = map(number)
  default = { web = 8080 }
}
variable "anything" { default = "x" }
service "web" {
  image       = "nginx"
  labels      = { tags = join(",", var.tags), debug = var.debug, port = var.ports.web, any = var.anything }
}
`
	p := mustLoadHCL(t, src, nil, LoadOptions{Vars: map[string]string{"tags": `["a", "b"]`, "debug": "true", "anything": "[1]"}})
	want := map[string]string{"tags": "a,b", "debug": "true", "port": "8080", "any": "[1]"}
	if got := p.Services["web"].Labels; !reflect.DeepEqual(got, want) {
		t.Errorf("labels = %v, want %v", got, want)
	}
}

func TestHCLVariableErrors(t *testing.T) {
	const src = `
variable "replicas" {
  type    = number
  default = 1
}
service "web" { image = "nginx" }
`
	tests := []struct {
		name string
		opts LoadOptions
		want string
	}{
		{"undeclared --var", LoadOptions{Vars: map[string]string{"replica": "2"}}, `--var replica: the stack declares no variable named "replica"`},
		{"wrong type --var", LoadOptions{Vars: map[string]string{"replicas": "many"}}, `--var replicas: "many" is not a valid number`},
		{"wrong type environment", LoadOptions{Environ: []string{"STACK_VAR_replicas=[1]"}}, `environment variable STACK_VAR_replicas`},
		{"undeclared in var file", LoadOptions{VarFiles: []string{"bad.vars.hcl"}}, `bad.vars.hcl:1:1: Value for undeclared variable`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadHCLSource(t, src, map[string]string{"bad.vars.hcl": "replica = 2\n"}, tt.opts)
			var specErr *Error
			if !errors.As(err, &specErr) {
				t.Fatalf("error = %v, want *Error", err)
			}
			if got := formatProblems(specErr); !strings.Contains(got, tt.want) {
				t.Errorf("error = %s\nwant it to contain %q", got, tt.want)
			}
		})
	}
}

// TestHCLRequiredVariableHint checks that the hint for a variable without a
// value names the flags as the CLI spells them.
func TestHCLRequiredVariableHint(t *testing.T) {
	_, err := loadHCLSource(t, "variable \"tag\" {}\nservice \"web\" { image = \"web:${var.tag}\" }\n", nil, LoadOptions{})
	var specErr *Error
	if !errors.As(err, &specErr) {
		t.Fatalf("error = %v, want *Error", err)
	}
	want := `set it with --var tag=..., a --var-file, or STACK_VAR_tag`
	if got := formatProblems(specErr); !strings.Contains(got, want) {
		t.Errorf("error = %s\nwant it to contain %q", got, want)
	}
}

func TestHCLCommandForms(t *testing.T) {
	tests := []struct {
		expr string
		want []string
	}{
		{`["redis-server", "--save", ""]`, []string{"redis-server", "--save", ""}},
		{`"redis-server --save '' --port 6380"`, []string{"redis-server", "--save", "", "--port", "6380"}},
		{`"sh -c \"echo hi && sleep 1\""`, []string{"sh", "-c", "echo hi && sleep 1"}},
		{`[]`, []string{}},
		{`""`, []string{}},
		{`null`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			p := mustLoadHCL(t, "service \"web\" {\n  image = \"x\"\n  command = "+tt.expr+"\n  entrypoint = "+tt.expr+"\n}\n", nil, LoadOptions{})
			s := p.Services["web"]
			if !reflect.DeepEqual(s.Command, tt.want) || !reflect.DeepEqual(s.Entrypoint, tt.want) {
				t.Errorf("command = %#v, entrypoint = %#v, want %#v", s.Command, s.Entrypoint, tt.want)
			}
		})
	}
}

func TestHCLDependencies(t *testing.T) {
	const src = `
service "db" { image = "postgres" }
service "cache" { image = "redis" }
service "queue" { image = "nats" }
service "search" {
  image    = "search"
  profiles = ["search"]
}
service "api" {
  image = "api"
  environment = {
    DB    = "postgres://${service.db.name}/app"
    CACHE = service.cache.name
    SELF  = service.api.name
  }
  depends_on = [service.queue]
  depends_on "db" {
    condition = "service_healthy"
  }
  depends_on "search" {
    required = false
  }
}
`
	p := mustLoadHCL(t, src, nil, LoadOptions{})
	want := map[string]Dependency{
		"db":     {Condition: ConditionHealthy, Required: true},
		"cache":  {Condition: ConditionStarted, Required: true},
		"queue":  {Condition: ConditionStarted, Required: true},
		"search": {Condition: ConditionStarted, Required: false},
	}
	api := p.Services["api"]
	if !reflect.DeepEqual(api.DependsOn, want) {
		t.Errorf("depends_on = %+v, want %+v", api.DependsOn, want)
	}
	if _, ok := p.Disabled["search"]; !ok {
		t.Errorf("search is not disabled: services %v", p.ServiceNames())
	}
	if pos := api.Pos("depends_on.cache"); pos.Line != 13 || pos.Column != 13 {
		t.Errorf("implicit dependency on cache at %v, want line 13 column 13", pos)
	}
}

func TestHCLPositions(t *testing.T) {
	const src = `service "web" {
  image = "web"
  build {
    context = "./web"
  }
  environment = {
    LOG_LEVEL = "debug"
  }
  ports   = ["8080:80", "9090"]
  volumes = ["data:/data"]
  network "backend" {
    aliases = ["www"]
  }
  depends_on "db" {
    condition = "service_healthy"
  }
  healthcheck {
    test     = "true"
    interval = "5s"
  }
  secret "token" {
    mode = "0400"
  }
}
service "db" { image = "postgres" }
network "backend" {}
volume "data" {}
secret "token" { content = "x" }
`
	p := mustLoadHCL(t, src, nil, LoadOptions{})
	s := p.Services["web"]
	tests := []struct {
		key       string
		line, col int
	}{
		{"", 1, 1},
		{"image", 2, 3},
		{"build", 3, 3},
		{"build.context", 4, 5},
		{"environment.LOG_LEVEL", 7, 5},
		{"ports", 9, 3},
		{"ports[1]", 9, 25},
		{"volumes[0]", 10, 14},
		{"networks.backend", 11, 11},
		{"networks.backend.aliases", 12, 5},
		{"depends_on.db", 14, 14},
		{"depends_on.db.condition", 15, 5},
		{"healthcheck.interval", 19, 5},
		{"secrets[0]", 21, 10},
		{"secrets[0].mode", 22, 5},
	}
	for _, tt := range tests {
		pos, ok := s.Positions[tt.key]
		if !ok {
			t.Errorf("no position for %q", tt.key)
			continue
		}
		if pos.Line != tt.line || pos.Column != tt.col || filepath.Base(pos.File) != "stack.hcl" {
			t.Errorf("position of %q = %v, want stack.hcl:%d:%d", tt.key, pos, tt.line, tt.col)
		}
	}
}

func TestHCLDefaultsAndNames(t *testing.T) {
	const src = `
network "backend" {}
network "shared" { external = true }
network "custom" { name = "my-net" }
volume "data" {}
volume "cache" {
  external = true
  name     = "global-cache"
}
service "web" {
  image = "nginx"
  environment = {
    NET    = network.backend.name
    SHARED = network.shared.name
    VOL    = volume.data.name
    KEY    = volume.cache.key
    DEF    = network.default.name
  }
}
service "worker" {
  image    = "worker"
  replicas = 0
  networks = [network.backend, network.custom]
}
service "debug" {
  image    = "busybox"
  profiles = ["debug", "tools"]
}
`
	p := mustLoadHCL(t, src, nil, LoadOptions{Environ: []string{}})
	if p.Name != "demo" {
		t.Errorf("name = %q, want demo (the folder)", p.Name)
	}
	web := p.Services["web"]
	wantEnv := map[string]string{"NET": "demo_backend", "SHARED": "shared", "VOL": "demo_data", "KEY": "cache", "DEF": "demo_default"}
	if !reflect.DeepEqual(web.Environment, wantEnv) {
		t.Errorf("environment = %v, want %v", web.Environment, wantEnv)
	}
	if web.Replicas != 1 || p.Services["worker"].Replicas != 0 {
		t.Errorf("replicas = %d, %d; want 1 (default) and 0", web.Replicas, p.Services["worker"].Replicas)
	}
	if _, ok := web.Networks["default"]; !ok || len(web.Networks) != 1 {
		t.Errorf("web networks = %v, want only default", web.Networks)
	}
	if n := p.Networks["default"]; n == nil || n.Name != "demo_default" {
		t.Errorf("default network = %+v, want demo_default", n)
	}
	if n := p.Networks["custom"]; n.Name != "my-net" {
		t.Errorf("custom network name = %q", n.Name)
	}
	if v := p.Volumes["cache"]; v.Name != "global-cache" || !v.External {
		t.Errorf("cache volume = %+v", v)
	}
	if _, ok := p.Disabled["debug"]; !ok {
		t.Errorf("debug should be disabled without profiles")
	}
	for _, profiles := range [][]string{{"tools"}, {"*"}} {
		p := mustLoadHCL(t, src, nil, LoadOptions{Profiles: profiles})
		if _, ok := p.Services["debug"]; !ok {
			t.Errorf("profiles %v: debug not enabled", profiles)
		}
	}
	if p := mustLoadHCL(t, src, nil, LoadOptions{ProjectName: "other"}); p.Networks["backend"].Name != "other_backend" {
		t.Errorf("-p other: backend network = %q, want other_backend", p.Networks["backend"].Name)
	}
}

func TestHCLFunctions(t *testing.T) {
	const src = `
locals {
  settings = jsondecode(file("./settings.json"))
}
service "web" {
  image = format("%s:%s", "nginx", local.settings.tag)
  environment = {
    CONFIG  = templatefile("./app.tmpl", { name = "web", ports = [80, 443] })
    HOME    = env("HOME")
    MISSING = env("NOPE", "fallback")
    JSON    = jsonencode({ a = 1 })
    FIRST   = element(split(",", "a,b,c"), 0)
    SAFE    = try(local.settings.nope, "default")
    MAX     = tostring(max(3, 7, 5))
    KEYS    = join(",", sort(keys({ b = 1, a = 2 })))
  }
}
`
	files := map[string]string{
		"settings.json": `{"tag": "1.27"}`,
		"app.tmpl":      "name=${name}\n%{ for p in ports }port=${p}\n%{ endfor }",
	}
	p := mustLoadHCL(t, src, files, LoadOptions{Environ: []string{"HOME=/home/dev"}})
	web := p.Services["web"]
	if web.Image != "nginx:1.27" {
		t.Errorf("image = %q", web.Image)
	}
	want := map[string]string{
		"CONFIG":  "name=web\nport=80\nport=443\n",
		"HOME":    "/home/dev",
		"MISSING": "fallback",
		"JSON":    `{"a":1}`,
		"FIRST":   "a",
		"SAFE":    "default",
		"MAX":     "7",
		"KEYS":    "a,b",
	}
	if !reflect.DeepEqual(web.Environment, want) {
		t.Errorf("environment = %#v\nwant %#v", web.Environment, want)
	}
}

func TestHCLInclude(t *testing.T) {
	const src = `
name = "main"
locals { retention = "7d" }
include "monitoring" {
  source = "./monitoring/stack.hcl"
  inputs = { retention = local.retention }
}
service "app" { image = "app" }
service "dashboard" {
  image      = "grafana"
  depends_on = [service.prometheus]
}
`
	files := map[string]string{
		"monitoring/stack.hcl": `
name = "ignored"
variable "retention" { default = "15d" }
volume "prom" {}
service "prometheus" {
  image   = "prom/prometheus"
  command = ["--retention=${var.retention}", "--app=${service.app.name}"]
  volumes = ["prom:/prometheus", "./rules:/rules"]
}
`,
	}
	p := mustLoadHCL(t, src, files, LoadOptions{})
	prom := p.Services["prometheus"]
	if prom == nil {
		t.Fatalf("included service missing: %v", p.ServiceNames())
	}
	if want := []string{"--retention=7d", "--app=app"}; !reflect.DeepEqual(prom.Command, want) {
		t.Errorf("command = %v, want %v", prom.Command, want)
	}
	if p.Name != "main" || p.Volumes["prom"].Name != "main_prom" {
		t.Errorf("name = %q, volume = %q; want the main file's project name", p.Name, p.Volumes["prom"].Name)
	}
	if got := prom.Volumes[1].Source; !strings.HasSuffix(got, "/demo/monitoring/rules") {
		t.Errorf("bind source = %q, want relative to the included file", got)
	}
	if len(p.Files) != 2 || filepath.Base(filepath.Dir(p.Files[1])) != "monitoring" {
		t.Errorf("files = %v", p.Files)
	}
	if _, ok := prom.DependsOn["app"]; !ok {
		t.Errorf("prometheus should depend on app through its reference")
	}
	if _, ok := p.Services["dashboard"].DependsOn["prometheus"]; !ok {
		t.Errorf("dashboard should depend on the included prometheus")
	}
}

func TestHCLServiceForms(t *testing.T) {
	const src = `
secret "token" { content = "x" }
config "app" { file = "./app.conf" }
service "web" {
  image = "web"
  healthcheck { test = ["/web", "-healthcheck"] }
  secrets = [secret.token]
  configs = ["app"]
  port {
    target    = 53
    published = "5353"
    protocol  = "udp"
  }
  mount {
    type   = "bind"
    source = "../shared"
    target = "/shared"
    create_host_path = false
  }
  resources {
    cpus   = 0.5
    memory = 1073741824
    gpus { count = "all" }
  }
  extra_hosts = ["db=10.0.0.2", "cache:10.0.0.3"]
  stop_grace_period = "1m30s"
}
`
	p := mustLoadHCL(t, src, map[string]string{"app.conf": "x=1\n"}, LoadOptions{})
	s := p.Services["web"]
	if want := []string{"CMD", "/web", "-healthcheck"}; !reflect.DeepEqual(s.Healthcheck.Test, want) {
		t.Errorf("healthcheck test = %v, want %v", s.Healthcheck.Test, want)
	}
	if want := []FileRef{{Source: "token", Target: "/run/secrets/token"}}; !reflect.DeepEqual(s.Secrets, want) {
		t.Errorf("secrets = %+v", s.Secrets)
	}
	if want := []FileRef{{Source: "app"}}; !reflect.DeepEqual(s.Configs, want) {
		t.Errorf("configs = %+v", s.Configs)
	}
	if want := []Port{{HostPort: "5353", ContainerPort: 53, Protocol: "udp"}}; !reflect.DeepEqual(s.Ports, want) {
		t.Errorf("ports = %+v", s.Ports)
	}
	if m := s.Volumes[0]; m.Type != MountBind || m.CreateHostPath || filepath.Base(m.Source) != "shared" || !filepath.IsAbs(m.Source) {
		t.Errorf("mount = %+v", m)
	}
	want := Resources{CPUs: 0.5, MemoryBytes: 1 << 30, GPUs: []DeviceRequest{{Count: -1, Capabilities: []string{"gpu"}}}}
	if !reflect.DeepEqual(s.Resources, want) {
		t.Errorf("resources = %+v, want %+v", s.Resources, want)
	}
	if want := []string{"db:10.0.0.2", "cache:10.0.0.3"}; !reflect.DeepEqual(s.ExtraHosts, want) {
		t.Errorf("extra_hosts = %v", s.ExtraHosts)
	}
	if s.StopGracePeriod == nil || s.StopGracePeriod.String() != "1m30s" {
		t.Errorf("stop_grace_period = %v", s.StopGracePeriod)
	}
}

// TestHCLAllProblemsAtOnce checks that loading does not stop at the first
// problem.
func TestHCLAllProblemsAtOnce(t *testing.T) {
	const src = `
service "web" {
  image = "nginx"
  ports = ["99999"]
  healthcheck {
    test     = "true"
    interval = "soon"
  }
  depends_on = [service.nope]
  frobnicate = true
}
`
	_, err := loadHCLSource(t, src, nil, LoadOptions{})
	var specErr *Error
	if !errors.As(err, &specErr) {
		t.Fatalf("error = %v, want *Error", err)
	}
	got := formatProblems(specErr)
	for _, want := range []string{
		"stack.hcl:10:3: Unsupported argument",
		"stack.hcl:4:12: Invalid port",
		"stack.hcl:7:16: Invalid duration for interval",
		"stack.hcl:9:17: Reference to undeclared service",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

// TestHCLDocsExample loads the complete example of docs/hcl.md, so the
// language reference cannot drift from the loader.
func TestHCLDocsExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/hcl.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```hcl\n")
	example, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("no hcl example in docs/hcl.md")
	}
	files := map[string]string{
		"monitoring/stack.hcl": "variable \"retention\" { default = \"15d\" }\nservice \"prometheus\" {\n  image = \"prom/prometheus\"\n  command = [\"--retention=${var.retention}\"]\n}\n",
		"db_password.txt":      "secret\n",
		"web.env":              "LOG_LEVEL=info\n",
		"web/Dockerfile":       "FROM scratch\n",
	}
	p := mustLoadHCL(t, example, files, LoadOptions{})
	if got := p.ServiceNames(); !reflect.DeepEqual(got, []string{"cache", "db", "prometheus", "web"}) {
		t.Errorf("services = %v", got)
	}
	web := p.Services["web"]
	if web.Image != "shop/web:v1-dev" || web.DependsOn["cache"].Condition != ConditionStarted || web.DependsOn["db"].Condition != ConditionHealthy {
		t.Errorf("web = image %q, depends_on %+v", web.Image, web.DependsOn)
	}
}

// TestHCLServicesInIncludes checks that only the project as a whole needs a
// service: a main file may hold only includes, an included file may hold no
// service, and services disabled by profiles still count.
func TestHCLServicesInIncludes(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		files map[string]string
		want  []string // enabled services
	}{
		{"main file with only an include", `include "app" { source = "./app.hcl" }`,
			map[string]string{"app.hcl": `service "web" { image = "nginx" }`}, []string{"web"}},
		{"included file without services", "include \"volumes\" { source = \"./volumes.hcl\" }\nservice \"web\" {\n  image   = \"nginx\"\n  volumes = [\"data:/data\"]\n}\n",
			map[string]string{"volumes.hcl": `volume "data" {}`}, []string{"web"}},
		{"every service disabled by profiles", "service \"debug\" {\n  image    = \"busybox\"\n  profiles = [\"debug\"]\n}\n", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustLoadHCL(t, tt.src, tt.files, LoadOptions{})
			if got := p.ServiceNames(); !reflect.DeepEqual(got, tt.want) && len(got)+len(tt.want) > 0 {
				t.Errorf("services = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestHCLReferenceKindsThroughExpressions checks that references keep their
// kind through locals, conditionals and functions, and that plain names and
// references of the right kind still work.
func TestHCLReferenceKindsThroughExpressions(t *testing.T) {
	const src = `
variable "with_cache" { default = true }
network "backend" {}
secret "token" { content = "x" }
locals {
  nets    = [network.backend]
  secrets = var.with_cache ? [secret.token] : []
}
service "cache" { image = "redis" }
service "web" {
  image      = "web"
  networks   = concat(local.nets, ["default"])
  secrets    = local.secrets
  depends_on = [for s in [service.cache] : s]
  labels     = { net = network.backend.name, secret = upper(secret.token.key) }
}
`
	p := mustLoadHCL(t, src, nil, LoadOptions{})
	web := p.Services["web"]
	if got := sortedKeys(web.Networks); !reflect.DeepEqual(got, []string{"backend", "default"}) {
		t.Errorf("networks = %v", got)
	}
	if len(web.Secrets) != 1 || web.Secrets[0].Source != "token" {
		t.Errorf("secrets = %+v", web.Secrets)
	}
	if _, ok := web.DependsOn["cache"]; !ok {
		t.Errorf("depends_on = %v, want cache", web.DependsOn)
	}
	if want := map[string]string{"net": "demo_backend", "secret": "TOKEN"}; !reflect.DeepEqual(web.Labels, want) {
		t.Errorf("labels = %v, want %v", web.Labels, want)
	}
}

// TestHCLDurationsAndSizes checks bare numbers: seconds (fractions too) for
// durations, bytes for sizes; and that negative, NaN and overflowing values
// are errors at the value.
func TestHCLDurationsAndSizes(t *testing.T) {
	p := mustLoadHCL(t, "service \"web\" {\n  image = \"x\"\n  stop_grace_period = 1.5\n  healthcheck {\n    test     = \"true\"\n    interval = 0.25\n  }\n}\n", nil, LoadOptions{})
	web := p.Services["web"]
	if web.StopGracePeriod == nil || *web.StopGracePeriod != 1500*time.Millisecond || web.Healthcheck.Interval != 250*time.Millisecond {
		t.Errorf("stop_grace_period = %v, interval = %v; want 1.5s and 250ms", web.StopGracePeriod, web.Healthcheck.Interval)
	}
	tests := []struct{ attr, want string }{
		{`stop_grace_period = -5`, `stack.hcl:3:23: Invalid duration for stop_grace_period: duration "-5" is negative`},
		{`stop_grace_period = "99999999999"`, `stack.hcl:3:23: Invalid duration for stop_grace_period: duration "99999999999" is too long`},
		{`resources { memory = "nan" }`, `stack.hcl:3:24: Invalid size for memory: "nan" is not a size such as "512m"`},
		{`resources { memory = "-1g" }`, `stack.hcl:3:24: Invalid size for memory: size "-1g" is negative`},
		{`resources { memory = "99999999999g" }`, `stack.hcl:3:24: Invalid size for memory: size "99999999999g" is too large`},
	}
	for _, tt := range tests {
		t.Run(tt.attr, func(t *testing.T) {
			_, err := loadHCLSource(t, "service \"web\" {\n  image = \"x\"\n  "+tt.attr+"\n}\n", nil, LoadOptions{})
			var specErr *Error
			if !errors.As(err, &specErr) {
				t.Fatalf("error = %v, want *Error", err)
			}
			if got := formatProblems(specErr); !strings.Contains(got, tt.want) {
				t.Errorf("error = %s\nwant it to contain %q", got, tt.want)
			}
		})
	}
}

// TestHCLHealthcheckWithoutTest checks that a healthcheck block without
// test keeps the image's HEALTHCHECK and only sets its timing, as in Compose.
func TestHCLHealthcheckWithoutTest(t *testing.T) {
	p := mustLoadHCL(t, "service \"web\" {\n  image = \"x\"\n  healthcheck {\n    interval = \"5s\"\n    retries  = 3\n  }\n}\n", nil, LoadOptions{})
	want := &Healthcheck{Interval: 5 * time.Second, Retries: 3}
	if got := p.Services["web"].Healthcheck; !reflect.DeepEqual(got, want) {
		t.Errorf("healthcheck = %+v, want %+v", got, want)
	}
}

// TestHCLDependenciesThroughLocals checks that a service reached through a
// local (and a local of locals) is an implicit dependency of the service
// that uses the local, placed at the use; locals not used add none.
func TestHCLDependenciesThroughLocals(t *testing.T) {
	const src = `
locals {
  db_host = service.db.name
  db_url  = "postgres://${local.db_host}/app"
  unused  = service.cache.name
  plain   = "x"
}
service "db" {
  image  = "postgres"
  labels = { self = local.db_host }
}
service "cache" { image = "redis" }
service "api" {
  image       = "api"
  environment = { DB = local.db_url, X = local.plain }
}
`
	p := mustLoadHCL(t, src, nil, LoadOptions{})
	api := p.Services["api"]
	if want := map[string]Dependency{"db": {Condition: ConditionStarted, Required: true}}; !reflect.DeepEqual(api.DependsOn, want) {
		t.Errorf("api depends_on = %+v, want %+v", api.DependsOn, want)
	}
	if pos := api.Pos("depends_on.db"); pos.Line != 15 || pos.Column != 24 {
		t.Errorf("implicit dependency on db at %v, want line 15 column 24 (the use of local.db_url)", pos)
	}
	if deps := p.Services["db"].DependsOn; len(deps) != 0 {
		t.Errorf("db depends_on = %+v, want none (a local naming db itself)", deps)
	}
}
