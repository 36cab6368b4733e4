package zmqpub

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

func listen(t *testing.T) *Pub {
	t.Helper()
	p, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// zmq4Sub connects a zmq4 SUB socket subscribed to topic and waits until
// the subscription has reached p: until a probe published on probeTopic
// arrives (a SUB misses what is published before then).
func zmq4Sub(t *testing.T, p *Pub, topic, probeTopic string) zmq4.Socket {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sub := zmq4.NewSub(ctx)
	t.Cleanup(func() { sub.Close() })
	if err := sub.Dial("tcp://" + p.Addr().String()); err != nil {
		t.Fatal(err)
	}
	if err := sub.SetOption(zmq4.OptionSubscribe, topic); err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	go func() {
		defer close(got)
		for {
			m, err := sub.Recv()
			if err != nil || string(m.Frames[0]) == probeTopic {
				return
			}
		}
	}()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if err := p.Send([][]byte{[]byte(probeTopic)}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-got:
			return sub
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the subscription never arrived")
		}
	}
}

// TestMessagesReachZmq4Sub sends messages of every frame-size class (empty,
// short, the 255/256 boundary of the long form, larger than a TCP segment)
// and checks that a zmq4 SUB receives them whole and in order.
func TestMessagesReachZmq4Sub(t *testing.T) {
	p := listen(t)
	sub := zmq4Sub(t, p, "", "probe")
	var sent [][][]byte
	for _, size := range []int{0, 1, 255, 256, 70000} {
		body := bytes.Repeat([]byte{byte(size)}, size)
		sent = append(sent, [][]byte{[]byte("topic"), []byte("<IDS|MSG>"), body, []byte("last")})
	}
	sent = append(sent, [][]byte{[]byte("single")})
	for _, m := range sent {
		if err := p.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < len(sent); {
		m, err := sub.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Frames[0]) == "probe" {
			continue // a probe sent before the subscription was seen
		}
		if len(m.Frames) != len(sent[i]) {
			t.Fatalf("message %d: %d frames, want %d", i, len(m.Frames), len(sent[i]))
		}
		for j := range m.Frames {
			if !bytes.Equal(m.Frames[j], sent[i][j]) {
				t.Fatalf("message %d frame %d: %d bytes, want %d", i, j, len(m.Frames[j]), len(sent[i][j]))
			}
		}
		i++
	}
}

