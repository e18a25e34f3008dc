package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/stack-dev/stack/spec"
)

// Pull pulls the images of the given services (nil: every service with an
// image), each image once, opts.Parallel at a time. A service that also
// builds may have an image not pushed yet, so its failed pull is a warning;
// naming a service without an image is an error.
func (e *Engine) Pull(ctx context.Context, p *spec.Project, services []string, opts ImageOptions) error {
	names, err := selectServices(p, services)
	if err != nil {
		return err
	}
	refs := map[string][]string{} // ref -> services
	for _, name := range names {
		s := p.Services[name]
		if s.Image == "" {
			if len(services) > 0 {
				return fmt.Errorf("service %s has no image to pull (it is built)", name)
			}
			continue
		}
		refs[s.Image] = append(refs[s.Image], name)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.parallel())
	for _, ref := range sortedKeys(refs) {
		g.Go(func() error {
			buildable := allBuild(p, refs[ref])
			err := e.pullImage(gctx, ref, refs[ref], !buildable && !opts.IgnorePullFailures)
			if err != nil && gctx.Err() == nil && !buildable && opts.IgnorePullFailures {
				e.emit(Status{Object: "image " + ref, Service: refs[ref][0], Phase: PhaseWarning,
					Detail: "not pulled (" + err.Error() + "); ignored (--ignore-pull-failures)", Done: true})
				return nil
			}
			if err != nil && gctx.Err() == nil && buildable {
				// One line, not an error and then a warning.
				reason := err.Error()
				if errors.Is(err, ErrNotFound) {
					reason = "not in its registry"
				}
				e.emit(Status{Object: "image " + ref, Service: refs[ref][0], Phase: PhaseWarning,
					Detail: "not pulled (" + reason + "); it is built from source by `stack build` or `up`", Done: true})
				return nil
			}
			return err
		})
	}
	return g.Wait()
}

func allBuild(p *spec.Project, names []string) bool {
	for _, name := range names {
		if p.Services[name].Build == nil {
			return false
		}
	}
	return true
}

// pullImage pulls ref for services, reporting the bytes of all its layers
// as one progress, and a failure as an error when reportErr is set (else
// the caller reports it).
func (e *Engine) pullImage(ctx context.Context, ref string, services []string, reportErr bool) error {
	return e.transferImage(ctx, ref, services, imageTransfer{
		phase: PhasePulling, done: PhasePulled, moving: "Downloading", reportErr: reportErr,
		finished: []string{"Download complete", "Pull complete", "Already exists"},
		run: func(ctx context.Context, ref string, fn func(Progress)) error {
			err := e.docker.ImagePull(ctx, ref, fn)
			if errors.Is(err, ErrNotFound) {
				return fmt.Errorf("image %s not found in its registry: %w", ref, err)
			}
			return err
		},
	})
}

// imageTransfer describes a pull or a push for transferImage.
type imageTransfer struct {
	phase, done string   // the Status phases while running and at the end
	moving      string   // the layer status that carries byte counts
	finished    []string // layer statuses that mean a layer is complete
	reportErr   bool     // emit a failure as the object's final status
	run         func(ctx context.Context, ref string, fn func(Progress)) error
}

// transferImage pulls or pushes ref for services, reporting the bytes of
// all its layers as one progress. Errors name the services.
func (e *Engine) transferImage(ctx context.Context, ref string, services []string, t imageTransfer) error {
	object, who := "image "+ref, strings.Join(services, ", ")
	e.emit(Status{Object: object, Service: services[0], Phase: t.phase})
	layers := newLayerProgress(t.finished...)
	err := t.run(ctx, ref, func(pr Progress) {
		if !layers.update(pr, t.moving) {
			return
		}
		cur, total := layers.sum()
		e.emit(Status{Object: object, Service: services[0], Phase: t.phase,
			Detail: layerDetail(pr), Current: cur, Total: total})
	})
	if err != nil {
		err = fmt.Errorf("service %s: %w", who, err)
		if t.reportErr {
			e.emit(Status{Object: object, Service: services[0], Phase: PhaseError, Err: err, Done: true})
		}
		return err
	}
	e.emit(Status{Object: object, Service: services[0], Phase: t.done, Done: true})
	return nil
}

// layerProgress adds up the per-layer byte counts of a pull or push.
type layerProgress struct {
	done   map[string]bool // statuses that mean a layer is complete
	layers map[string]*[2]int64
}

func newLayerProgress(doneStatuses ...string) *layerProgress {
	l := &layerProgress{done: map[string]bool{}, layers: map[string]*[2]int64{}}
	for _, s := range doneStatuses {
		l.done[s] = true
	}
	return l
}

// update records pr and reports whether it was about a layer. Only the
// transfer status (Downloading, Pushing) counts bytes: extraction reports
// the same layer's bytes again from zero.
func (l *layerProgress) update(pr Progress, transfer string) bool {
	if pr.ID == "" {
		return false
	}
	layer, ok := l.layers[pr.ID]
	if !ok {
		layer = &[2]int64{}
		l.layers[pr.ID] = layer
	}
	switch {
	case pr.Status == transfer && pr.Total > 0:
		layer[0], layer[1] = pr.Current, pr.Total
	case l.done[pr.Status], strings.HasPrefix(pr.Status, "Mounted from"):
		layer[0] = layer[1]
	}
	return true
}

func (l *layerProgress) sum() (current, total int64) {
	for _, layer := range l.layers {
		current += layer[0]
		total += layer[1]
	}
	return current, total
}

func layerDetail(pr Progress) string {
	id := pr.ID
	if len(id) > 12 {
		id = id[:12]
	}
	return id + ": " + pr.Status
}
