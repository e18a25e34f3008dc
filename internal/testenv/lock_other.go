//go:build !unix

package testenv

// lockFile is a no-op where flock is unavailable: parallel test processes
// may then build the test image twice, which is slow but harmless.
func lockFile(string) (func(), error) { return func() {}, nil }