// TestTopicsFilter checks prefix subscriptions, two subscribers with
// different ones, and that a cancelled subscription stops delivery.
func TestTopicsFilter(t *testing.T) {
	p := listen(t)
	all := zmq4Sub(t, p, "", "kernel.k.probe")
	status := zmq4Sub(t, p, "kernel.k.status", "kernel.k.status.probe")
	for _, topic := range []string{"kernel.k.stream", "kernel.k.status", "kernel.k.execute_result", "kernel.k.status"} {
		if err := p.Send([][]byte{[]byte(topic), []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	read := func(s zmq4.Socket, n int) []string {
		var got []string
		for len(got) < n {
			m, err := s.Recv()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(m.Frames[0]), "probe") {
				got = append(got, string(m.Frames[0]))
			}
		}
		return got
	}
	if got := strings.Join(read(all, 4), " "); got != "kernel.k.stream kernel.k.status kernel.k.execute_result kernel.k.status" {
		t.Errorf("subscribed to everything, got %s", got)
	}
	if got := strings.Join(read(status, 2), " "); got != "kernel.k.status kernel.k.status" {
		t.Errorf("subscribed to status, got %s", got)
	}
}

// rawSub is a hand-driven ZMTP peer for the cases zmq4 does not produce.
type rawSub struct {
	c net.Conn
	r *bufio.Reader
}

// dialRaw connects, exchanges greetings (minor version 1, as libzmq 4.3
// sends) and READY commands announcing typ.
func dialRaw(t *testing.T, p *Pub, typ string) *rawSub {
	t.Helper()
	c, err := net.Dial("tcp", p.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	g := append([]byte(nil), greeting...)
	g[11] = 1
	c.Write(g)
	s := &rawSub{c: c, r: bufio.NewReader(c)}
	var peer [64]byte
	if _, err := io.ReadFull(s.r, peer[:]); err != nil {
		t.Fatal(err)
	}
	c.Write(appendCommand(nil, "READY", appendProperty(nil, "Socket-Type", typ)))
	return s
}

// TestRawPeer subscribes with a ZMTP 3.1 SUBSCRIBE command, pings, and
// checks the PONG and the published message, in that order.
func TestRawPeer(t *testing.T) {
	p := listen(t)
	s := dialRaw(t, p, "SUB")
	flags, body, err := readFrame(s.r, maxCommand)
	if err != nil || flags&flagCommand == 0 {
		t.Fatalf("READY: flags %x, %v", flags, err)
	}
	if name, props, _ := parseCommand(body); name != "READY" {
		t.Fatalf("got %q", name)
	} else if typ, err := property(props, "Socket-Type"); typ != "PUB" || err != nil {
		t.Fatalf("Socket-Type %q, %v", typ, err)
	}
	s.c.Write(appendCommand(nil, "SUBSCRIBE", []byte("t")))
	s.c.Write(appendCommand(nil, "PING", []byte("\x00\x0actx")))
	flags, body, err = readFrame(s.r, maxCommand)
	if name, data, _ := parseCommand(body); err != nil || flags&flagCommand == 0 || name != "PONG" || string(data) != "ctx" {
		t.Fatalf("after PING: flags %x, %q, %v", flags, body, err)
	}
	// The PONG came after the SUBSCRIBE was read, so it is in force.
	if err := p.Send([][]byte{[]byte("topic"), []byte("body")}); err != nil {
		t.Fatal(err)
	}
	var frames []string
	for {
		flags, body, err := readFrame(s.r, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		frames = append(frames, string(body))
		if flags&flagMore == 0 {
			break
		}
	}
	if got := strings.Join(frames, "|"); got != "topic|body" {
		t.Errorf("message %q", got)
	}
}

// TestCancel subscribes twice to one topic and once to another, in both
// of ZMTP's forms, cancels the first topic twice, and checks that only the
// second topic's messages arrive.
func TestCancel(t *testing.T) {
	p := listen(t)
	s := dialRaw(t, p, "SUB")
	readFrame(s.r, maxCommand) // READY
	s.c.Write(appendMessage(nil, [][]byte{[]byte("\x01a")}))
	s.c.Write(appendCommand(nil, "SUBSCRIBE", []byte("a")))
	s.c.Write(appendMessage(nil, [][]byte{[]byte("\x01b")}))
	s.c.Write(appendMessage(nil, [][]byte{[]byte("\x00a")}))
	s.c.Write(appendCommand(nil, "CANCEL", []byte("a")))
	s.c.Write(appendCommand(nil, "PING", []byte("\x00\x00")))
	if _, body, err := readFrame(s.r, maxCommand); err != nil || !bytes.HasPrefix(body, []byte("\x04PONG")) {
		t.Fatalf("after PING: %q, %v", body, err)
	}
	for _, topic := range []string{"a1", "b1"} {
		if err := p.Send([][]byte{[]byte(topic)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, body, err := readFrame(s.r, 1<<20); err != nil || string(body) != "b1" {
		t.Errorf("first message %q, %v; want b1", body, err)
	}
}

// TestHandshakeRefuses checks that peers which are not ZMTP 3 NULL SUB
// sockets are turned away without disturbing the subscribers.
func TestHandshakeRefuses(t *testing.T) {
	p := listen(t)
	sub := zmq4Sub(t, p, "", "probe")
	for _, tc := range []struct {
		name string
		send []byte
	}{
		{"HTTP", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + strings.Repeat(" ", 64))},
		{"ZMTP 2", append([]byte{0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1}, make([]byte, 53)...)},
		{"CURVE", func() []byte { g := append([]byte(nil), greeting...); copy(g[12:32], "CURVE\x00\x00\x00"); return g }()},
	} {
		c, err := net.Dial("tcp", p.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write(tc.send)
		io.Copy(io.Discard, c) // the socket's greeting, then its close
		c.Close()
	}
	// A DEALER gets through the greeting but not READY.
	d := dialRaw(t, p, "DEALER")
	io.Copy(io.Discard, d.r)
	if err := p.Send([][]byte{[]byte("after"), []byte("x")}); err != nil {
		t.Fatal(err)
	}
	for {
		m, err := sub.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if string(m.Frames[0]) == "after" {
			break
		}
	}
}

// TestHandshakeErrors runs the handshake against scripted peers.
func TestHandshakeErrors(t *testing.T) {
	ready := func(typ string) []byte { return appendCommand(nil, "READY", appendProperty(nil, "Socket-Type", typ)) }
	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"SUB", append(append([]byte(nil), greeting...), ready("SUB")...), nil},
		{"XSUB", append(append([]byte(nil), greeting...), ready("XSUB")...), nil},
		{"PUSH", append(append([]byte(nil), greeting...), ready("PUSH")...), ErrPeerType},
		{"bad signature", append([]byte{0}, greeting[1:]...), ErrGreeting},
		{"huge command", append(append([]byte(nil), greeting...), 0x06, 0, 0, 0, 1, 0, 0, 0, 0), ErrFrameSize},
		{"short", greeting[:30], io.ErrUnexpectedEOF},
	} {
		err := handshake(io.Discard, bufio.NewReader(bytes.NewReader(tc.in)))
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestClose checks that Send fails after Close and subscribers see EOF.
func TestClose(t *testing.T) {
	p := listen(t)
	s := dialRaw(t, p, "SUB")
	readFrame(s.r, maxCommand) // READY
	// A connection still in its handshake is closed too, not waited for.
	silent, err := net.Dial("tcp", p.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	silent.SetReadDeadline(time.Now().Add(10 * time.Second))
	var g [64]byte
	io.ReadFull(silent, g[:]) // the socket's greeting: it has accepted
	start := time.Now()
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > handshakeTimeout/2 {
		t.Errorf("Close took %v", d)
	}
	if err := p.Send([][]byte{[]byte("x")}); !errors.Is(err, ErrClosed) {
		t.Errorf("Send after Close: %v", err)
	}
	if _, _, err := readFrame(s.r, maxCommand); err == nil {
		t.Error("the subscriber's connection is still open")
	}
	if err := p.Send(nil); err == nil {
		t.Error("an empty message was accepted")
	}
}

// FuzzHandshake feeds arbitrary bytes to the handshake and the frame
// reader behind it: errors, never panics.
func FuzzHandshake(f *testing.F) {
	ready := appendCommand(nil, "READY", appendProperty(nil, "Socket-Type", "SUB"))
	f.Add(append(append(append([]byte(nil), greeting...), ready...), appendCommand(nil, "PING", []byte("\x00\x01x"))...))
	f.Add([]byte{0xFF, 1, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bufio.NewReader(bytes.NewReader(data))
		if handshake(io.Discard, r) != nil {
			return
		}
		for {
			flags, body, err := readFrame(r, maxCommand)
			if err != nil {
				return
			}
			if flags&flagCommand != 0 {
				if name, props, err := parseCommand(body); err == nil && name == "READY" {
					property(props, "Socket-Type")
				}
			}
		}
	})
}

func ExamplePub() {
	p, err := Listen("127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer p.Close()
	// With no subscriber yet, the message goes nowhere, as with any PUB.
	fmt.Println(p.Send([][]byte{[]byte("kernel.abc.status"), []byte("<IDS|MSG>")}))
	// Output: <nil>
}
