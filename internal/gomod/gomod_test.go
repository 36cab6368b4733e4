package gomod

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestParseDirectives(t *testing.T) {
	for _, c := range []struct {
		code, stripped, err string
		pins                []Module
		list                bool
		packages            []string
	}{
		{code: "x := 1", stripped: "x := 1"},
		{code: "%go get github.com/samber/lo@v1.47.0\nx := 1", stripped: "\nx := 1", pins: []Module{{Path: "github.com/samber/lo", Version: "v1.47.0"}}},
		{code: "  %go get a.b/c d.e/f@latest\n%go list", stripped: "\n", list: true,
			pins: []Module{{Path: "a.b/c", Version: "latest"}, {Path: "d.e/f", Version: "latest"}}},
		{code: `s := "%go get x"`, stripped: `s := "%go get x"`},
		{code: "%go import a.b/c a.b/d\ny := 2", stripped: "\ny := 2", packages: []string{"a.b/c", "a.b/d"}},
		{code: "%go", err: "line 1: %go needs a subcommand"},
		{code: "x := 1\n%go get", err: "line 2: %go get names no module"},
		{code: "%go get -u a.b/c", err: "takes modules, not flags (-u)"},
		{code: "%go get @v1", err: `"@v1" is not MODULE[@VERSION]`},
		{code: "%go build", err: `unknown %go subcommand "build"`},
	} {
		d, stripped, err := ParseDirectives(c.code)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.code, err, c.err)
			}
			continue
		}
		if err != nil || stripped != c.stripped || d.List != c.list || len(d.Pins) != len(c.pins) || strings.Join(d.Packages, " ") != strings.Join(c.packages, " ") {
			t.Errorf("%q: %+v %q %v", c.code, d, stripped, err)
			continue
		}
		for i := range c.pins {
			if d.Pins[i] != c.pins[i] {
				t.Errorf("%q: pin %d is %v, want %v", c.code, i, d.Pins[i], c.pins[i])
			}
		}
	}
}

func TestGoErrorWords(t *testing.T) {
	for _, c := range []struct{ stderr, problem string }{
		{"go: finding module for package x.y/z\ncannot find module providing package x.y/z: module x.y/z: reading https://proxy.golang.org/x.y/z/@v/list: 404 Not Found", "there is no such package"},
		{"go: github.com/a/b@v9.0.0: reading https://proxy.golang.org/github.com/a/b/@v/v9.0.0.info: 410 Gone", "the Go module proxy answered 410 Gone"},
		{"go: finding module for package corp.example/x\ncannot find module providing package corp.example/x: module corp.example/x: reading https://proxy.example/corp.example/x/@v/list: 403 Forbidden\n\tserver response: This module version is not available.", `the Go module proxy refused it (403 Forbidden: "This module version is not available.")`},
		{"go: github.com/a/b@v9.0.0: invalid version: unknown revision v9.0.0", "this version cannot be had"},
		{"go: module github.com/a/b@latest found (v1.0.0), but does not contain package github.com/a/b/c", "no such package in that module"},
		{`go: github.com/a/b@v1.0.0: Get "https://proxy.golang.org/...": dial tcp: lookup proxy.golang.org: no such host`, "the Go module proxy cannot be reached"},
		{"verifying github.com/a/b@v1.0.0: checksum mismatch", "does not match its checksum"},
		{"something else", "the go command failed"},
	} {
		err := goError("pkg", c.stderr, errors.New("exit status 1"))
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(e.Problem, c.problem) || !strings.Contains(err.Error(), c.stderr) {
			t.Errorf("%q: %v, want %q", c.stderr, err, c.problem)
		}
	}
}

