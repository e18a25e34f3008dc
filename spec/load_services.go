package spec

// LoadServices is Load for a command that names services: a named service
// has its profiles enabled, as in Docker Compose (`stack up debug-tools`
// starts it without --profile). The CLI and stacktest load stacks with it.
func LoadServices(opts LoadOptions, services ...string) (*Project, error) {
	p, err := Load(opts)
	if err != nil {
		return nil, err
	}
	var profiles []string
	for _, name := range services {
		if s := p.Disabled[name]; s != nil {
			profiles = append(profiles, s.Profiles...)
		}
	}
	if len(profiles) == 0 {
		return p, nil
	}
	opts.Profiles = append(append([]string(nil), opts.Profiles...), profiles...)
	return Load(opts)
}
