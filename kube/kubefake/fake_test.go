package kubefake_test

import (
	"testing"

	"github.com/stack-dev/stack/kube"
	"github.com/stack-dev/stack/kube/kubefake"
	"github.com/stack-dev/stack/kube/kubetest"
)

func TestConformance(t *testing.T) {
	kubetest.Run(t, func(t *testing.T) kube.DryRunner { return kubefake.New() })
}
