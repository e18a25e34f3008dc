package kube

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"github.com/stack-dev/stack/spec"
)

// dockerfileExposes reads the EXPOSE instructions of the last stage (or of
// the build target) of a service's Dockerfile: the ports its image will
// EXPOSE once built. Ports written with a variable are skipped.
func dockerfileExposes(b *spec.Build, readFile func(string) ([]byte, error)) []string {
	if b == nil || b.Context == "" || strings.Contains(b.Context, "://") {
		return nil
	}
	name := b.Dockerfile
	if name == "" {
		name = "Dockerfile"
	}
	if !filepath.IsAbs(name) {
		name = filepath.Join(b.Context, name)
	}
	if readFile == nil {
		readFile = os.ReadFile
	}
	data, err := readFile(name)
	if err != nil {
		return nil
	}
	var ports, stage []string
	inTarget := false
	for _, line := range instructions(data) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		switch strings.ToUpper(fields[0]) {
		case "FROM":
			if inTarget {
				return ports
			}
			stage = nil
			// FROM image AS name
			if b.Target != "" && len(fields) >= 4 && strings.EqualFold(fields[2], "as") && fields[3] == b.Target {
				inTarget = true
			}
		case "EXPOSE":
			for _, p := range fields[1:] {
				if !strings.Contains(p, "$") {
					stage = append(stage, p)
				}
			}
		}
		ports = stage
	}
	return ports
}

// instructions splits a Dockerfile into instructions: comments dropped,
// backslash continuations joined.
func instructions(data []byte) []string {
	var out []string
	var cur strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\"))
			cur.WriteString(" ")
			continue
		}
		cur.WriteString(line)
		out = append(out, cur.String())
		cur.Reset()
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}
