// Package fswatch watches folders recursively through fsnotify, following
// folders created later, and hands out the changed paths in settled
// batches: the dev loop (devloop) and the dashboard's image freshness use
// it. See [Watcher].
package fswatch

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watcher watches folders recursively (following folders created later)
// and hands out changed paths in batches: a batch is ready once no event
// has arrived for the settle time, so one save (write, rename, chmod) or
// one git checkout is one batch.
type Watcher struct {
	w      *fsnotify.Watcher
	settle time.Duration

	mu      sync.Mutex
	pending map[string]bool
	ready   chan struct{} // one value when pending has a settled batch
	errs    chan error
}

// New returns a Watcher whose batches settle for the given time.
func New(settle time.Duration) (*Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	return &Watcher{w: w, settle: settle, pending: map[string]bool{}, ready: make(chan struct{}, 1), errs: make(chan error, 1)}, nil
}

// Add watches p: a folder with every folder under it, or a single file
// through its parent folder.
func (f *Watcher) Add(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return f.w.Add(filepath.Dir(p))
	}
	return f.addTree(p, nil)
}

// addTree watches dir and the folders under it; with found, it also
// reports every path under dir (they may have appeared before the watch).
func (f *Watcher) addTree(dir string, found func(string)) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if found != nil && p != dir {
			found(p)
		}
		if d.IsDir() {
			if err := f.w.Add(p); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
		return nil
	})
}

// Run reads events until ctx ends, then closes the watcher.
func (f *Watcher) Run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer f.w.Close()
	mark := func(p string) {
		f.mu.Lock()
		f.pending[p] = true
		f.mu.Unlock()
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-f.w.Events:
			if !ok {
				return
			}
			mark(ev.Name)
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
					if err := f.addTree(ev.Name, mark); err != nil {
						f.fail(err)
					}
				}
			}
			timer.Reset(f.settle)
		case err, ok := <-f.w.Errors:
			if !ok {
				return
			}
			f.fail(err)
		case <-timer.C:
			select {
			case f.ready <- struct{}{}:
			default:
			}
		}
	}
}

func (f *Watcher) fail(err error) {
	select {
	case f.errs <- err:
	default:
	}
}

// Ready gets a value once a batch has settled; Take it then.
func (f *Watcher) Ready() <-chan struct{} { return f.ready }

// Errors carries the first error of the watch (a folder that could not be
// watched: the system's limit of watches, say).
func (f *Watcher) Errors() <-chan error { return f.errs }

// Take returns the pending batch and starts a new one.
func (f *Watcher) Take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.pending))
	for p := range f.pending {
		out = append(out, p)
	}
	clear(f.pending)
	return out
}

// Close stops a watcher that was never Run (Run closes it when its
// context ends).
func (f *Watcher) Close() error { return f.w.Close() }
