package mobydocker

import (
	"time"

	"go.uber.org/zap"
)

// trace logs one API call at debug level once it returns, with how long it
// took and how it ended, so `--log-level debug` shows every call:
//
//	defer c.trace("ContainerStart", id)(&err)
func (c *Client) trace(method, object string) func(*error) {
	start := time.Now()
	return func(errp *error) {
		ce := c.log.Check(zap.DebugLevel, "docker api")
		if ce == nil {
			return
		}
		var err error
		if errp != nil {
			err = *errp
		}
		ce.Write(zap.String("method", method), zap.String("object", object),
			zap.Duration("duration", time.Since(start)), zap.Error(err))
	}
}
