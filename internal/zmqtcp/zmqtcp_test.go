package zmqtcp

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

func TestEndpoint(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"tcp://127.0.0.1:5555", Scheme + "://127.0.0.1:5555"},
		{"tcp://[::1]:5555", Scheme + "://[::1]:5555"},
		{"ipc:///tmp/x", "ipc:///tmp/x"},
		{"inproc://x", "inproc://x"},
	} {
		if got := Endpoint(tc.in); got != tc.want {
			t.Errorf("Endpoint(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRoundTrip sends multi-frame messages of every size class (empty,
// short, long-header, larger than the read buffer) both ways between a
// buffered ROUTER and a plain-TCP DEALER: the wire format must be ZMTP
// as zmq4's own TCP transport speaks it.
func TestRoundTrip(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ep := "tcp://" + l.Addr().String()
	l.Close()

	router := zmq4.NewRouter(ctx)
	defer router.Close()
	if err := router.Listen(Endpoint(ep)); err != nil {
		t.Fatal(err)
	}
	dealer := zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity("d")))
	defer dealer.Close()
	if err := dealer.Dial(ep); err != nil { // the standard transport on this side
		t.Fatal(err)
	}
	go func() { // echo
		for {
			m, err := router.Recv()
			if err != nil {
				return
			}
			if err := router.Send(m); err != nil {
				return
			}
		}
	}()
	sizes := []int{0, 1, 255, 256, 70_000, 300_000}
	for round := 0; round < 20; round++ {
		var frames [][]byte
		for i, n := range sizes {
			frames = append(frames, bytes.Repeat([]byte{byte(round + i)}, n))
		}
		if err := dealer.SendMulti(zmq4.NewMsgFrom(frames...)); err != nil {
			t.Fatal(err)
		}
		got, err := dealer.Recv()
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Frames) != len(frames) {
			t.Fatalf("round %d: %d frames back, want %d", round, len(got.Frames), len(frames))
		}
		for i := range frames {
			if !bytes.Equal(got.Frames[i], frames[i]) {
				t.Fatalf("round %d: frame %d (%d bytes) changed", round, i, len(frames[i]))
			}
		}
	}
}

func BenchmarkRoundTrip(b *testing.B) {
	for _, scheme := range []string{"tcp", Scheme} {
		b.Run(scheme, func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			ep := fmt.Sprintf("%s://%s", scheme, l.Addr())
			l.Close()
			router := zmq4.NewRouter(ctx)
			defer router.Close()
			if err := router.Listen(ep); err != nil {
				b.Fatal(err)
			}
			dealer := zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity("d")))
			defer dealer.Close()
			if err := dealer.Dial(ep); err != nil {
				b.Fatal(err)
			}
			go func() {
				for {
					m, err := router.Recv()
					if err != nil {
						return
					}
					router.Send(m)
				}
			}()
			// A Jupyter message's shape: delimiter, signature, four JSON parts.
			msg := zmq4.NewMsgFrom([]byte("<IDS|MSG>"), bytes.Repeat([]byte("s"), 64), bytes.Repeat([]byte("h"), 200),
				bytes.Repeat([]byte("p"), 200), []byte("{}"), bytes.Repeat([]byte("c"), 100))
			for b.Loop() {
				dealer.SendMulti(msg)
				if _, err := dealer.Recv(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestFramerHoldsUntilMessageEnd feeds a ZMTP stream to the framer in
// pieces of several sizes and checks that the pending bytes go out exactly
// when a write holds a part of the greeting or the end of a command or of
// a message's last frame, and are held otherwise.
func TestFramerHoldsUntilMessageEnd(t *testing.T) {
	frame := func(flags byte, body []byte) []byte {
		if len(body) > 255 {
			h := []byte{flags | flagLong, 0, 0, 0, 0, 0, 0, 0, 0}
			binary.BigEndian.PutUint64(h[1:], uint64(len(body)))
			return append(h, body...)
		}
		return append([]byte{flags, byte(len(body))}, body...)
	}
	var stream []byte
	ends := map[int]bool{} // offsets at which a message (or command) ends
	add := func(b []byte, end bool) {
		stream = append(stream, b...)
		if end {
			ends[len(stream)] = true
		}
	}
	add(bytes.Repeat([]byte{0xff}, greetingLen), false)
	add(frame(flagCommand, []byte("\x05READY\x0bSocket-Type\x00\x00\x00\x06ROUTER")), true)
	add(frame(flagMore, []byte("identity")), false)
	add(frame(flagMore, nil), false)
	add(frame(flagMore, bytes.Repeat([]byte("h"), 300)), false) // a long frame
	add(frame(0, []byte("content")), true)
	add(frame(0, nil), true) // a message of one empty frame
	add(frame(flagMore, []byte("a")), false)
	add(frame(0, bytes.Repeat([]byte("b"), 1000)), true)

	for _, tc := range []struct {
		name  string
		sizes func(i int) int // the length of the i-th write
	}{
		{"byte by byte", func(int) int { return 1 }},
		{"7 bytes", func(int) int { return 7 }},
		{"header and body apart", func(i int) int { return []int{2, 9, 64, 300}[i%4] }},
		{"whole stream", func(int) int { return len(stream) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var f framer
			off, sent := 0, 0
			for i := 0; off < len(stream); i++ {
				n := min(tc.sizes(i), len(stream)-off)
				send := f.add(stream[off : off+n])
				off += n
				want := off-n < greetingLen
				for b := off - n + 1; b <= off; b++ {
					want = want || ends[b]
				}
				if send != want {
					t.Fatalf("write ending at %d: send = %v, want %v", off, send, want)
				}
				if send {
					if !bytes.Equal(f.pending, stream[sent:off]) {
						t.Fatalf("write ending at %d: pending holds %d bytes, want the %d since the last send", off, len(f.pending), off-sent)
					}
					sent = off
					f.reset()
				}
			}
			if sent != len(stream) {
				t.Errorf("%d bytes never sent", len(stream)-sent)
			}
		})
	}
}

// TestFramerBoundsPending checks that a message larger than maxPending
// goes out in pieces instead of being held whole.
func TestFramerBoundsPending(t *testing.T) {
	var f framer
	f.add(make([]byte, greetingLen))
	f.reset()
	h := []byte{flagLong, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint64(h[1:], 3*maxPending)
	if f.add(h) {
		t.Fatal("a frame header alone was sent")
	}
	chunk := make([]byte, maxPending/4)
	sends := 0
	for range 12 {
		if f.add(chunk) {
			sends++
			f.reset()
		}
	}
	if sends != 3 {
		t.Errorf("%d sends for a frame of 3×maxPending, want 3", sends)
	}
}
