package spec

import (
	"os"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// hclEnvFile is one env_file entry: a path, or Compose's long form
// { path = "...", required = false, format = "raw" }.
type hclEnvFile struct {
	path     string
	required bool
	format   string
}

// envFiles reads env_file: a path, or a list of paths and objects.
func (d *hclDecoder) envFiles(attr *hcl.Attribute) []hclEnvFile {
	v, ok := d.value(attr)
	if !ok {
		return nil
	}
	if v.Type() == cty.String {
		return []hclEnvFile{{path: v.AsString(), required: true}}
	}
	if !v.Type().IsTupleType() && !v.Type().IsListType() {
		d.errorAt(attr.Expr.Range(), "Invalid value for env_file", "A path, or a list of paths and { path, required, format } objects, is required.")
		return nil
	}
	var out []hclEnvFile
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		_, e := it.Element()
		r := elemRange(attr.Expr, i)
		switch {
		case e.IsNull():
			d.errorAt(r, "Invalid value for env_file", "The list must not contain null.")
		case e.Type() == cty.String:
			out = append(out, hclEnvFile{path: e.AsString(), required: true})
		case e.Type().IsObjectType():
			f, ok := envFileObject(e)
			if !ok {
				d.errorAt(r, "Invalid value for env_file", `An env_file object has path (a string), required (a bool) and format ("raw" or unset).`)
				continue
			}
			out = append(out, f)
		default:
			d.errorAt(r, "Invalid value for env_file", "A path or a { path, required, format } object is required.")
		}
	}
	return out
}

func envFileObject(v cty.Value) (hclEnvFile, bool) {
	f := hclEnvFile{required: true}
	for name := range v.Type().AttributeTypes() {
		a := v.GetAttr(name)
		switch {
		case name == "path" && a.Type() == cty.String && !a.IsNull():
			f.path = a.AsString()
		case name == "required" && a.Type() == cty.Bool && !a.IsNull():
			f.required = a.True()
		case name == "format" && a.Type() == cty.String && !a.IsNull():
			f.format = a.AsString()
		default:
			return f, false
		}
	}
	return f, f.path != "" && (f.format == "" || f.format == "raw")
}

// readEnvFile reads an env file in its format: Compose's .env syntax, or
// raw (as docker run --env-file, compose_envfile.go).
func readEnvFile(lookup func(string) (string, bool), path, format string) (map[string]string, error) {
	if format == "" {
		return dotenv.ReadWithLookup(lookup, path)
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	vals := map[string]string{}
	if err := dotenv.ParseWithFormat(fh, path, vals, lookup, format); err != nil {
		return nil, err
	}
	return vals, nil
}
