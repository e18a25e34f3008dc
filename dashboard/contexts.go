package dashboard

import (
	"context"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/stack-dev/stack/internal/fswatch"
	"github.com/stack-dev/stack/spec"
)

// contextSettle batches a save or a checkout in a build context into one
// new look at the images; hashing a context costs more than a sync.
const contextSettle = 300 * time.Millisecond

// watchBuildContexts watches the local build contexts of model's services
// until ctx ends and returns a channel that gets a value once files in
// them changed (settled), so a page shows an image as stale as soon as
// its source is edited. Nil (never ready) when there is nothing to watch
// or the watch cannot be set up; the images are then checked again only
// after actions.
func watchBuildContexts(ctx context.Context, model *spec.Project, log *zap.Logger) <-chan struct{} {
	if model == nil {
		return nil
	}
	var dirs []string
	for _, name := range model.ServiceNames() {
		b := model.Services[name].Build
		if b == nil {
			continue
		}
		if fi, err := os.Stat(b.Context); err == nil && fi.IsDir() {
			dirs = append(dirs, b.Context)
		}
	}
	if len(dirs) == 0 {
		return nil
	}
	w, err := fswatch.New(contextSettle)
	if err != nil {
		log.Debug("no watch of the build contexts", zap.Error(err))
		return nil
	}
	for _, dir := range dirs {
		if err := w.Add(dir); err != nil {
			log.Debug("no watch of the build contexts", zap.String("context", dir), zap.Error(err))
			w.Close()
			return nil
		}
	}
	changed := make(chan struct{}, 1)
	go w.Run(ctx)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case err := <-w.Errors():
				log.Debug("watch of the build contexts ended", zap.Error(err))
				return
			case <-w.Ready():
				w.Take()
				select {
				case changed <- struct{}{}:
				default:
				}
			}
		}
	}()
	return changed
}
