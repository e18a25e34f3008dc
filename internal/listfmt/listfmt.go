// Package listfmt renders what stack's listing verbs (ps, images, volumes,
// top, stats) print, as the Docker CLI does: a table, JSON (one object a
// line, as `docker compose ps --format json` prints), or a Go template with
// Docker's template functions (json, join, upper, lower, truncate, pad,
// split, title). A template that starts with "table" gets a header row and
// aligned columns. See [Format] and [Write].
package listfmt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"text/tabwriter"
	"text/template"

	"github.com/docker/cli/templates"
)

// The two named formats; anything else is a template.
const (
	Table = "table"
	JSON  = "json"
)

// Help is the usage text of a --format flag.
const Help = `output format: table, json, or a Go template such as '{{.Name}}' ('table {{.Name}}\t{{.State}}' adds a header)`

// Format is a parsed --format value.
type Format struct {
	kind  string // Table, JSON, or "" for a template
	table bool   // a template with a header row
	tmpl  *template.Template
	src   string
}

// Parse parses a --format value: "" and "table" are the table, "json" is
// JSON, anything else a Go template.
func Parse(format string) (Format, error) {
	switch format {
	case "", Table:
		return Format{kind: Table}, nil
	case JSON:
		return Format{kind: JSON}, nil
	}
	src, table := strings.CutPrefix(format, Table)
	if table && src != "" && src[0] != ' ' && src[0] != '\t' {
		src, table = format, false // "tablefoo" is a template, not a table
	}
	src = strings.Trim(src, " ")
	src = strings.NewReplacer(`\t`, "\t", `\n`, "\n").Replace(src)
	tmpl, err := templates.Parse(src)
	if err != nil {
		return Format{}, fmt.Errorf("--format: %w", err)
	}
	return Format{table: table, tmpl: tmpl, src: src}, nil
}

// IsTable reports whether f is the default table, which each verb draws
// itself (or with [Format.WithDefault]).
func (f Format) IsTable() bool { return f.kind == Table }

// IsJSON reports whether f is "json".
func (f Format) IsJSON() bool { return f.kind == JSON }

// WithDefault returns f, or for the default table the given table
// template ("table {{.Name}}\t..."), parsed.
func (f Format) WithDefault(table string) (Format, error) {
	if !f.IsTable() {
		return f, nil
	}
	return Parse(table)
}

// Write prints rows in f: JSON prints each row as one line of JSON; a
// template runs once a row, a line each; a table template first runs on
// headers (field name -> column title; a missing one is the field name in
// capitals) and aligns the columns. The default table must be turned into
// a template with WithDefault first.
func Write[T any](w io.Writer, f Format, headers map[string]string, rows []T) error {
	if f.IsTable() {
		return fmt.Errorf("listfmt: the default table needs WithDefault")
	}
	if f.IsJSON() {
		for _, r := range rows {
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			if _, err := fmt.Fprintf(w, "%s\n", b); err != nil {
				return err
			}
		}
		return nil
	}
	var buf bytes.Buffer
	if f.table {
		if err := header(&buf, f, titles[T](headers)); err != nil {
			return err
		}
	}
	for _, r := range rows {
		if err := f.tmpl.Execute(&buf, r); err != nil {
			return templateError[T](err)
		}
		buf.WriteByte('\n')
	}
	if !f.table {
		_, err := buf.WriteTo(w)
		return err
	}
	tw := tabwriter.NewWriter(w, 10, 1, 3, ' ', 0)
	if _, err := buf.WriteTo(tw); err != nil {
		return err
	}
	return tw.Flush()
}

// missingField is how text/template reports a field the row type lacks:
// `... at <.Foo>: can't evaluate field Foo in type main.psRow`.
var missingField = regexp.MustCompile(`can't evaluate field (\w+) in type \S+`)

// templateError turns a template's execution error into one line for the
// user: a missing field is named with the fields there are, instead of the
// Go type behind the rows.
func templateError[T any](err error) error {
	m := missingField.FindStringSubmatch(err.Error())
	if m == nil {
		return fmt.Errorf("--format: %w", err)
	}
	var fields []string
	for name := range titles[T](nil) {
		fields = append(fields, name)
	}
	sort.Strings(fields)
	return fmt.Errorf("--format: no field %q; the fields are %s", m[1], strings.Join(fields, ", "))
}

// header runs f's template with Docker's header functions on a map of
// column titles, so `{{.Name}}` prints NAME and `{{json .Labels}}` LABELS.
func header(buf *bytes.Buffer, f Format, titles map[string]string) error {
	tmpl, err := templates.New("header").Funcs(templates.HeaderFunctions).Parse(f.src)
	if err != nil {
		return fmt.Errorf("--format: %w", err)
	}
	var line bytes.Buffer
	if err := tmpl.Execute(&line, titles); err != nil {
		// A template that indexes or ranges over a field has no header
		// row to show; the rows still print.
		return nil
	}
	buf.Write(line.Bytes())
	buf.WriteByte('\n')
	return nil
}

// titles maps every field of the struct T to its column title: headers'
// entry, or the field name in capitals.
func titles[T any](headers map[string]string) map[string]string {
	out := map[string]string{}
	t := reflect.TypeFor[T]()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return out
	}
	for i := range t.NumField() {
		name := t.Field(i).Name
		out[name] = strings.ToUpper(name)
	}
	for name, title := range headers {
		out[name] = title
	}
	return out
}
