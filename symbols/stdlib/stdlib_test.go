package stdlib

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestGeneratedForThisRelease fails when the files were extracted with
// another Go release than the one running the tests: cells would miss
// that release's additions to the standard library.
func TestGeneratedForThisRelease(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(".", "strings.go"))
	if err != nil {
		t.Fatal(err)
	}
	v := runtime.Version() // go1.26.8
	if i := strings.LastIndexByte(v, '.'); strings.Count(v, ".") == 2 {
		v = v[:i]
	}
	if !strings.Contains(string(b), "//go:build "+v+"\n") {
		t.Errorf("the symbols were not generated with %s: run go generate ./symbols/stdlib", v)
	}
}

// TestSymbolsOfThisRelease checks a few symbols that yaegi's own tables
// (Go 1.22) lack.
func TestSymbolsOfThisRelease(t *testing.T) {
	for pkg, names := range map[string][]string{
		"strings/strings": {"Lines", "SplitSeq", "FieldsSeq"},
		"bytes/bytes":     {"Lines"},
		"time/time":       {"DateTime"},
		"os/os":           {"Getpid"},
	} {
		for _, n := range names {
			if _, ok := Symbols[pkg][n]; !ok {
				t.Errorf("%s has no %s", pkg, n)
			}
		}
	}
}
