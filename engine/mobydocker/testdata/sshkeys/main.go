// Command sshkeys lists the keys of the SSH agent at $SSH_AUTH_SOCK, one
// comment a line: the build tests run it in RUN --mount=type=ssh to see
// the agent stack forwarded.
package main

import (
	"fmt"
	"net"
	"os"

	"golang.org/x/crypto/ssh/agent"
)

func main() {
	conn, err := net.Dial("unix", os.Getenv("SSH_AUTH_SOCK"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	keys, err := agent.NewClient(conn).List()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, k := range keys {
		fmt.Println(k.Comment)
	}
}
