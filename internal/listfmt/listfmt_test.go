package listfmt

import (
	"bytes"
	"strings"
	"testing"
)

type row struct {
	Name   string
	State  string
	Labels []string
}

func TestWrite(t *testing.T) {
	rows := []row{{"web-1", "running", []string{"a", "b"}}, {"db-1", "exited", nil}}
	tests := []struct {
		format string
		want   string
	}{
		{"json", `{"Name":"web-1","State":"running","Labels":["a","b"]}` + "\n" + `{"Name":"db-1","State":"exited","Labels":null}` + "\n"},
		{"{{.Name}}", "web-1\ndb-1\n"},
		{"{{.Name}} {{upper .State}}", "web-1 RUNNING\ndb-1 EXITED\n"},
		{`{{.Name}}\t{{join .Labels ","}}`, "web-1\ta,b\ndb-1\t\n"},
		{"{{json .Name}}", "\"web-1\"\n\"db-1\"\n"},
		{"{{truncate .Name 3}}", "web\ndb-\n"},
		{`table {{.Name}}\t{{.State}}`, "NAME      STATE\nweb-1     running\ndb-1      exited\n"},
		{`table {{.Name}}\t{{upper .State}}\t{{json .Labels}}`, "NAME      STATE     LABELS\nweb-1     RUNNING   [\"a\",\"b\"]\ndb-1      EXITED    null\n"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			f, err := Parse(tt.format)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := Write(&buf, f, map[string]string{}, rows); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestHeaders(t *testing.T) {
	f, err := Parse(`table {{.Name}}\t{{.State}}`)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Write(&buf, f, map[string]string{"Name": "CONTAINER"}, []row{{Name: "x"}}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), "CONTAINER   STATE") {
		t.Errorf("header: %q", buf.String())
	}
}

func TestParse(t *testing.T) {
	for _, ok := range []string{"", "table", "json", "{{.Name}}", "table {{.Name}}", "plain text"} {
		if _, err := Parse(ok); err != nil {
			t.Errorf("Parse(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"{{.Name", "{{nosuchfunc .Name}}"} {
		if _, err := Parse(bad); err == nil || !strings.HasPrefix(err.Error(), "--format: ") {
			t.Errorf("Parse(%q): %v, want a --format error", bad, err)
		}
	}
	f, _ := Parse("table")
	if !f.IsTable() {
		t.Error("table is not the default table")
	}
	var buf bytes.Buffer
	if err := Write(&buf, f, nil, []row{}); err == nil {
		t.Error("Write of the bare table format: no error")
	}
	// A field a row lacks is an error at Write, naming the flag.
	f, _ = Parse("{{.Nope}}")
	if err := Write(&buf, f, nil, []row{{}}); err == nil || !strings.Contains(err.Error(), "--format") {
		t.Errorf("unknown field: %v", err)
	}
}

func TestWriteMissingField(t *testing.T) {
	f, err := Parse("{{.Nmae}}")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	err = Write(&buf, f, nil, []row{{Name: "web-1"}})
	want := `--format: no field "Nmae"; the fields are Labels, Name, State`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}
