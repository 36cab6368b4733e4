package server

import (
	"bufio"
	"net"
	"net/http"
	"sync"
)

// corkConn is a websocket's network connection that can hold writes back:
// while held, the websocket's frames collect in a buffer, and they go out
// with one write when released or ahead of the next write made unheld. The
// kernel's iopub messages often arrive several at a time (half of a
// trivial cell's had another queued behind them), and writing them
// together spares the server system calls and the client wake-ups.
type corkConn struct {
	net.Conn
	mu   sync.Mutex // gorilla writes control frames from other goroutines
	held bool
	buf  []byte
}

// maxHeld is how many bytes corkConn holds before writing them anyway.
const maxHeld = 256 << 10

func (c *corkConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.held && len(c.buf) == 0 {
		return c.Conn.Write(p)
	}
	c.buf = append(c.buf, p...)
	if !c.held || len(c.buf) >= maxHeld {
		if err := c.flushLocked(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// hold makes writes collect until release.
func (c *corkConn) hold() {
	c.mu.Lock()
	c.held = true
	c.mu.Unlock()
}

// release writes what was held. A failed write closes the connection, so
// that the websocket's reader ends the session as for any broken
// connection.
func (c *corkConn) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held = false
	if len(c.buf) > 0 {
		c.flushLocked()
	}
}

func (c *corkConn) flushLocked() error {
	_, err := c.Conn.Write(c.buf)
	c.buf = c.buf[:0]
	if cap(c.buf) > maxHeld {
		c.buf = nil
	}
	if err != nil {
		c.Conn.Close()
	}
	return err
}

// corkingWriter hands the websocket upgrader a corkConn in place of the
// hijacked connection.
type corkingWriter struct {
	http.ResponseWriter
	cork *corkConn
}

func (w *corkingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.cork = &corkConn{Conn: c}
	return w.cork, brw, nil
}
