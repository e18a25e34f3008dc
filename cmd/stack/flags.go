package main

import (
	"errors"
	"strconv"
	"time"

	"github.com/spf13/pflag"
)

// stopTimeoutFlag is -t/--timeout of the commands that stop containers: a
// duration ("10s") or, as in Docker Compose, whole seconds ("10"). Unset
// leaves each service's stop_grace_period; 0 kills at once.
type stopTimeoutFlag struct{ timeout **time.Duration }

var _ pflag.Value = stopTimeoutFlag{}

func (f stopTimeoutFlag) String() string {
	if f.timeout == nil || *f.timeout == nil {
		return ""
	}
	return (*f.timeout).String()
}

func (f stopTimeoutFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if n, nerr := strconv.Atoi(s); nerr == nil {
		d, err = time.Duration(n)*time.Second, nil
	}
	if err != nil {
		return errors.New("want seconds or a duration such as 10s")
	}
	if d < 0 {
		return errors.New("must not be negative")
	}
	*f.timeout = &d
	return nil
}

func (f stopTimeoutFlag) Type() string { return "duration" }

// addStopTimeoutFlag adds -t/--timeout to fs, setting *timeout when given.
func addStopTimeoutFlag(fs *pflag.FlagSet, timeout **time.Duration, what string) {
	fs.VarP(stopTimeoutFlag{timeout}, "timeout", "t", what+" (seconds or a duration; 0 kills at once; default: each service's stop_grace_period)")
}
