package spec

import (
	"io"
	"strings"
	"sync"

	"github.com/sirupsen/logrus"
)

// compose-go reports some problems (an unset variable, the obsolete version
// key) by logging warnings through logrus' standard logger. captureComposeLogs
// takes them for the duration of one load, so they become stack's own
// warnings instead of logrus lines on stderr. Loads are serialized: the
// logger is process-wide.
var composeLogMu sync.Mutex

type composeLogHook struct {
	mu       sync.Mutex
	warnings []string
}

func (h *composeLogHook) Levels() []logrus.Level {
	return []logrus.Level{logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel, logrus.WarnLevel}
}

func (h *composeLogHook) Fire(e *logrus.Entry) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.warnings = append(h.warnings, e.Message)
	return nil
}

// captureComposeLogs redirects the standard logger until release is called,
// which returns what was logged as diagnostics of files[0] (or of the file
// a message names).
func captureComposeLogs(files []string) (release func() []Diagnostic) {
	composeLogMu.Lock()
	logger := logrus.StandardLogger()
	out, hooks := logger.Out, logger.ReplaceHooks(logrus.LevelHooks{})
	hook := &composeLogHook{}
	logger.AddHook(hook)
	logger.SetOutput(io.Discard)
	return func() []Diagnostic {
		logger.ReplaceHooks(hooks)
		logger.SetOutput(out)
		composeLogMu.Unlock()
		var diags []Diagnostic
		for _, msg := range hook.warnings {
			diags = append(diags, composeLogDiagnostic(msg, files))
		}
		return diags
	}
}

// composeLogDiagnostic turns a logged message into a warning at the file it
// names ("<file>: ..."), else at the first stack file.
func composeLogDiagnostic(msg string, files []string) Diagnostic {
	d := Diagnostic{Warning: true, Summary: msg}
	if len(files) > 0 {
		d.Pos.File = files[0]
	}
	for _, f := range files {
		if rest, ok := strings.CutPrefix(msg, f+": "); ok {
			d.Pos.File, d.Summary = f, rest
			break
		}
	}
	return d
}
