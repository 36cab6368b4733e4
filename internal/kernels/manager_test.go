package kernels

import (
	"context"
	"errors"
	"io"
	"log"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestManagerErrors(t *testing.T) {
	m, err := NewManager(Options{Command: []string{"/nonexistent/kernel", "jupyter"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Start(context.Background(), "python3"); !errors.Is(err, ErrUnknownName) {
		t.Errorf("unknown name: %v", err)
	}
	if _, err := m.Start(context.Background(), ""); !errors.Is(err, ErrStartFailed) {
		t.Errorf("missing binary: %v", err)
	}
	if _, err := m.Get("nope"); !errors.Is(err, ErrNoKernel) {
		t.Errorf("Get: %v", err)
	}
	if err := m.Interrupt("nope"); !errors.Is(err, ErrNoKernel) {
		t.Errorf("Interrupt: %v", err)
	}
	if len(m.List()) != 0 {
		t.Errorf("List: %v", m.List())
	}
	dir := m.runtimeDir
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("runtime directory %s left behind", dir)
	}
	if _, err := m.Start(context.Background(), ""); !errors.Is(err, ErrManagerClosed) {
		t.Errorf("after Close: %v", err)
	}
}

func TestStderrTail(t *testing.T) {
	var logged strings.Builder
	w := &stderrTail{log: log.New(&logged, "", 0), id: "k1"}
	crash := "starting\npanic: boom\n\ngoroutine 7 [running]:\nmain.f()\n\t/x.go:3\n\ngoroutine 1 [chan receive]:\nmain.main()\n"
	for _, chunk := range []string{crash[:10], crash[10:30], crash[30:]} {
		if n, err := w.Write([]byte(chunk)); n != len(chunk) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if !strings.HasPrefix(logged.String(), "kernel k1: starting\nkernel k1: panic: boom\n") {
		t.Errorf("logged %q", logged.String())
	}
	want := "panic: boom\n\ngoroutine 7 [running]:\nmain.f()\n\t/x.go:3"
	if got := w.deathReport(); got != want {
		t.Errorf("death report %q, want %q", got, want)
	}
	big := strings.Repeat("x", tailSize)
	w.Write([]byte(big))
	if len(w.String()) != tailSize || w.deathReport() != "" {
		t.Errorf("tail of %d bytes, report %q", len(w.String()), w.deathReport())
	}
}

// TestSubscribeIOPub checks the fan-out of iopub messages: every
// subscription gets every message in order, a cancelled one gets no more,
// and one that has fallen its byte limit behind is dropped without
// holding the others up.
func TestSubscribeIOPub(t *testing.T) {
	k := &Kernel{}
	ctx := context.Background()
	a, droppedA, cancelA := k.SubscribeIOPub()
	defer cancelA()
	b, _, cancelB := k.SubscribeIOPub()
	msg := func(s string) [][]byte { return [][]byte{[]byte(s)} }
	k.fanOut(ctx, msg("one"), nil)
	k.fanOut(ctx, msg("two"), nil)
	for _, ch := range []<-chan [][]byte{a, b} {
		for _, want := range []string{"one", "two"} {
			if got := string((<-ch)[0]); got != want {
				t.Fatalf("got %q, want %q", got, want)
			}
		}
	}
	cancelB()
	cancelB() // a second cancel is harmless
	k.fanOut(ctx, msg("three"), nil)
	if len(b) != 0 {
		t.Error("a cancelled subscription got a message")
	}
	if got := string((<-a)[0]); got != "three" {
		t.Fatalf("got %q", got)
	}

	// a falls behind as nobody reads it; c is read: once a is over its
	// byte limit it is dropped, without holding c up.
	k.m = &Manager{opt: Options{IOPubBacklog: 1000}}
	a2, droppedA2, cancelA2 := k.SubscribeIOPub()
	defer cancelA2()
	c, _, cancelC := k.SubscribeIOPub()
	defer cancelC()
	block := [][]byte{make([]byte, 100)}
	for range 50 {
		k.fanOut(ctx, block, nil)
		<-c
	}
	select {
	case <-droppedA2:
	case <-time.After(10 * time.Second):
		t.Error("the subscription 5,000 bytes behind was not dropped")
	}
	if len(a2) > 16 {
		t.Errorf("the dropped subscription holds %d messages", len(a2))
	}
	_ = droppedA
}

// TestRequestedExitIsNoDeath checks that the exit of a process the manager
// asked to stop is not taken for a death even when stopping has already
// been cleared, as Restart clears it as soon as the old process is gone:
// restarting it then would launch a second process on the same ports.
func TestRequestedExitIsNoDeath(t *testing.T) {
	exited := make(chan struct{})
	close(exited)
	k := &Kernel{
		m:     &Manager{opt: Options{Log: log.New(io.Discard, "", 0), MaxRestarts: 5}},
		state: StateIdle, exited: exited, terminated: exited,
		listeners: map[Listener]struct{}{},
	}
	k.processExited(exited)
	if k.state != StateIdle || k.restarts != 0 {
		t.Errorf("after a requested exit: state %q, %d restarts", k.state, k.restarts)
	}
}

// TestLifecycleOwner: a kernel's lifecycle changes run on its own
// goroutine one at a time, in the order they came; after a shutdown the
// goroutine ends and further changes are refused; a kernel that never
// started leaves no goroutine.
func TestLifecycleOwner(t *testing.T) {
	k := &Kernel{lifecycle: make(chan func()), ownerDone: make(chan struct{}), listeners: map[Listener]struct{}{}}
	go k.own()
	var running, most int
	var order []int
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k.do(func() {
				mu.Lock()
				running++
				most = max(most, running)
				order = append(order, i)
				mu.Unlock()
				time.Sleep(time.Millisecond)
				mu.Lock()
				running--
				mu.Unlock()
			})
		}()
	}
	wg.Wait()
	if most != 1 || len(order) != 20 {
		t.Errorf("%d changes at once at most, %d made", most, len(order))
	}
	if !k.do(func() { k.mu.Lock(); k.life = phaseGone; k.mu.Unlock() }) {
		t.Fatal("the shutdown was refused")
	}
	select {
	case <-k.ownerDone:
	case <-time.After(time.Second):
		t.Fatal("the lifecycle goroutine did not end after the shutdown")
	}
	if k.do(func() { t.Error("a change ran after the shutdown") }) {
		t.Error("a change after the shutdown was accepted")
	}
	m, err := NewManager(Options{Command: []string{"/nonexistent/kernel", "jupyter"}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(context.Background())
	before := runtime.NumGoroutine()
	for range 5 {
		m.Start(context.Background(), "")
	}
	time.Sleep(50 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("kernels that never started left goroutines: %d → %d", before, after)
	}
}
