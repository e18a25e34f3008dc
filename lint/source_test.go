package lint

import "testing"

func TestLiteralValue(t *testing.T) {
	tests := []struct {
		name     string
		text     string // from the key (or list item) to the end of the line
		hcl      bool
		listItem bool
		want     bool
	}{
		{name: "hcl string", text: `TOKEN = "abc"`, hcl: true, want: true},
		{name: "hcl quoted key, colon", text: `"TOKEN": "abc",`, hcl: true, want: true},
		{name: "hcl template", text: `TOKEN = "${var.token}"`, hcl: true, want: false},
		{name: "hcl template in part", text: `TOKEN = "x-${var.token}"`, hcl: true, want: false},
		{name: "hcl escaped template", text: `TOKEN = "$${literal}"`, hcl: true, want: true},
		{name: "hcl escaped quote", text: `TOKEN = "a\"${b}"`, hcl: true, want: false},
		{name: "hcl variable", text: `TOKEN = var.token`, hcl: true, want: false},
		{name: "hcl function", text: `TOKEN = env("TOKEN")`, hcl: true, want: false},
		{name: "hcl heredoc", text: `KEY = <<EOT`, hcl: true, want: true},

		{name: "yaml plain", text: `TOKEN: abc`, want: true},
		{name: "yaml quoted", text: `TOKEN: "abc" # note`, want: true},
		{name: "yaml single quoted key", text: `'TOKEN': 'a$$b'`, want: true},
		{name: "yaml braces", text: `TOKEN: ${TOKEN}`, want: false},
		{name: "yaml bare variable", text: `TOKEN: $TOKEN`, want: false},
		{name: "yaml escaped dollar", text: `TOKEN: "$${TOKEN}"`, want: true},
		{name: "yaml trailing dollar", text: `TOKEN: abc$`, want: true},
		{name: "yaml empty", text: `TOKEN:`, want: false},
		{name: "yaml null", text: `TOKEN: ~`, want: false},
		{name: "yaml block scalar", text: `KEY: |`, want: true},

		{name: "list literal", text: `TOKEN=abc`, listItem: true, want: true},
		{name: "list quoted", text: `"TOKEN=abc"`, listItem: true, want: true},
		{name: "list interpolated", text: `TOKEN=${TOKEN}`, listItem: true, want: false},
		{name: "list from environment", text: `TOKEN`, listItem: true, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got bool
			switch {
			case tt.hcl:
				got = hclLiteral(tt.text)
			case tt.listItem:
				_, value, ok := cutEnvItem(tt.text)
				got = ok && !interpolated(value)
			default:
				got = yamlMapLiteral(tt.text)
			}
			if got != tt.want {
				t.Fatalf("literal(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}
