package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"go.uber.org/zap"
)

// lock takes the per-project lock, so two `stack` processes never converge
// the same project at once. It is an flock(2) on a file named for the daemon
// and project: the kernel releases it when the holder exits, even by
// SIGKILL, so a crashed holder never blocks the next run. The file holds no
// state; it only names the lock.
func (e *Engine) lock(ctx context.Context, project string) (func(), error) {
	dir := filepath.Join(os.TempDir(), "stack-locks")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, fmt.Errorf("lock project %s: %w", project, err)
	}
	sum := sha256.Sum256([]byte(os.Getenv("DOCKER_HOST") + "\x00" + project))
	path := filepath.Join(dir, hex.EncodeToString(sum[:8])+".lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, fmt.Errorf("lock project %s: %w", project, err)
	}
	waiting := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if err != syscall.EWOULDBLOCK {
			f.Close()
			return nil, fmt.Errorf("lock project %s: %w", project, err)
		}
		if !waiting {
			waiting = true
			e.log.Info("waiting for another stack process working on this project", zap.String("project", project))
			e.emit(Status{Object: "project " + project, Phase: PhaseWaiting, Detail: "another stack process is working on this project"})
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("lock project %s: %w", project, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
