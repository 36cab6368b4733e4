package server

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"testing"
)

// recordingConn records the writes that reach the network.
type recordingConn struct {
	net.Conn
	writes []string
	fail   bool
	closed bool
}

func (r *recordingConn) Write(p []byte) (int, error) {
	if r.fail {
		return 0, errors.New("broken pipe")
	}
	r.writes = append(r.writes, string(p))
	return len(p), nil
}

func (r *recordingConn) Close() error { r.closed = true; return nil }

func TestCorkConn(t *testing.T) {
	rec := &recordingConn{}
	c := &corkConn{Conn: rec}
	c.Write([]byte("a"))
	c.hold()
	c.Write([]byte("b"))
	c.Write([]byte("c"))
	if len(rec.writes) != 1 {
		t.Fatalf("writes while held reached the network: %q", rec.writes)
	}
	c.release()
	c.release() // nothing left: no empty write
	c.hold()
	c.Write([]byte("d"))
	c.held = false // a write made unheld takes the held bytes along, in order
	c.Write([]byte("e"))
	if got := strings.Join(rec.writes, "|"); got != "a|bc|de" {
		t.Errorf("writes %q, want a|bc|de", got)
	}

	rec.writes = nil
	c.hold()
	big := bytes.Repeat([]byte("x"), maxHeld)
	c.Write([]byte("y"))
	c.Write(big)
	if len(rec.writes) != 1 || len(rec.writes[0]) != maxHeld+1 {
		t.Errorf("over maxHeld held: %d writes", len(rec.writes))
	}
	c.release()

	rec.fail = true
	c.hold()
	c.Write([]byte("lost"))
	c.release()
	if !rec.closed {
		t.Error("a failed flush left the connection open")
	}
	if _, err := c.Write([]byte("z")); err == nil {
		t.Error("a write on the broken connection succeeded")
	}
}
