package main

import (
	"os"
)

// write writes TEXT to PATH, for volume tests.
func write(args []string) int {
	if len(args) != 2 {
		return fail("usage: write PATH TEXT")
	}
	if err := os.WriteFile(args[0], []byte(args[1]), 0o644); err != nil {
		return fail("write: %v", err)
	}
	return 0
}

// cat prints PATH, for volume tests.
func cat(args []string) int {
	if len(args) != 1 {
		return fail("usage: cat PATH")
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		return fail("cat: %v", err)
	}
	if _, err := os.Stdout.Write(b); err != nil {
		return fail("cat: %v", err)
	}
	return 0
}
