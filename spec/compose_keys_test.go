package spec

import (
	"encoding/json"
	"sort"
	"testing"

	"github.com/compose-spec/compose-go/v2/schema"
	"github.com/compose-spec/compose-go/v2/tree"
)

// notYetHonoured are service keys of the compose spec that load with a
// warning until the issue named builds them.
var notYetHonoured = map[string]string{}

// TestEveryServiceKeyIsHonouredOrRefused walks the service keys of the
// compose spec as compose-go's schema has them: each is mapped to the model
// or refused with a reason, none is only warned about.
func TestEveryServiceKeyIsHonouredOrRefused(t *testing.T) {
	var doc struct {
		Defs map[string]struct {
			Properties map[string]any `json:"properties"`
			AllOf      []struct {
				Ref string `json:"$ref"`
			} `json:"allOf"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal([]byte(schema.Schema), &doc); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	svc := doc.Defs["service"]
	for k := range svc.Properties {
		keys[k] = true
	}
	for _, ref := range svc.AllOf {
		name := ref.Ref[len("#/$defs/"):]
		for k := range doc.Defs[name].Properties {
			keys[k] = true
		}
	}
	if len(keys) < 90 {
		t.Fatalf("found %d service keys in the schema, want the spec's 94 or so", len(keys))
	}
	supported := tree.NewMatcher(supportedComposePaths()...)
	fatal := tree.NewMatcher(toPaths(fatalComposeKeys)...)
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	honoured, refused := 0, 0
	for _, k := range names {
		path := tree.Path("services.x." + k)
		switch {
		case supported.Matches(path):
			honoured++
		case fatal.Matches(path):
			refused++
			if _, ok := fatalReason(path); !ok {
				t.Errorf("services.*.%s is refused without a reason", k)
			}
		case notYetHonoured[k] != "":
			t.Logf("services.*.%s: warned about until %s", k, notYetHonoured[k])
		default:
			t.Errorf("services.*.%s is neither honoured nor refused: it would be dropped with a warning", k)
		}
	}
	t.Logf("%d service keys: %d honoured, %d refused, %d pending", len(names), honoured, refused, len(names)-honoured-refused)
}
