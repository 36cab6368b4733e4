package gomod

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestLockTakesTurns holds the lock and checks that a second taker is
// refused without waiting, gives up with its context, and gets the lock
// once it is let go.
func TestLockTakesTurns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "build", "ws.lock")
	unlock, err := lockFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tryLock(path); !errors.Is(err, errLocked) {
		t.Fatalf("tryLock of a held lock: %v, want errLocked", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	if _, err := lockFile(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("lockFile of a held lock: %v, want the context's error", err)
	}
	got := make(chan error, 1)
	go func() {
		unlock2, err := lockFile(context.Background(), path)
		if err == nil {
			unlock2()
		}
		got <- err
	}()
	time.Sleep(150 * time.Millisecond)
	unlock()
	select {
	case err := <-got:
		if err != nil {
			t.Fatalf("lockFile after the lock was let go: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("lockFile still waiting 10 s after the lock was let go")
	}
}
