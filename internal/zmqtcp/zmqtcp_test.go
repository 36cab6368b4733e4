package zmqtcp

import (
	"bytes"
	"context"
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
