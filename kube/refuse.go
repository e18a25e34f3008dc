package kube

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/stack-dev/stack/spec"
)

// Refusal is a key of the stack that Kubernetes has no counterpart for.
type Refusal struct {
	KeyPath string   // "services.api.volumes[0]"
	Pos     spec.Pos // where the key was written, when known
	Reason  string
}

func (r Refusal) String() string {
	var b strings.Builder
	if r.Pos.File != "" {
		b.WriteString(r.Pos.String())
		b.WriteString(": ")
	}
	b.WriteString(r.KeyPath)
	b.WriteString(": ")
	b.WriteString(r.Reason)
	return b.String()
}

// RefusedError is an export stopped by keys that cannot be mapped and that
// the user did not allow to be dropped. Nothing is written.
type RefusedError struct {
	Refusals []Refusal
}

func (e *RefusedError) Error() string {
	lines := make([]string, 0, len(e.Refusals)+1)
	for _, r := range e.Refusals {
		lines = append(lines, r.String())
	}
	lines = append(lines, "(drop a key with --drop KEY_PATH, for example --drop "+DropHint(e.Refusals[0].KeyPath)+")")
	return strings.Join(lines, "\n")
}

// DropHint is the --drop pattern, quoted for a shell, that drops the key
// at keyPath in every service.
func DropHint(keyPath string) string {
	parts := strings.SplitN(keyPath, ".", 3)
	if len(parts) == 3 && parts[0] == "services" {
		return "'services.*." + parts[2] + "'"
	}
	return "'" + keyPath + "'"
}

// dropPattern returns the first --drop pattern that matches keyPath, or
// "": a key path, where * stands for any run of characters
// ("services.*.stop_signal", "services.web.volumes[*]"), and a key covers
// its items and sub-keys ("services.web.volumes" drops volumes[0] too).
func dropPattern(patterns []string, keyPath string) string {
	for _, p := range patterns {
		if p == keyPath || strings.HasPrefix(keyPath, p+"[") || strings.HasPrefix(keyPath, p+".") {
			return p
		}
		// path.Match: [ is a class there, so quote the list brackets.
		q := strings.NewReplacer("[", `\[`, "]", `\]`).Replace(p)
		for _, k := range []string{keyPath, strings.SplitN(keyPath, "[", 2)[0]} {
			if ok, err := path.Match(q, k); err == nil && ok {
				return p
			}
		}
	}
	return ""
}

// refuse records that keyPath of s has no counterpart; a key the user
// allowed to be dropped becomes a note instead.
func (x *exporter) refuse(s *spec.Service, key, format string, args ...any) {
	keyPath := "services." + s.Name
	if key != "" {
		keyPath += "." + key
	}
	x.refuseAt(keyPath, s.Pos(key), format, args...)
}

func (x *exporter) refuseAt(keyPath string, pos spec.Pos, format string, args ...any) {
	reason := fmt.Sprintf(format, args...)
	if p := dropPattern(x.opts.Drop, keyPath); p != "" {
		x.usedDrops[p] = true
		x.note("%s: dropped: %s", keyPath, reason)
		return
	}
	x.refusals = append(x.refusals, Refusal{KeyPath: keyPath, Pos: pos, Reason: reason})
}

func (x *exporter) note(format string, args ...any) {
	x.notes = append(x.notes, fmt.Sprintf(format, args...))
}

func sortRefusals(rs []Refusal) {
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].KeyPath < rs[j].KeyPath })
}
