package spec

import (
	"fmt"
	"math"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// hclDecoder evaluates attributes in one evaluation context, collects every
// problem as a diagnostic instead of stopping at the first, and records where
// each value was written.
type hclDecoder struct {
	ctx   *hcl.EvalContext
	names *hclNamespace
	diags *hcl.Diagnostics
	// pos receives positions under prefix ("build." inside a build block).
	pos    map[string]Pos
	prefix string
}

func (d *hclDecoder) within(prefix string) *hclDecoder {
	c := *d
	c.prefix = d.prefix + prefix
	return &c
}

// mark records where key was written; key "" is the block of the prefix
// itself ("build" for prefix "build.").
func (d *hclDecoder) mark(key string, r hcl.Range) {
	if d.pos == nil {
		return
	}
	if key == "" {
		d.pos[strings.TrimSuffix(d.prefix, ".")] = posOf(r)
		return
	}
	d.pos[d.prefix+key] = posOf(r)
}

func posOf(r hcl.Range) Pos {
	return Pos{File: r.Filename, Line: r.Start.Line, Column: r.Start.Column}
}

func (d *hclDecoder) errorAt(r hcl.Range, summary, detail string) {
	*d.diags = append(*d.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: r.Ptr()})
}

// value evaluates an attribute after checking its references; ok is false
// when it has errors or is null (an unset value).
func (d *hclDecoder) value(attr *hcl.Attribute) (cty.Value, bool) {
	v, ok := d.markedValue(attr)
	if !ok {
		return cty.NilVal, false
	}
	v, _ = v.UnmarkDeep()
	return v, true
}

// markedValue is value with the marks that say which references the
// value was made from (see hclRef).
func (d *hclDecoder) markedValue(attr *hcl.Attribute) (cty.Value, bool) {
	if attr == nil {
		return cty.NilVal, false
	}
	d.mark(attr.Name, attr.NameRange)
	return d.evalMarked(attr.Expr)
}

func (d *hclDecoder) eval(expr hcl.Expression) (cty.Value, bool) {
	v, ok := d.evalMarked(expr)
	if !ok {
		return cty.NilVal, false
	}
	v, _ = v.UnmarkDeep()
	return v, true
}

// evalMarked evaluates expr, keeping the marks of the references in it.
func (d *hclDecoder) evalMarked(expr hcl.Expression) (cty.Value, bool) {
	if d.names != nil {
		if diags := d.names.check(expr); diags.HasErrors() {
			*d.diags = append(*d.diags, diags...)
			return cty.NilVal, false
		}
	}
	v, diags := expr.Value(d.ctx)
	*d.diags = append(*d.diags, diags...)
	if diags.HasErrors() || v.IsNull() {
		return cty.NilVal, false
	}
	if !v.IsWhollyKnown() {
		d.errorAt(expr.Range(), "Value not known yet", "This value depends on something that is only known later (for example the name of a network declared in an included file whose inputs depend on this value).")
		return cty.NilVal, false
	}
	return v, true
}

func (d *hclDecoder) convert(attr *hcl.Attribute, v cty.Value, ty cty.Type, what string) (cty.Value, bool) {
	out, err := convert.Convert(v, ty)
	if err != nil {
		d.errorAt(attr.Expr.Range(), "Invalid value for "+attr.Name, fmt.Sprintf("%s is required: %s.", what, err))
		return cty.NilVal, false
	}
	return out, true
}

func (d *hclDecoder) str(attr *hcl.Attribute) (string, bool) {
	v, ok := d.value(attr)
	if !ok {
		return "", false
	}
	v, ok = d.convert(attr, v, cty.String, "a string")
	if !ok {
		return "", false
	}
	return v.AsString(), true
}

func (d *hclDecoder) setStr(attr *hcl.Attribute, dst *string) {
	if s, ok := d.str(attr); ok {
		*dst = s
	}
}

func (d *hclDecoder) boolean(attr *hcl.Attribute) (bool, bool) {
	v, ok := d.value(attr)
	if !ok {
		return false, false
	}
	v, ok = d.convert(attr, v, cty.Bool, "a bool")
	if !ok {
		return false, false
	}
	return v.True(), true
}

func (d *hclDecoder) setBool(attr *hcl.Attribute, dst *bool) {
	if b, ok := d.boolean(attr); ok {
		*dst = b
	}
}

