package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// health is the healthcheck probe: exit 0 iff the URL answers 200.
func health(args []string) int {
	fs := flag.NewFlagSet("health", flag.ContinueOnError)
	url := fs.String("url", "http://127.0.0.1:8080/healthz", "URL to probe")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	client := http.Client{Timeout: 2 * time.Second}
	resp, err := client.Get(*url)
	if err != nil {
		return fail("health: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail("health: %s answered %s", *url, resp.Status)
	}
	fmt.Println("healthy")
	return 0
}

// get prints the body of GET URL and fails unless it answers 2xx.
func get(args []string) int {
	if len(args) != 1 {
		return fail("usage: get URL")
	}
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(args[0])
	if err != nil {
		return fail("get: %v", err)
	}
	defer resp.Body.Close()
	if _, err := io.Copy(os.Stdout, resp.Body); err != nil {
		return fail("get: read body: %v", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fail("get: %s answered %s", args[0], resp.Status)
	}
	return 0
}

// lookup resolves NAME with Go's own resolver (there is no libc in the
// image) through the container's resolv.conf, i.e. Docker's embedded DNS.
func lookup(args []string) int {
	if len(args) != 1 {
		return fail("usage: lookup NAME")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, args[0])
	if err != nil {
		return fail("lookup %s: %v", args[0], err)
	}
	for _, a := range addrs {
		fmt.Println(a)
	}
	return 0
}
