package engine

// Session labels: a stack created by stacktest or `stack up --ttl` belongs
// to a session, and the reaper (package reaper) removes every container,
// network and volume of a session once its owner is gone or its time to
// live has passed. They are not part of the config hash, so a reused stack
// keeps its containers whatever session finds it.
const (
	// LabelSessionPrefix starts every session label.
	LabelSessionPrefix = "dev.stack.session"
	// LabelSession is the session's ID.
	LabelSession = "dev.stack.session"
	// LabelSessionReaper names the reaper whose connections own the
	// session: it removes the session 10 s after the last one dropped.
	// Without it only the expiry removes the session.
	LabelSessionReaper = "dev.stack.session.reaper"
	// LabelSessionExpires is when the session may be removed whatever its
	// connections, in Unix seconds.
	LabelSessionExpires = "dev.stack.session.expires"
)
