// Package zmqpub is a ZeroMQ PUB socket for a kernel's iopub channel that
// writes each message to its subscribers from the publishing goroutine.
//
// zmq4's PUB socket hands every message to a goroutine of its own through
// a queue that allocates 8 KB whenever it goes from empty to one message,
// which is every time for a kernel publishing a few messages per cell:
// five allocations, five goroutine hand-offs and five wake-ups per trivial
// cell. This socket encodes a message once and writes it with one system
// call per subscriber, under a mutex, from the caller.
//
// It speaks ZMTP 3.0 over TCP with the NULL mechanism, as zmq4 does, so
// SUB sockets of libzmq (jupyter_client, jupyter_server) and of zmq4 connect
// to it as to any PUB: subscriptions arrive as messages whose first byte is
// 1 (subscribe) or 0 (cancel), or as ZMTP 3.1 SUBSCRIBE and CANCEL
// commands; PING commands are answered with PONG. A subscriber that cannot
// take a message within WriteTimeout is disconnected (libzmq drops the
// messages of a subscriber past its high-water mark instead).
package zmqpub

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"
)

// WriteTimeout is how long a subscriber may keep one message waiting.
const WriteTimeout = 10 * time.Second

// handshakeTimeout bounds a connecting peer's greeting and READY.
const handshakeTimeout = 10 * time.Second

// maxCommand bounds the size of a command frame a peer may send.
const maxCommand = 64 << 10

// Errors of the handshake and framing.
var (
	ErrClosed    = errors.New("zmqpub: socket closed")
	ErrGreeting  = errors.New("zmqpub: not a ZMTP 3 greeting with the NULL mechanism")
	ErrPeerType  = errors.New("zmqpub: peer is not a SUB or XSUB socket")
	ErrFrameSize = errors.New("zmqpub: frame too large")
)

// Pub is a PUB socket listening on TCP.
type Pub struct {
	ln net.Listener

	mu     sync.Mutex            // guards conns, peers, closed and buf; held while writing
	conns  map[net.Conn]struct{} // every open connection, for Close
	peers  map[*peer]struct{}    // the connections past the handshake
	closed bool
	buf    []byte // the message being written, encoded
	wg     sync.WaitGroup
}

// peer is one connected subscriber.
type peer struct {
	conn   net.Conn
	mu     sync.Mutex // guards topics
	topics map[string]int
}

// Listen returns a PUB socket listening on addr ("host:port").
func Listen(addr string) (*Pub, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("zmqpub: listen %s: %w", addr, err)
	}
	p := &Pub{ln: ln, conns: map[net.Conn]struct{}{}, peers: map[*peer]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the address the socket listens on.
func (p *Pub) Addr() net.Addr { return p.ln.Addr() }

func (p *Pub) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.Close()
			return
		}
		p.conns[c] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(c)
		}()
	}
}

// serve runs the handshake with a connecting peer, then reads its
// subscriptions until it goes away.
func (p *Pub) serve(c net.Conn) {
	defer func() {
		c.Close()
		p.mu.Lock()
		delete(p.conns, c)
		p.mu.Unlock()
	}()
	r := bufio.NewReader(c)
	c.SetDeadline(time.Now().Add(handshakeTimeout))
	if err := handshake(c, r); err != nil {
		return
	}
	c.SetDeadline(time.Time{})
	pr := &peer{conn: c, topics: map[string]int{}}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.peers[pr] = struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.peers, pr)
		p.mu.Unlock()
	}()
	for {
		flags, body, err := readFrame(r, maxCommand)
		if err != nil {
			return
		}
		if flags&flagCommand != 0 {
			name, data, err := parseCommand(body)
			if err != nil {
				return
			}
			switch name {
			case "SUBSCRIBE":
				pr.subscribe(string(data), true)
			case "CANCEL":
				pr.subscribe(string(data), false)
			case "PING":
				if len(data) < 2 {
					return
				}
				pong := appendCommand(nil, "PONG", data[2:])
				p.mu.Lock() // keeps the PONG from splitting a message
				c.SetWriteDeadline(time.Now().Add(WriteTimeout))
				_, err := c.Write(pong)
				p.mu.Unlock()
				if err != nil {
					return
				}
			}
			continue
		}
		// A one-frame message from a SUB is a subscription; others are
		// ignored, as libzmq's PUB ignores them.
		if flags&flagMore == 0 && len(body) > 0 && body[0] <= 1 {
			pr.subscribe(string(body[1:]), body[0] == 1)
		}
	}
}

func (pr *peer) subscribe(topic string, on bool) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if on {
		pr.topics[topic]++
		return
	}
	if pr.topics[topic] > 1 {
		pr.topics[topic]--
	} else {
		delete(pr.topics, topic)
	}
}

// wants reports whether the peer subscribed to a prefix of topic.
func (pr *peer) wants(topic []byte) bool {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	for t := range pr.topics {
		if bytes.HasPrefix(topic, []byte(t)) {
			return true
		}
	}
	return false
}

// Send publishes a message of one or more frames; the first is the topic
// subscribers are matched on. It returns once every subscriber that wants
// the message has been written to; a subscriber whose write fails is
// disconnected.
func (p *Pub) Send(frames [][]byte) error {
	if len(frames) == 0 {
		return fmt.Errorf("zmqpub: a message needs at least one frame")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return ErrClosed
	}
	p.buf = appendMessage(p.buf[:0], frames)
	for pr := range p.peers {
		if !pr.wants(frames[0]) {
			continue
		}
		pr.conn.SetWriteDeadline(time.Now().Add(WriteTimeout))
		if _, err := pr.conn.Write(p.buf); err != nil {
			pr.conn.Close() // serve sees the error and removes it
			delete(p.peers, pr)
		}
	}
	if cap(p.buf) > keepBuffer {
		p.buf = nil // a large image once is no reason to hold its memory
	}
	return nil
}