func (d *hclDecoder) integer(attr *hcl.Attribute) (int, bool) {
	v, ok := d.value(attr)
	if !ok {
		return 0, false
	}
	v, ok = d.convert(attr, v, cty.Number, "a whole number")
	if !ok {
		return 0, false
	}
	n, acc := v.AsBigFloat().Int64()
	if acc != big.Exact || n != int64(int(n)) {
		d.errorAt(attr.Expr.Range(), "Invalid value for "+attr.Name, "A whole number is required.")
		return 0, false
	}
	return int(n), true
}

func (d *hclDecoder) float(attr *hcl.Attribute) (float64, bool) {
	v, ok := d.value(attr)
	if !ok {
		return 0, false
	}
	v, ok = d.convert(attr, v, cty.Number, "a number")
	if !ok {
		return 0, false
	}
	f, _ := v.AsBigFloat().Float64()
	return f, true
}

// strList reads a list of strings; numbers and bools convert.
func (d *hclDecoder) strList(attr *hcl.Attribute) ([]string, bool) {
	v, ok := d.value(attr)
	if !ok {
		return nil, false
	}
	return d.toStrList(attr, v)
}

func (d *hclDecoder) toStrList(attr *hcl.Attribute, v cty.Value) ([]string, bool) {
	v, ok := d.convert(attr, v, cty.List(cty.String), "a list of strings")
	if !ok {
		return nil, false
	}
	out := []string{}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if e.IsNull() {
			d.errorAt(attr.Expr.Range(), "Invalid value for "+attr.Name, "The list must not contain null.")
			return nil, false
		}
		out = append(out, e.AsString())
	}
	return out, true
}

func (d *hclDecoder) setStrList(attr *hcl.Attribute, dst *[]string) {
	if l, ok := d.strList(attr); ok && len(l) > 0 {
		*dst = l
	}
}

// strMap reads a map of strings, recording where each key was written.
// Null values are left out, as unset variables are in Compose.
func (d *hclDecoder) strMap(attr *hcl.Attribute) (map[string]string, bool) {
	v, ok := d.value(attr)
	if !ok {
		return nil, false
	}
	if !v.Type().IsObjectType() && !v.Type().IsMapType() {
		d.errorAt(attr.Expr.Range(), "Invalid value for "+attr.Name, "A map of strings is required.")
		return nil, false
	}
	out := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, e := it.Element()
		if e.IsNull() {
			continue
		}
		s, err := convert.Convert(e, cty.String)
		if err != nil {
			d.errorAt(attr.Expr.Range(), "Invalid value for "+attr.Name, fmt.Sprintf("The value of %q must be a string: %s.", k.AsString(), err))
			return nil, false
		}
		out[k.AsString()] = s.AsString()
	}
	for key, r := range objectKeyRanges(attr.Expr) {
		d.mark(attr.Name+"."+key, r)
	}
	return out, true
}

func (d *hclDecoder) setStrMap(attr *hcl.Attribute, dst *map[string]string) {
	if m, ok := d.strMap(attr); ok {
		*dst = emptyToNil(m)
	}
}

func (d *hclDecoder) duration(attr *hcl.Attribute) (time.Duration, bool) {
	s, ok := d.str(attr)
	if !ok {
		return 0, false
	}
	dur, err := parseDuration(s)
	if err != nil {
		d.errorAt(attr.Expr.Range(), "Invalid duration for "+attr.Name, err.Error())
		return 0, false
	}
	return dur, true
}

func (d *hclDecoder) setDuration(attr *hcl.Attribute, dst *time.Duration) {
	if dur, ok := d.duration(attr); ok {
		*dst = dur
	}
}

// size reads a byte size: a number of bytes or a string such as "512m".
func (d *hclDecoder) size(attr *hcl.Attribute) (int64, bool) {
	v, ok := d.value(attr)
	if !ok {
		return 0, false
	}
	if v.Type() == cty.Number {
		n, acc := v.AsBigFloat().Int64()
		if acc != big.Exact || n < 0 {
			d.errorAt(attr.Expr.Range(), "Invalid size for "+attr.Name, "A size is a whole number of bytes or a string such as \"512m\".")
			return 0, false
		}
		return n, true
	}
	v, ok = d.convert(attr, v, cty.String, "a size such as \"512m\"")
	if !ok {
		return 0, false
	}
	n, err := parseSize(v.AsString())
	if err != nil {
		d.errorAt(attr.Expr.Range(), "Invalid size for "+attr.Name, err.Error())
		return 0, false
	}
	return n, true
}

