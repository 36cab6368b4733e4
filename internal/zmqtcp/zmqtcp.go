// Package zmqtcp gives zmq4 sockets a TCP transport that reads through a
// buffer and writes each message with one system call.
//
// zmq4 reads every frame of a message with two read system calls, one for
// its header and one for its body, so a Jupyter message of eight frames
// costs sixteen. Reading through a bufio.Reader, a message that has arrived
// whole costs one. On the way out, zmq4's ROUTER sockets (a kernel's shell,
// control and stdin) also write every frame with two system calls, and
// the peer may wake for each; this transport holds the bytes back until
// the message they belong to is complete (it follows the ZMTP framing of
// the stream it writes) and sends them with one. The bytes on the wire are ZMTP over TCP as before, so
// peers using libzmq (jupyter_client, JupyterLab's server) see no
// difference; only the endpoints this process listens on or dials use the
// scheme.
package zmqtcp

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/go-zeromq/zmq4"
	"github.com/go-zeromq/zmq4/transport"
)

// Scheme is the endpoint scheme of the buffered transport.
const Scheme = "tcp-buffered"

// readBuffer is the read buffer of each connection: large enough for the
// messages of a typical cell's output in one read.
const readBuffer = 64 << 10

func init() {
	if err := zmq4.RegisterTransport(Scheme, bufferedTCP{}); err != nil {
		panic(fmt.Sprintf("zmqtcp: register %s: %v", Scheme, err))
	}
}

// Endpoint returns ep with its tcp:// scheme replaced by the buffered
// transport's; other endpoints are returned unchanged.
func Endpoint(ep string) string {
	if rest, ok := strings.CutPrefix(ep, "tcp://"); ok {
		return Scheme + "://" + rest
	}
	return ep
}

// bufferedTCP is the transport: TCP connections whose reads go through a
// buffer and whose writes go out a message at a time.
type bufferedTCP struct{}

var tcp = transport.New("tcp")

func (bufferedTCP) Dial(ctx context.Context, dialer transport.Dialer, addr string) (net.Conn, error) {
	c, err := tcp.Dial(ctx, dialer, addr)
	if err != nil {
		return nil, err
	}
	return buffered(c), nil
}

func (bufferedTCP) Listen(ctx context.Context, addr string) (net.Listener, error) {
	l, err := tcp.Listen(ctx, addr)
	if err != nil {
		return nil, err
	}
	return listener{l}, nil
}

func (bufferedTCP) Addr(ep string) (string, error) { return tcp.Addr(ep) }

type listener struct{ net.Listener }

func (l listener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return buffered(c), nil
}

// conn is a TCP connection read through a buffer and written a whole
// message at a time. It embeds net.Conn, not *net.TCPConn, so that zmq4's
// vectored writes (net.Buffers) come through Write too and the framing
// stays in step.
type conn struct {
	net.Conn
	r *bufio.Reader

	wmu sync.Mutex
	out framer
}

func (c *conn) Read(p []byte) (int, error) { return c.r.Read(p) }

// Write queues p and writes the queued bytes once they end a message (or
// the greeting, or grow past maxPending).
func (c *conn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if !c.out.add(p) {
		return len(p), nil
	}
	_, err := c.Conn.Write(c.out.pending)
	c.out.reset()
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// maxPending bounds the bytes held back: past it they go out even in the
// middle of a message (a large image), which TCP allows at any point.
const maxPending = 256 << 10

// ZMTP 3 frame flags.
const (
	flagMore    = 1
	flagLong    = 2
	flagCommand = 4
)

// greetingLen is the length of the ZMTP 3 greeting that opens a stream.
const greetingLen = 64

// framer follows the ZMTP 3 byte stream one side writes — the 64-byte
// greeting, then frames of a flags byte, a 1- or 8-byte size and a body —
// and holds the bytes until a message (a frame without the MORE flag, or a
// command) is complete. The zero framer expects a stream's first byte.
type framer struct {
	pending  []byte
	greeting int     // greeting bytes written so far
	hdr      [9]byte // the current frame's header, as far as written
	nhdr     int
	body     uint64 // body bytes of the current frame still to come
	last     bool   // the current frame ends a message
}

// add appends p to the pending bytes and reports whether they should be
// written now: p held a part of the greeting or the end of a message, or
// the pending bytes reached maxPending.
func (f *framer) add(p []byte) bool {
	f.pending = append(f.pending, p...)
	send := false
	for len(p) > 0 {
		switch {
		case f.greeting < greetingLen:
			// The greeting goes out as written: the peer answers it
			// before anything else follows.
			n := min(greetingLen-f.greeting, len(p))
			f.greeting += n
			p = p[n:]
			send = true
		case f.body > 0:
			n := min(f.body, uint64(len(p)))
			f.body -= n
			p = p[n:]
			send = send || (f.body == 0 && f.last)
		default:
			f.hdr[f.nhdr] = p[0]
			f.nhdr++
			p = p[1:]
			size := 2
			if f.hdr[0]&flagLong != 0 {
				size = 9
			}
			if f.nhdr < size {
				continue
			}
			f.nhdr = 0
			f.body = uint64(f.hdr[1])
			if size == 9 {
				f.body = binary.BigEndian.Uint64(f.hdr[1:9])
			}
			f.last = f.hdr[0]&flagMore == 0 || f.hdr[0]&flagCommand != 0
			send = send || (f.body == 0 && f.last)
		}
	}
	return send || len(f.pending) >= maxPending
}

// reset empties the pending bytes after they were written, letting go of a
// buffer grown by a large message.
func (f *framer) reset() {
	if cap(f.pending) > maxPending {
		f.pending = nil
		return
	}
	f.pending = f.pending[:0]
}

// buffered wraps a new connection, before any byte has crossed it.
func buffered(c net.Conn) net.Conn {
	return &conn{Conn: c, r: bufio.NewReaderSize(c, readBuffer)}
}
