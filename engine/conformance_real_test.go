package engine_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/spec"
)

// Real-daemon-only tests: what the fake cannot have (ports on the host).

func TestPublishedPort(t *testing.T) {
	realOnly(t, func(t *testing.T, e *env) {
		p := e.stack()
		s := e.service(p, "web")
		s.Ports = []spec.Port{{HostIP: "127.0.0.1", ContainerPort: 8080}}
		withHealthcheck(s)
		e.up(p, engine.UpOptions{Wait: true, WaitTimeout: time.Minute})
		rows, err := e.engine.Ps(e.ctx(), e.project, engine.PsOptions{})
		if err != nil || len(rows) != 1 || len(rows[0].Ports) != 1 {
			t.Fatalf("ps: %+v %v", rows, err)
		}
		hostPort := strings.TrimPrefix(strings.Split(rows[0].Ports[0], "->")[0], "127.0.0.1:")
		resp, err := http.Get("http://127.0.0.1:" + hostPort + "/")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(body), "hostname=") {
			t.Errorf("GET /: %d %s", resp.StatusCode, body)
		}
	})
}
