package modelstack_test

import (
	"testing"
	"time"

	"github.com/stack-dev/stack/internal/testenv"
	"github.com/stack-dev/stack/stacktest"
)

// TestPredictionThroughGateway is the example of docs/testing.md: the
// model-serving stack brought up by stacktest, and one prediction asked of
// it through the gateway, as a client would.
func TestPredictionThroughGateway(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the model-serving stack")
	}
	makeBins(t)
	s := stacktest.Up(t, "compose.yaml",
		stacktest.Files("testdata/test-ports.yaml"), // free host ports, not 8080 and 5000
		stacktest.Services("gateway"),               // and what it depends on
		stacktest.WaitTimeout(3*time.Minute),
	)
	got := predict(t, "http://"+s.Endpoint(t, "gateway", 8080)+"/predict", []float64{5.1, 3.5, 1.4, 0.2})
	if got.Prediction != "setosa" {
		t.Errorf("prediction %+v, want setosa", got)
	}
}

// makeBins builds the example's static binaries, which its images copy.
func makeBins(t testing.TB) { testenv.ModelStackBins(t) }
