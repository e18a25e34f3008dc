package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/stack-dev/stack/engine"
	"github.com/stack-dev/stack/engine/mobydocker"
	"github.com/stack-dev/stack/reaper"
)

// ttlSession labels a stack of `up --ttl`: a session of its own that
// expires after ttl and that no connection owns.
func ttlSession(project string, ttl time.Duration) map[string]string {
	return map[string]string{
		engine.LabelSession:        "ttl-" + project,
		engine.LabelSessionExpires: strconv.FormatInt(time.Now().Add(ttl).Unix(), 10),
	}
}

// startReaper makes sure a reaper runs to remove the stack once its time
// to live passed. It is stack itself, so this binary must be static; when
// it cannot start, a warning says how to remove the stack instead.
func startReaper(ctx context.Context, g *globalOptions) {
	if reaper.Off() {
		return
	}
	fail := func(err error) {
		fmt.Fprintf(g.stderr, "warning: no reaper: %v\nhint: remove the stack after its time to live with `stack reap`\n", err)
	}
	self, err := os.Executable()
	if err != nil {
		fail(err)
		return
	}
	docker, err := mobydocker.New(g.log)
	if err != nil {
		fail(err)
		return
	}
	defer docker.Close()
	if _, _, err := reaper.Ensure(ctx, docker, self); err != nil {
		fail(err)
	}
}
