// Package providertest is the conformance suite every provider.Service
// passes: provider.Runner with the test binary provider/testdata/fakecloud,
// and providerfake.Fake, which emulates it.
package providertest

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stack-dev/stack/provider"
	"github.com/stack-dev/stack/spec"
)

// Run runs the suite against the Service open returns; exists tells
// whether the fakecloud resource of a project's service is there.
func Run(t *testing.T, open func(t *testing.T) (svc provider.Service, exists func(project, service string) bool)) {
	t.Run("up sets variables, down releases", func(t *testing.T) {
		svc, exists := open(t)
		s := service(map[string][]string{"type": {"mysql"}, "tag": {"a", "b"}})
		var msgs messages
		vars, err := svc.Up(context.Background(), "proj", s, msgs.add)
		if err != nil {
			t.Fatalf("up: %v", err)
		}
		env := vars.Env("database")
		if env["DATABASE_URL"] != "fake://proj/database?tag=a&tag=b&type=mysql" || env["SECRET_KEY"] != "xyz" || len(env) != 2 {
			t.Errorf("dependents' environment = %v", env)
		}
		if got, want := msgs.String(), "info preparing database\ndebug options tag=a tag=b type=mysql\ninfo ready"; got != want {
			t.Errorf("messages:\n%s\nwant:\n%s", got, want)
		}
		if !exists("proj", "database") {
			t.Error("up created no resource")
		}
		if err := svc.Stop(context.Background(), "proj", s, nil); err != nil {
			t.Fatalf("stop: %v", err)
		}
		if !exists("proj", "database") {
			t.Error("stop released the resource")
		}
		if err := svc.Down(context.Background(), "proj", s, nil); err != nil {
			t.Fatalf("down: %v", err)
		}
		if exists("proj", "database") {
			t.Error("down left the resource")
		}
	})
	t.Run("an error message fails up", func(t *testing.T) {
		svc, exists := open(t)
		var msgs messages
		_, err := svc.Up(context.Background(), "proj", service(map[string][]string{"fail": {"quota exceeded"}}), msgs.add)
		if err == nil || !strings.HasSuffix(err.Error(), ": quota exceeded") {
			t.Errorf("up: %v, want quota exceeded", err)
		}
		if msgs.String() != "error quota exceeded" || exists("proj", "database") {
			t.Errorf("messages %q, resource %v", msgs.String(), exists("proj", "database"))
		}
	})
	t.Run("a failing binary fails up with its stderr", func(t *testing.T) {
		svc, _ := open(t)
		_, err := svc.Up(context.Background(), "proj", service(map[string][]string{"crash": {"3"}}), nil)
		if err == nil || !strings.Contains(err.Error(), "failed to create service provider: exit status 3: fakecloud: crashed on purpose") {
			t.Errorf("up: %v", err)
		}
	})
}

func service(opts map[string][]string) *spec.Service {
	return &spec.Service{Name: "database", Provider: &spec.Provider{Type: "fakecloud", Options: opts}}
}

type messages struct {
	mu    sync.Mutex
	lines []string
}

func (m *messages) add(msg provider.Message) {
	m.mu.Lock()
	m.lines = append(m.lines, msg.Type+" "+msg.Message)
	m.mu.Unlock()
}

func (m *messages) String() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return strings.Join(m.lines, "\n")
}
