package engine

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDifferential runs testdata/differential (every function of the
// generic library the kernel implements by hand, on pseudo-random inputs)
// compiled and as a cell: the outputs must be the same bytes, so no fast
// path or reflective implementation may change a result, a panic or an
// argument.
func TestDifferential(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the go command is needed for the differential test and is not on PATH")
		}
		t.Skip("the go command is not on PATH: skipping the differential test")
	}
	bin := filepath.Join(t.TempDir(), "differential")
	if out, err := exec.Command(goTool, "build", "-o", bin, "./testdata/differential").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	want, err := exec.Command(bin).Output()
	if err != nil {
		t.Fatalf("the compiled program: %v", err)
	}
	src, err := os.ReadFile("testdata/differential/main.go")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	got, cellErr := runStdout(ctx, s, string(src))
	if cellErr != nil {
		t.Fatalf("the cell failed: %v", cellErr)
	}
	if got == string(want) {
		return
	}
	gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
	round := ""
	for i := range min(len(gl), len(wl)) {
		if strings.HasPrefix(wl[i], "round ") {
			round = wl[i]
		}
		if gl[i] != wl[i] {
			t.Fatalf("%s, line %d:\ncell:     %s\ncompiled: %s", round, i+1, gl[i], wl[i])
		}
	}
	t.Fatalf("the cell printed %d lines, the compiled program %d", len(gl), len(wl))
}
