package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/spf13/pflag"
)

// stopTimeoutFlag is -t/--timeout of the commands that stop containers: a
// duration ("10s") or, as in Docker Compose, seconds ("10", "1.5"). The
// engine counts whole seconds, rounding up. Unset leaves each service's
// stop_grace_period; 0 kills at once.
type stopTimeoutFlag struct{ timeout **time.Duration }

var _ pflag.Value = stopTimeoutFlag{}

func (f stopTimeoutFlag) String() string {
	if f.timeout == nil || *f.timeout == nil {
		return ""
	}
	return (*f.timeout).String()
}

// maxStopTimeout is far beyond any grace period, and far from overflow.
const maxStopTimeout = 24 * time.Hour

func (f stopTimeoutFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if secs, ferr := strconv.ParseFloat(s, 64); ferr == nil {
		if math.IsNaN(secs) || secs < 0 || secs > maxStopTimeout.Seconds() {
			return fmt.Errorf("want 0 to %d seconds", int(maxStopTimeout.Seconds()))
		}
		d, err = time.Duration(secs*float64(time.Second)), nil
	}
	switch {
	case err != nil:
		return errors.New("want seconds or a duration such as 10s")
	case d < 0:
		return errors.New("must not be negative")
	case d > maxStopTimeout:
		return fmt.Errorf("more than %s", maxStopTimeout)
	}
	*f.timeout = &d
	return nil
}

func (f stopTimeoutFlag) Type() string { return "duration" }

// addStopTimeoutFlag adds -t/--timeout to fs, setting *timeout when given.
func addStopTimeoutFlag(fs *pflag.FlagSet, timeout **time.Duration, what string) {
	fs.VarP(stopTimeoutFlag{timeout}, "timeout", "t", what+" (seconds or a duration, counted in whole seconds; 0 kills at once; default: each service's stop_grace_period)")
}

// durationFlag is a duration flag that also takes bare seconds ("3",
// "1.5"), as Docker Compose's --wait-timeout does.
type durationFlag struct{ d *time.Duration }

var _ pflag.Value = durationFlag{}

func (f durationFlag) String() string {
	if f.d == nil || *f.d == 0 {
		return ""
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	var p *time.Duration
	if err := (stopTimeoutFlag{&p}).Set(s); err != nil {
		return err
	}
	*f.d = *p
	return nil
}

func (f durationFlag) Type() string { return "duration" }