func TestMergePinsAndRecords(t *testing.T) {
	got := mergePins([]Module{{Path: "a", Version: "v1"}, {Path: "b", Version: "v1", Sum: "h1:x"}}, []Module{{Path: "b", Version: "v2"}})
	if len(got) != 2 || got[0] != (Module{Path: "a", Version: "v1"}) || got[1] != (Module{Path: "b", Version: "v2"}) {
		t.Errorf("mergePins: %v", got)
	}
	k := Kernel{Packages: []string{"a/p"}, Modules: []Module{{Path: "a", Version: "v1", Sum: "h1:abc"}, {Path: "b", Version: "v2"}}}
	rec := string(kernelRecord(k))
	var lines []string
	for _, l := range strings.Split(rec, "\n") {
		if _, v, ok := strings.Cut(l, "Modules = append(Modules, "); ok {
			lines = append(lines, strings.Trim(strings.TrimSuffix(v, ")"), `"`))
		}
	}
	if ms := ParseModules(lines); len(ms) != 2 || ms[0] != k.Modules[0] || ms[1] != k.Modules[1] {
		t.Errorf("record round trip: %v from\n%s", ms, rec)
	}
	if err := verifySums([]Module{{Path: "a", Version: "v1", Sum: "h1:other"}}, k.Modules); err == nil || !strings.Contains(err.Error(), "recorded h1:other") {
		t.Errorf("checksum mismatch not caught: %v", err)
	}
	if m, ok := ModuleOf("a/p/q", k.Modules); !ok || m.Path != "a" {
		t.Errorf("ModuleOf: %v %v", m, ok)
	}
}

func TestPrune(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	for i := range 10 {
		d := filepath.Join(dir, "kernels", fmt.Sprintf("k%d", i))
		os.MkdirAll(d, 0o755)
		os.Chtimes(d, now, now.Add(time.Duration(i)*time.Minute))
	}
	ws := filepath.Join(dir, "src-current")
	for _, d := range []string{ws, filepath.Join(dir, "src-old")} {
		os.MkdirAll(d, 0o755)
	}
	prune(dir, ws, 8)
	left, _ := os.ReadDir(filepath.Join(dir, "kernels"))
	if len(left) != 8 || left[0].Name() != "k2" {
		t.Errorf("kernels left: %v", left)
	}
	if _, err := os.Stat(ws); err != nil {
		t.Error("the current build folder was removed")
	}
	if _, err := os.Stat(filepath.Join(dir, "src-old")); err == nil {
		t.Error("an old build folder was kept")
	}
}

// TestNoFlagsToTheGoCommand: what a notebook names reaches the go command
// only as a package path or a module version, never as a flag.
func TestNoFlagsToTheGoCommand(t *testing.T) {
	for _, code := range []string{"%go import -toolexec=/bin/sh", "%go import -export", "%go get -u", "%go get ./x", "%go import a b -o=x"} {
		if _, _, err := ParseDirectives(code); err == nil {
			t.Errorf("%q: accepted", code)
		}
	}
	for _, req := range []Request{
		{Packages: []string{"-export"}},
		{Packages: []string{"-toolexec=/bin/sh"}},
		{Pins: []Module{{Path: "-modfile=x", Version: "latest"}}},
		{Pins: []Module{{Path: "github.com/a/b", Version: "-x"}}},
		{Pins: []Module{{Path: "github.com/a/b", Version: "v1;rm"}}},
	} {
		var e *Error
		if _, err := (&Builder{}).Build(context.Background(), Kernel{}, req); !errors.As(err, &e) {
			t.Errorf("%+v: %v, want a module error", req, err)
		}
	}
	if d, _, err := ParseDirectives("%go get github.com/shopspring/decimal@v1.4.0\n%go import github.com/montanaflynn/stats"); err != nil || len(d.Pins) != 1 || len(d.Packages) != 1 {
		t.Errorf("good directives: %+v %v", d, err)
	}
}

// TestCacheMustBeOwn: a build cache others can write to is refused before
// anything in it is used.
func TestCacheMustBeOwn(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("ownership is checked on Unix")
	}
	dir := filepath.Join(t.TempDir(), "cache")
	os.MkdirAll(dir, 0o700)
	os.Chmod(dir, 0o777)
	var e *Error
	_, err := (&Builder{CacheDir: dir, Source: fstest.MapFS{}}).Build(context.Background(), Kernel{}, Request{Packages: []string{"github.com/a/b"}})
	if !errors.As(err, &e) || !strings.Contains(e.Problem, "others can write") {
		t.Errorf("a world-writable cache: %v", err)
	}
	os.Chmod(dir, 0o700)
	if err := checkOwnCache(dir); err != nil {
		t.Errorf("a private cache: %v", err)
	}
}