// keepBuffer is the largest encoding buffer kept between messages.
const keepBuffer = 1 << 20

// Close stops listening and disconnects every subscriber.
func (p *Pub) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	err := p.ln.Close()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

// ZMTP 3 framing.
const (
	flagMore    = 0x01
	flagLong    = 0x02
	flagCommand = 0x04
)

// greeting is this socket's ZMTP 3.0 greeting: signature, version 3.0,
// mechanism NULL, as-server 0, filler.
var greeting = func() []byte {
	g := make([]byte, 64)
	g[0], g[9], g[10], g[11] = 0xFF, 0x7F, 3, 0
	copy(g[12:32], "NULL")
	return g
}()

// handshake exchanges greetings and READY commands with a connecting peer.
func handshake(w io.Writer, r *bufio.Reader) error {
	if _, err := w.Write(greeting); err != nil {
		return err
	}
	var g [64]byte
	if _, err := io.ReadFull(r, g[:]); err != nil {
		return err
	}
	if g[0] != 0xFF || g[9] != 0x7F || g[10] < 3 || strings.TrimRight(string(g[12:32]), "\x00") != "NULL" {
		return ErrGreeting
	}
	ready := appendCommand(nil, "READY", appendProperty(nil, "Socket-Type", "PUB"))
	if _, err := w.Write(ready); err != nil {
		return err
	}
	flags, body, err := readFrame(r, maxCommand)
	if err != nil {
		return err
	}
	if flags&flagCommand == 0 {
		return fmt.Errorf("zmqpub: expected READY, got a message frame")
	}
	name, props, err := parseCommand(body)
	if err != nil {
		return err
	}
	if name != "READY" {
		return fmt.Errorf("zmqpub: expected READY, got %q", name)
	}
	typ, err := property(props, "Socket-Type")
	if err != nil {
		return err
	}
	if typ != "SUB" && typ != "XSUB" {
		return fmt.Errorf("%w: %q", ErrPeerType, typ)
	}
	return nil
}

// readFrame reads one ZMTP frame, refusing command frames over maxCmd
// bytes (message frames from subscribers are subscriptions, no larger).
func readFrame(r *bufio.Reader, maxCmd int) (flags byte, body []byte, err error) {
	flags, err = r.ReadByte()
	if err != nil {
		return 0, nil, err
	}
	var size uint64
	if flags&flagLong != 0 {
		var b [8]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, nil, err
		}
		size = binary.BigEndian.Uint64(b[:])
	} else {
		s, err := r.ReadByte()
		if err != nil {
			return 0, nil, err
		}
		size = uint64(s)
	}
	if size > uint64(maxCmd) {
		return 0, nil, fmt.Errorf("%w: %d bytes", ErrFrameSize, size)
	}
	body = make([]byte, size)
	if _, err := io.ReadFull(r, body); err != nil {
		return 0, nil, err
	}
	return flags, body, nil
}

// parseCommand splits a command frame's body into its name and data.
func parseCommand(body []byte) (name string, data []byte, err error) {
	if len(body) < 1 || len(body) < 1+int(body[0]) {
		return "", nil, fmt.Errorf("zmqpub: malformed command")
	}
	n := int(body[0])
	return string(body[1 : 1+n]), body[1+n:], nil
}

// property returns the value of the named property in a READY command's
// metadata (name length byte, name, 4-byte value length, value).
func property(props []byte, name string) (string, error) {
	for len(props) > 0 {
		n := int(props[0])
		if len(props) < 1+n+4 {
			return "", fmt.Errorf("zmqpub: malformed READY metadata")
		}
		key := string(props[1 : 1+n])
		vlen := binary.BigEndian.Uint32(props[1+n:])
		props = props[1+n+4:]
		if uint64(vlen) > uint64(len(props)) {
			return "", fmt.Errorf("zmqpub: malformed READY metadata")
		}
		if strings.EqualFold(key, name) {
			return string(props[:vlen]), nil
		}
		props = props[vlen:]
	}
	return "", fmt.Errorf("zmqpub: READY without %s", name)
}

func appendProperty(b []byte, name, value string) []byte {
	b = append(b, byte(len(name)))
	b = append(b, name...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(value)))
	return append(b, value...)
}

// appendCommand appends a command frame.
func appendCommand(b []byte, name string, data []byte) []byte {
	size := 1 + len(name) + len(data)
	b = appendHeader(b, flagCommand, size)
	b = append(b, byte(len(name)))
	b = append(b, name...)
	return append(b, data...)
}

// appendMessage appends the frames of a message, MORE set on all but the
// last.
func appendMessage(b []byte, frames [][]byte) []byte {
	for i, f := range frames {
		var flags byte
		if i < len(frames)-1 {
			flags = flagMore
		}
		b = appendHeader(b, flags, len(f))
		b = append(b, f...)
	}
	return b
}

func appendHeader(b []byte, flags byte, size int) []byte {
	if size > 255 {
		b = append(b, flags|flagLong)
		return binary.BigEndian.AppendUint64(b, uint64(size))
	}
	return append(b, flags, byte(size))
}

// Subscribers returns how many connected peers have subscribed to
// something: those a message sent now can reach.
func (p *Pub) Subscribers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for pr := range p.peers {
		pr.mu.Lock()
		if len(pr.topics) > 0 {
			n++
		}
		pr.mu.Unlock()
	}
	return n
}
