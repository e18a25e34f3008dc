package stacktest_test

import (
	"net/http"
	"testing"

	"github.com/stack-dev/stack/stacktest"
)

// A test brings up a stack of its own, in parallel with other tests, and
// talks to a service through the host port its container port got.
func ExampleUp() {
	// In a _test.go file, as func TestAPI(t *testing.T).
	TestAPI := func(t *testing.T) {
		t.Parallel()
		s := stacktest.Up(t, "testdata/compose.yaml",
			stacktest.Env(map[string]string{"IMAGE": "stack-testimage:dev"}))
		resp, err := http.Get("http://" + s.Endpoint(t, "api", 8080) + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("healthz: %s", resp.Status)
		}
	}
	_ = TestAPI
}

// A stack kept between runs: the second `go test` finds it running and
// reuses it if its configuration is unchanged.
func ExampleReuse() {
	TestSearch := func(t *testing.T) {
		s := stacktest.Up(t, "testdata/compose.yaml", stacktest.Reuse())
		code, out := s.Exec(t, "db", "/testimage", "health")
		if code != 0 {
			t.Fatalf("db is not healthy: %s", out)
		}
	}
	_ = TestSearch
}
