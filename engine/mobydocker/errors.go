package mobydocker

import (
	"errors"
	"fmt"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/stack-dev/stack/engine"
)

// apiErr wraps err with what was being done, mapping the daemon's "no such
// object" and "name in use" kinds to engine.ErrNotFound and
// engine.ErrConflict so callers never look at moby's errors.
func apiErr(doing string, err error) error {
	switch {
	case err == nil:
		return nil
	case cerrdefs.IsNotFound(err) && !errors.Is(err, engine.ErrNotFound):
		return fmt.Errorf("%s: %w: %w", doing, engine.ErrNotFound, err)
	case cerrdefs.IsConflict(err) && !errors.Is(err, engine.ErrConflict):
		return fmt.Errorf("%s: %w: %w", doing, engine.ErrConflict, err)
	}
	return fmt.Errorf("%s: %w", doing, err)
}
