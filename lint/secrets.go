package lint

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/stack-dev/stack/spec"
)

// secretName matches environment keys that name a secret.
var secretName = regexp.MustCompile(`(?i)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIAL|AUTH_?KEY)`)

// secretReference matches keys that say where a secret is or how it is used,
// not the secret itself (POSTGRES_PASSWORD_FILE, TOKEN_URL, SECRET_LENGTH).
var secretReference = regexp.MustCompile(`(?i)_(FILE|PATH|DIR|URL|URI|ENDPOINT|HOST|PORT|USER|USERNAME|ID|LENGTH|TTL|EXPIRY|TIMEOUT|ENABLED|REQUIRED)$`)

// secretValues are values that are secrets whatever their key.
var secretValues = []struct {
	what string
	re   *regexp.Regexp
}{
	{"an AWS access key", regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`)},
	{"a JWT", regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}`)},
	{"a PEM private key", regexp.MustCompile(`-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----`)},
	{"a GitHub token", regexp.MustCompile(`\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})`)},
	{"a Slack token", regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}`)},
	{"a URL with a password", regexp.MustCompile(`(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`)},
}

// harmlessValues are flags, not secrets, even under a secret-looking key.
var harmlessValues = map[string]bool{"true": true, "false": true, "yes": true, "no": true, "0": true, "1": true}

// secretKind names the secret value under key looks like, or "".
func secretKind(key, value string) string {
	if value == "" {
		return ""
	}
	for _, sv := range secretValues {
		if sv.re.MatchString(value) {
			return sv.what
		}
	}
	if secretName.MatchString(key) && !secretReference.MatchString(key) && !harmlessValues[strings.ToLower(value)] {
		return "a secret"
	}
	return ""
}

func checkSecrets(c *checker, s *spec.Service) []Finding {
	keys := make([]string, 0, len(s.Environment))
	for k := range s.Environment {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	listed := c.envListPositions(s)
	var out []Finding
	for _, key := range keys {
		kind := secretKind(key, s.Environment[key])
		if kind == "" {
			continue
		}
		path := "environment." + key
		pos, written := s.Positions[path]
		listItem := false
		if !written {
			pos, written = listed[key]
			listItem = written
		}
		switch {
		case written && pos.File != "":
			if !c.source.literal(pos, listItem) {
				continue // interpolated: the value is not in the file
			}
		case s.Pos("").File != "":
			// Loaded from a file but not written under environment: it
			// came from an env_file or a computed expression, where
			// secrets belong.
			continue
		}
		f := c.finding(s, RuleSecretInEnv, path,
			fmt.Sprintf("environment %s holds %s in plain text", key, kind),
			secretFix(pos.File, key), path, "environment")
		if listItem {
			f.Pos = pos
		}
		out = append(out, f)
	}
	return out
}

// envListPositions maps the keys of a compose environment list
// ("- KEY=value") to where their items were written.
func (c *checker) envListPositions(s *spec.Service) map[string]spec.Pos {
	out := map[string]spec.Pos{}
	for path, pos := range s.Positions {
		if !strings.HasPrefix(path, "environment[") || strings.Contains(path, "].") {
			continue
		}
		text, ok := c.source.textAt(pos)
		if !ok {
			continue
		}
		key, _, _ := cutEnvItem(text)
		out[key] = pos
	}
	return out
}

func secretFix(file, key string) string {
	switch {
	case file == "":
		return "keep the value out of the stack: read it from the environment or mount it as a secret"
	case isHCLFile(file):
		return fmt.Sprintf(`read it at run time with env("%s") or a variable, or mount it as a secret`, key)
	default:
		return fmt.Sprintf("read it at run time with ${%s} from the shell or an untracked .env, or mount it as a secret", key)
	}
}
