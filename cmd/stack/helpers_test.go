package main

import (
	"context"
	"testing"
	"time"

	"github.com/stack-dev/stack/engine/mobydocker"
	"github.com/stack-dev/stack/internal/testenv"
)

func testImage(t *testing.T) string {
	return testenv.TestImage(t)
}

// removeProject removes everything a script's project left behind.
func removeProject(project string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	d, err := mobydocker.New(nil)
	if err != nil {
		return
	}
	defer d.Close()
	_ = testenv.RemoveProject(ctx, d, project)
}
