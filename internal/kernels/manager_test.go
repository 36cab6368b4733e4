package kernels

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
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

func TestLimitedWriter(t *testing.T) {
	var b strings.Builder
	w := &limitedWriter{w: &b, n: 5}
	for _, s := range []string{"abc", "defgh", "ij"} {
		if n, err := w.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if b.String() != "abcde" {
		t.Errorf("kept %q", b.String())
	}
}
