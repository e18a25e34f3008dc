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
}

// indexComposeFiles parses the files as YAML nodes; files that do not parse
// are skipped (compose-go reports the syntax error itself).
func indexComposeFiles(files []string) *composeIndex {
	idx := &composeIndex{pos: map[string]Pos{}, values: map[string]string{}}
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
			idx.walk(f, "", doc.Content[0], 0)
		}
	}
	return idx
}

// maxIndexDepth bounds the walk; positions below services.x.key.sub are
// not needed for messages.
const maxIndexDepth = 6

func (idx *composeIndex) walk(file, path string, n *yaml.Node, depth int) {
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
			idx.pos[child] = Pos{File: file, Line: k.Line, Column: k.Column}
			idx.walk(file, child, v, depth+1)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			child := path + "[" + strconv.Itoa(i) + "]"
			idx.pos[child] = Pos{File: file, Line: item.Line, Column: item.Column}
			idx.walk(file, child, item, depth+1)
		}
	}
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
	out := map[string]Pos{"": {File: fallback}}
	prefix := "services." + name
	for k, p := range idx.pos {
		switch {
		case k == prefix:
			out[""] = p
		case strings.HasPrefix(k, prefix+"."):
			out[strings.TrimPrefix(k, prefix+".")] = p
		}
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
