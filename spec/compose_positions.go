package spec

import (
	"os"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// composeIndex remembers where each key of the compose files was written,
// since compose-go keeps no line numbers. Keys are our key paths
// ("services.web.ports[0]"); a later file overrides an earlier one, as in a
// merge.
type composeIndex struct {
	pos    map[string]Pos
	values map[string]string // scalar values by key path, for messages without a key
	// services holds the positions under each services.<name>, relative
	// to it, so a service's positions cost its own keys, not a scan of
	// every key of the files.
	services map[string]map[string]Pos
}

// serviceScope receives the positions under one services.<name> while the
// walk is inside it.
type serviceScope struct {
	pos    map[string]Pos
	prefix int // len("services.<name>"), cut from key paths
}

// add records keyPath relative to the service: "" for the service itself,
// "ports[0]" for services.<name>.ports[0].
func (s *serviceScope) add(keyPath string, p Pos) {
	if s != nil {
		s.pos[strings.TrimPrefix(keyPath[s.prefix:], ".")] = p
	}
}

// indexComposeFiles parses the files as YAML nodes; files that do not parse
// are skipped (compose-go reports the syntax error itself).
func indexComposeFiles(files []string) *composeIndex {
	idx := &composeIndex{pos: map[string]Pos{}, values: map[string]string{}, services: map[string]map[string]Pos{}}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			continue
		}
		if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
			idx.walk(f, "", doc.Content[0], 0, nil)
		}
	}
	return idx
}

// composeTopLevels refuses a file whose top level is not a mapping, such as
// a Dockerfile given with -f, with its place; compose-go's own message for
// it is "cannot construct !!str `FROM sc...` into cli.named". Files that do
// not parse as YAML, or are empty, are left to compose-go.
func composeTopLevels(files []string) error {
	var diags []Diagnostic
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil || doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
			continue
		}
		top := doc.Content[0]
		what := map[yaml.Kind]string{yaml.ScalarNode: "a string", yaml.SequenceNode: "a list", yaml.AliasNode: "an alias"}[top.Kind]
		if top.Kind == yaml.MappingNode || what == "" {
			continue
		}
		diags = append(diags, Diagnostic{Pos: Pos{File: f, Line: top.Line, Column: top.Column},
			Summary: "not a compose file: its top level is " + what + ", want a mapping of keys such as services"})
	}
	if len(diags) > 0 {
		return &Error{Diags: diags}
	}
	return nil
}

// maxIndexDepth bounds the walk; positions below services.x.key.sub are
// not needed for messages.
const maxIndexDepth = 6

// walk records the positions under n, whose key path is path; svc is the
// service the walk is in, nil outside services.<name>.
func (idx *composeIndex) walk(file, path string, n *yaml.Node, depth int, svc *serviceScope) {
	if depth > maxIndexDepth {
		return
	}
	switch n.Kind {
	case yaml.ScalarNode:
		idx.values[path] = n.Value
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				continue
			}
			child := k.Value
			if path != "" {
				child = path + "." + k.Value
			}
			inner := svc
			if path == "services" {
				// Taken from the YAML rather than split from the key path:
				// a service name may hold dots.
				inner = idx.enterService(k.Value, len(child))
			}
			idx.record(child, Pos{File: file, Line: k.Line, Column: k.Column}, inner)
			idx.walk(file, child, v, depth+1, inner)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			child := path + "[" + strconv.Itoa(i) + "]"
			idx.record(child, Pos{File: file, Line: item.Line, Column: item.Column}, svc)
			idx.walk(file, child, item, depth+1, svc)
		}
	}
}

func (idx *composeIndex) record(keyPath string, p Pos, svc *serviceScope) {
	idx.pos[keyPath] = p
	svc.add(keyPath, p)
}

// enterService returns the scope for one service's positions, shared by
// every file that sets the service.
func (idx *composeIndex) enterService(name string, prefix int) *serviceScope {
	pos, ok := idx.services[name]
	if !ok {
		pos = map[string]Pos{}
		idx.services[name] = pos
	}
	return &serviceScope{pos: pos, prefix: prefix}
}

// lookup finds the position of keyPath, or of its nearest known parent.
// "[]" (any list item) falls back to the list itself.
func (idx *composeIndex) lookup(keyPath string) (Pos, bool) {
	if idx == nil {
		return Pos{}, false
	}
	keyPath = strings.ReplaceAll(keyPath, "[]", "")
	for keyPath != "" {
		if p, ok := idx.pos[keyPath]; ok {
			return p, true
		}
		cut := strings.LastIndexAny(keyPath, ".[")
		if cut < 0 {
			break
		}
		keyPath = keyPath[:cut]
	}
	return Pos{}, false
}

// servicePositions returns the positions of a service's keys, relative to
// the service ("" is the service itself, "ports[0]" one of its ports).
func (idx *composeIndex) servicePositions(name string, fallback string) map[string]Pos {
	keys := idx.services[name]
	out := make(map[string]Pos, len(keys)+1)
	out[""] = Pos{File: fallback}
	for k, p := range keys {
		out[k] = p
	}
	return out
}

// findValue returns the first key path (sorted) whose scalar value contains
// token, or "".
func (idx *composeIndex) findValue(token string) string {
	if idx == nil || token == "" {
		return ""
	}
	for _, k := range sortedKeys(idx.values) {
		if strings.Contains(idx.values[k], token) {
			return k
		}
	}
	return ""
}
