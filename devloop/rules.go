package devloop

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/stack-dev/stack/spec"
)

// rule is a watch rule ready to match paths.
type rule struct {
	spec.WatchRule
	service string
	isDir   bool
	ignore  *patternmatcher.PatternMatcher // relative to Path
	include *patternmatcher.PatternMatcher // relative to Path; nil: all
	// context is the build context's .dockerignore, relative to ctxDir,
	// when Path is inside the service's build context.
	context *patternmatcher.PatternMatcher
	ctxDir  string
}

func newRule(s *spec.Service, r spec.WatchRule) (*rule, error) {
	out := &rule{WatchRule: r, service: s.Name}
	fi, err := os.Stat(r.Path)
	if err != nil {
		return nil, err
	}
	out.isDir = fi.IsDir()
	if out.ignore, err = patternmatcher.New(r.Ignore); err != nil {
		return nil, err
	}
	if len(r.Include) > 0 {
		if out.include, err = patternmatcher.New(r.Include); err != nil {
			return nil, err
		}
	}
	if b := s.Build; b != nil && b.Context != "" && !strings.Contains(b.Context, "://") {
		if _, ok := within(b.Context, r.Path); ok {
			if f, err := os.Open(filepath.Join(b.Context, ".dockerignore")); err == nil {
				patterns, err := ignorefile.ReadAll(f)
				f.Close()
				if err != nil {
					return nil, err
				}
				if out.context, err = patternmatcher.New(patterns); err != nil {
					return nil, err
				}
				out.ctxDir = b.Context
			}
		}
	}
	return out, nil
}

// within returns p relative to dir (slash-separated, "." for dir itself)
// when p is dir or under it.
func within(dir, p string) (string, bool) {
	rel, err := filepath.Rel(dir, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// rel returns host path p relative to the rule's path when the rule covers
// it; for a rule on a single file, only that file matches and rel is ".".
func (r *rule) rel(p string) (string, bool) {
	if !r.isDir {
		return ".", p == r.Path
	}
	return within(r.Path, p)
}

// ignored tells whether a path the rule covers is left out by its ignore
// patterns or the build context's .dockerignore. dir says p is a folder:
// include patterns select files only.
func (r *rule) ignored(p, rel string, dir bool) bool {
	if rel != "." {
		if m, _ := r.ignore.MatchesOrParentMatches(rel); m {
			return true
		}
		if r.include != nil && !dir {
			if m, _ := r.include.MatchesOrParentMatches(rel); !m {
				return true
			}
		}
	}
	if r.context != nil {
		if crel, ok := within(r.ctxDir, p); ok && crel != "." {
			if m, _ := r.context.MatchesOrParentMatches(crel); m {
				return true
			}
		}
	}
	return false
}

// matches tells whether a changed host path concerns the rule: covered by
// it and not ignored (include patterns select files; a deleted path is
// judged as a folder, since what it was is gone).
func (r *rule) matches(p string) bool {
	rel, ok := r.rel(p)
	if !ok {
		return false
	}
	if rel == "." {
		return true
	}
	fi, err := os.Lstat(p)
	return !r.ignored(p, rel, err != nil || fi.IsDir())
}

// containerPath is where host path rel (from rel) lands in the container.
func (r *rule) containerPath(rel string) string {
	if rel == "." {
		return r.Target
	}
	return strings.TrimSuffix(r.Target, "/") + "/" + rel
}
