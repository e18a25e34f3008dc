package kube

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/yaml"
)

// Marshal renders one object as YAML, without the fields an exported
// manifest has no business setting (status, creationTimestamp).
func Marshal(o Object) ([]byte, error) {
	b, err := manifestJSON(o)
	if err != nil {
		return nil, err
	}
	return yaml.JSONToYAML(b)
}

// manifestJSON is the object as JSON, pruned as Marshal does.
func manifestJSON(o Object) ([]byte, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	prune(m)
	return json.Marshal(m)
}

// prune drops status and null creation timestamps, here and in templates.
func prune(m map[string]any) {
	delete(m, "status")
	for k, v := range m {
		switch v := v.(type) {
		case map[string]any:
			if k == "metadata" {
				if ts, ok := v["creationTimestamp"]; ok && ts == nil {
					delete(v, "creationTimestamp")
				}
			}
			prune(v)
			if (k == "metadata" || k == "resources") && len(v) == 0 {
				delete(m, k)
			}
		case []any:
			for _, item := range v {
				if im, ok := item.(map[string]any); ok {
					prune(im)
				}
			}
		}
	}
}

// MarshalAll renders the objects as one YAML stream, documents separated by
// "---".
func MarshalAll(objs []Object) ([]byte, error) {
	var buf bytes.Buffer
	for i, o := range objs {
		b, err := Marshal(o)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(b)
	}
	return buf.Bytes(), nil
}

// FileName is the file an object is written to in a folder: the files sort
// in the order the objects apply (the Namespace first).
func FileName(i int, o Object) string {
	kind := strings.ToLower(o.GetObjectKind().GroupVersionKind().Kind)
	return fmt.Sprintf("%02d-%s-%s.yaml", i, kind, o.GetName())
}

// Kustomization is the kustomization.yaml of a written folder.
type Kustomization struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace,omitempty"`
	Resources  []string `json:"resources"`
}

// Files are the contents of the files of a folder export, by file name.
type Files struct {
	Names    []string // in apply order
	Contents map[string][]byte
}

// Render renders m as files: one per object and, with kustomize, a
// kustomization.yaml listing them.
func Render(m *Manifests, namespace string, kustomize bool) (*Files, error) {
	f := &Files{Contents: map[string][]byte{}}
	for i, o := range m.Objects {
		b, err := Marshal(o)
		if err != nil {
			return nil, err
		}
		name := FileName(i, o)
		f.Names = append(f.Names, name)
		f.Contents[name] = b
	}
	if kustomize {
		k := Kustomization{APIVersion: "kustomize.config.k8s.io/v1beta1", Kind: "Kustomization", Namespace: namespace, Resources: append([]string{}, f.Names...)}
		b, err := yaml.Marshal(k)
		if err != nil {
			return nil, err
		}
		f.Names = append(f.Names, "kustomization.yaml")
		f.Contents["kustomization.yaml"] = b
	}
	return f, nil
}

// WriteDir writes the files into dir, creating it. Files of an earlier
// export that this one no longer has (numbered, and labelled as managed by
// stack) are removed, so that `kubectl apply -f dir` applies what was
// exported; other files are kept.
func (f *Files) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "[0-9][0-9]-*.yaml"))
	for _, path := range old {
		if _, keep := f.Contents[filepath.Base(path)]; keep {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil || !bytes.Contains(b, []byte(LabelManagedBy+": stack")) {
			continue
		}
		if err := os.Remove(path); err != nil {
			return err
		}
	}
	for _, name := range f.Names {
		mode := os.FileMode(0o644)
		if strings.Contains(name, "-secret-") {
			mode = 0o600 // secret values, base64 only
		}
		if err := os.WriteFile(filepath.Join(dir, name), f.Contents[name], mode); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}
