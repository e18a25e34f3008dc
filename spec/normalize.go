package spec

// normalize fills the defaults that the loaders would otherwise fill
// differently, in the form compose-go gives them, so one stack written in
// HCL or in compose loads to the same model. The engine reads both forms
// the same way; this is so `config` and plans compare equal.
func normalize(p *Project) {
	for _, services := range []map[string]*Service{p.Services, p.Disabled} {
		for _, s := range services {
			normalizeService(s)
		}
	}
}

func normalizeService(s *Service) {
	if s.Build != nil && s.Build.Dockerfile == "" && s.Build.DockerfileInline == "" {
		s.Build.Dockerfile = "Dockerfile"
	}
	if s.PullPolicy == "if_not_present" { // Compose's older spelling
		s.PullPolicy = "missing"
	}
	for i, ref := range s.Secrets {
		if ref.Target == "" {
			s.Secrets[i].Target = defaultFileRefTarget("secret", ref.Source)
		}
	}
	// Config targets stay empty, as compose-go leaves them: a config
	// lands at /<source>.
}

// defaultFileRefTarget is where a secret or config lands when no target is
// given.
func defaultFileRefTarget(kind, source string) string {
	if kind == "secret" {
		return "/run/secrets/" + source
	}
	return "/" + source
}
