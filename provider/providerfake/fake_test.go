package providerfake_test

import (
	"testing"

	"github.com/stack-dev/stack/provider"
	"github.com/stack-dev/stack/provider/providerfake"
	"github.com/stack-dev/stack/provider/providertest"
)

func TestConformance(t *testing.T) {
	providertest.Run(t, func(t *testing.T) (provider.Service, func(string, string) bool) {
		f := providerfake.New()
		return f, f.Exists
	})
}
