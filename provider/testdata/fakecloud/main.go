// Command fakecloud is a provider binary for tests of Compose's provider
// protocol: `fakecloud compose --project-name=P up|down [--k=v...] SERVICE`.
// up records the resource in $FAKECLOUD_STATE/P-SERVICE and sets URL (and,
// raw, SECRET_KEY); down removes it. --fail=MESSAGE answers an error
// message, --crash=CODE exits with CODE after a line on stderr. With
// FAKECLOUD_METADATA=1 it answers `compose metadata`: up takes a required
// "type" and an optional "size", and it declares stop, which records
// $FAKECLOUD_STATE/P-SERVICE.stopped.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

func say(typ, msg string) {
	b, _ := json.Marshal(map[string]string{"type": typ, "message": msg})
	fmt.Println(string(b))
}

func main() {
	args := os.Args[1:]
	if len(args) == 0 || args[0] != "compose" {
		fmt.Fprintln(os.Stderr, "usage: fakecloud compose ...")
		os.Exit(2)
	}
	args = args[1:]
	if len(args) == 1 && args[0] == "metadata" {
		if os.Getenv("FAKECLOUD_METADATA") != "1" {
			os.Exit(1)
		}
		fmt.Println(`{"description":"fake cloud","up":{"parameters":[{"name":"type","required":true,"type":"string"},{"name":"size","type":"integer"}]},"down":{"parameters":[]},"stop":{"parameters":[]}}`)
		return
	}
	var project, command, service string
	var options []string
	for _, a := range args {
		switch {
		case strings.HasPrefix(a, "--project-name="):
			project = strings.TrimPrefix(a, "--project-name=")
		case strings.HasPrefix(a, "--"):
			options = append(options, strings.TrimPrefix(a, "--"))
		case command == "":
			command = a
		default:
			service = a
		}
	}
	state := filepath.Join(os.Getenv("FAKECLOUD_STATE"), project+"-"+service)
	for _, o := range options {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "fail":
			say("error", v)
			os.Exit(1)
		case "crash":
			fmt.Fprintln(os.Stderr, "fakecloud: crashed on purpose")
			code, _ := strconv.Atoi(v)
			os.Exit(code)
		}
	}
	switch command {
	case "up":
		say("info", "preparing "+service)
		say("debug", "options "+strings.Join(options, " "))
		if err := os.WriteFile(state, []byte(strings.Join(options, "\n")), 0o644); err != nil {
			say("error", err.Error())
			os.Exit(1)
		}
		say("setenv", "URL=fake://"+project+"/"+service+"?"+strings.Join(options, "&"))
		say("rawsetenv", "SECRET_KEY=xyz")
		say("info", "ready")
	case "stop":
		if err := os.WriteFile(state+".stopped", nil, 0o644); err != nil {
			say("error", err.Error())
			os.Exit(1)
		}
		say("setenv", "IGNORED=1")
		say("info", "stopped")
	case "down":
		if err := os.Remove(state); err != nil {
			say("error", err.Error())
			os.Exit(1)
		}
		say("info", "removed")
	default:
		fmt.Fprintf(os.Stderr, "fakecloud: unknown command %q\n", command)
		os.Exit(2)
	}
}
