package reaper

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// Conn is an owner's connection to a reaper. Keep it open as long as the
// sessions it names live; closing it (or the process ending, however it
// ends) starts their grace period.
type Conn struct {
	conn net.Conn
	r    *bufio.Reader
}

// Connect connects to the reaper at addr.
func Connect(ctx context.Context, addr string) (*Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect to reaper: %w", err)
	}
	return &Conn{conn: conn, r: bufio.NewReader(conn)}, nil
}

// Own tells the reaper this connection owns session.
func (c *Conn) Own(session string) error {
	c.conn.SetDeadline(time.Now().Add(10 * time.Second))
	defer c.conn.SetDeadline(time.Time{})
	if _, err := fmt.Fprintf(c.conn, "session %s\n", session); err != nil {
		return fmt.Errorf("reaper: %w", err)
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		return fmt.Errorf("reaper did not answer: %w", err)
	}
	if strings.TrimSpace(line) != "ok" {
		return fmt.Errorf("reaper: %s", strings.TrimSpace(line))
	}
	return nil
}

// Wait blocks until the reaper drops the connection (it stopped), or it
// is closed.
func (c *Conn) Wait() {
	io.Copy(io.Discard, c.r) //nolint:errcheck // any end is the end
}

// Close drops the connection.
func (c *Conn) Close() error { return c.conn.Close() }
