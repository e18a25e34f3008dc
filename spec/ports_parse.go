package spec

// ParsePorts parses a port in Compose's short syntax
// ("[[ip:]host:]container[/proto]", ranges allowed), as `run --publish`
// takes it.
func ParsePorts(s string) ([]Port, error) { return parsePortSpec(s) }