// secondsPattern is a bare number of seconds ("30", "1.5"); Go's number
// parsers would also take NaN, Inf, hex and exponents.
var secondsPattern = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// goDurationPattern is the syntax of a Go duration, to tell one too long
// for time.Duration from one that is not a duration at all.
var goDurationPattern = regexp.MustCompile(`^([0-9]*(\.[0-9]*)?(ns|us|µs|ms|s|m|h))+$`)

// parseDuration accepts Go durations ("1m30s"); a bare number is seconds,
// fractions included ("1.5").
func parseDuration(s string) (time.Duration, error) {
	if secondsPattern.MatchString(s) {
		return parseSeconds(s)
	}
	dur, err := time.ParseDuration(s)
	switch {
	case err != nil && goDurationPattern.MatchString(s):
		return 0, fmt.Errorf("duration %q is too long", s)
	case err != nil:
		return 0, fmt.Errorf("%q is not a duration such as \"10s\" or \"1m30s\"", s)
	case dur < 0:
		return 0, fmt.Errorf("duration %q is negative", s)
	}
	return dur, nil
}

// parseSeconds reads a bare number of seconds matching secondsPattern.
func parseSeconds(s string) (time.Duration, error) {
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("duration %q is negative", s)
	}
	secs, _ := strconv.ParseFloat(s, 64) // digits only: at worst +Inf
	ns := math.Round(secs * float64(time.Second))
	if ns >= 1<<63 {
		return 0, fmt.Errorf("duration %q is too long", s)
	}
	return time.Duration(ns), nil
}

// sizePattern is a size as Docker writes it: a decimal number and an
// optional unit, k, m, g or t (powers of 1024) with optional i and b
// ("64MB", "2GiB"), or b alone.
var sizePattern = regexp.MustCompile(`^(-?)([0-9]+(?:\.[0-9]+)?)(?:([kmgt])i?)?b?$`)

var sizeUnits = map[string]float64{"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}

// parseSize reads "1024", "512m", "1g", "1.5g", "64MB", "2GiB".
func parseSize(s string) (int64, error) {
	m := sizePattern.FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return 0, fmt.Errorf("%q is not a size such as \"512m\", \"1g\" or a number of bytes", s)
	}
	if m[1] == "-" {
		return 0, fmt.Errorf("size %q is negative", s)
	}
	n, _ := strconv.ParseFloat(m[2], 64) // digits only: at worst +Inf
	bytes := n * sizeUnits[m[3]]
	if bytes >= 1<<63 {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return int64(bytes), nil
}

// convertString turns a primitive value into its string form.
func convertString(v cty.Value) (string, error) {
	s, err := convert.Convert(v, cty.String)
	if err != nil {
		return "", err
	}
	if s.IsNull() {
		return "", nil
	}
	return s.AsString(), nil
}

// elemRanges returns where each element of a literal list was written, or
// nil when the list is computed.
func elemRanges(expr hcl.Expression) []hcl.Range {
	tuple, ok := expr.(*hclsyntax.TupleConsExpr)
	if !ok {
		return nil
	}
	out := make([]hcl.Range, len(tuple.Exprs))
	for i, e := range tuple.Exprs {
		out[i] = e.Range()
	}
	return out
}

// elemRange is where element i of a list attribute was written, or the
// whole expression when that is unknown.
func elemRange(expr hcl.Expression, i int) hcl.Range {
	if rs := elemRanges(expr); i < len(rs) {
		return rs[i]
	}
	return expr.Range()
}

// objectKeyRanges maps the literal keys of an object expression to where
// they were written.
func objectKeyRanges(expr hcl.Expression) map[string]hcl.Range {
	obj, ok := expr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		return nil
	}
	out := map[string]hcl.Range{}
	for _, item := range obj.Items {
		if key := hcl.ExprAsKeyword(item.KeyExpr); key != "" {
			out[key] = item.KeyExpr.Range()
			continue
		}
		if k, diags := item.KeyExpr.Value(nil); !diags.HasErrors() && k.Type() == cty.String && k.IsKnown() && !k.IsNull() {
			out[k.AsString()] = item.KeyExpr.Range()
		}
	}
	return out
}

// sortedAttrs returns attributes in source order, so diagnostics come out in
// the order a person reads the file.
func sortedAttrs(attrs hcl.Attributes) []*hcl.Attribute {
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].NameRange.Start.Byte < out[j].NameRange.Start.Byte
	})
	return out
}
