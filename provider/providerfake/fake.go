// Package providerfake is an in-memory provider.Service that behaves as the
// test provider binary provider/testdata/fakecloud does, so engine tests run
// provider services without building a binary. It passes the same
// conformance suite (package providertest) as provider.Runner.
package providerfake

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/stack-dev/stack/provider"
	"github.com/stack-dev/stack/spec"
)

// Fake keeps the resources its up created, by "project-service".
type Fake struct {
	mu        sync.Mutex
	resources map[string][]string // options, as --k=v without the dashes
	stopped   map[string]bool
}

// New returns a Fake with no resources.
func New() *Fake {
	return &Fake{resources: map[string][]string{}}
}

var _ provider.Service = (*Fake)(nil)

// options are the service's options as the binary receives them, sorted.
func options(s *spec.Service) []string {
	keys := make([]string, 0, len(s.Provider.Options))
	for k := range s.Provider.Options {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		for _, v := range s.Provider.Options[k] {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// failure answers --fail and --crash as fakecloud does.
func failure(s *spec.Service, action string, report func(provider.Message)) error {
	if msg := s.Provider.Options["fail"]; len(msg) > 0 {
		report(provider.Message{Type: provider.TypeError, Message: msg[0]})
		command := map[string]string{"create": "up", "remove": "down"}[action]
		return fmt.Errorf("service %s: provider %s %s: %s", s.Name, s.Provider.Type, command, msg[0])
	}
	if code := s.Provider.Options["crash"]; len(code) > 0 {
		return fmt.Errorf("service %s: failed to %s service provider: exit status %s: fakecloud: crashed on purpose", s.Name, action, code[0])
	}
	return nil
}

// Up records the resource and sets URL (and, raw, SECRET_KEY).
func (f *Fake) Up(ctx context.Context, project string, s *spec.Service, report func(provider.Message)) (provider.Vars, error) {
	if report == nil {
		report = func(provider.Message) {}
	}
	if err := failure(s, "create", report); err != nil {
		return provider.Vars{}, err
	}
	opts := options(s)
	report(provider.Message{Type: provider.TypeInfo, Message: "preparing " + s.Name})
	report(provider.Message{Type: provider.TypeDebug, Message: "options " + strings.Join(opts, " ")})
	f.mu.Lock()
	f.resources[project+"-"+s.Name] = opts
	f.mu.Unlock()
	report(provider.Message{Type: provider.TypeInfo, Message: "ready"})
	return provider.Vars{
		Prefixed: map[string]string{"URL": "fake://" + project + "/" + s.Name + "?" + strings.Join(opts, "&")},
		Raw:      map[string]string{"SECRET_KEY": "xyz"},
	}, nil
}

// Down removes the resource; one that is not there is an error.
func (f *Fake) Down(ctx context.Context, project string, s *spec.Service, report func(provider.Message)) error {
	if report == nil {
		report = func(provider.Message) {}
	}
	if err := failure(s, "remove", report); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	key := project + "-" + s.Name
	if _, ok := f.resources[key]; !ok {
		msg := "no resource " + key
		report(provider.Message{Type: provider.TypeError, Message: msg})
		return errors.New(msg)
	}
	delete(f.resources, key)
	report(provider.Message{Type: provider.TypeInfo, Message: "removed"})
	return nil
}

// Stop records that the resource was stopped, as fakecloud with its
// metadata does.
func (f *Fake) Stop(ctx context.Context, project string, s *spec.Service, report func(provider.Message)) error {
	if report == nil {
		report = func(provider.Message) {}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.stopped == nil {
		f.stopped = map[string]bool{}
	}
	f.stopped[project+"-"+s.Name] = true
	report(provider.Message{Type: provider.TypeInfo, Message: "stopped"})
	return nil
}

// Stopped reports whether Stop ran for project's service.
func (f *Fake) Stopped(project, service string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stopped[project+"-"+service]
}

// Exists reports whether up created the resource of project's service
// and down did not remove it.
func (f *Fake) Exists(project, service string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.resources[project+"-"+service]
	return ok
}
