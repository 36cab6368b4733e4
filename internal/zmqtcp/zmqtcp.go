// Package zmqtcp gives zmq4 sockets a TCP transport that reads through a
// buffer.
//
// zmq4 reads every frame of a message with two read system calls, one for
// its header and one for its body, so a Jupyter message of eight frames
// costs sixteen. Reading through a bufio.Reader, a message that has arrived
// whole costs one. The bytes on the wire are ZMTP over TCP as before, so
// peers using libzmq (jupyter_client, JupyterLab's server) see no
// difference; only the endpoints this process listens on or dials use the
// scheme.
package zmqtcp

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"

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
// buffer.
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

// conn is a TCP connection read through a buffer. It embeds *net.TCPConn
// rather than net.Conn so that writes of several buffers (net.Buffers,
// which zmq4 uses to send a message's frames) still go out in one writev.
type conn struct {
	*net.TCPConn
	r *bufio.Reader
}

func (c *conn) Read(p []byte) (int, error) { return c.r.Read(p) }

func buffered(c net.Conn) net.Conn {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c
	}
	return &conn{TCPConn: tc, r: bufio.NewReaderSize(tc, readBuffer)}
}
