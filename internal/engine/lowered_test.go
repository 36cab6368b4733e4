package engine

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// TestLowered checks the text each rewrite produces: every
// testdata/lowered/*.txtar holds cells ("cell") and the statements and
// declarations the engine gives the interpreter for each ("lowered", with
// line directives and statement markers left out), or the refusal
// ("error"). The cells then run, so later cells see their declarations.
// LOWERED_UPDATE=1 rewrites the files from what the engine produces.
func TestLowered(t *testing.T) {
	files, err := filepath.Glob("testdata/lowered/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			s, err := New(Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var out []txtar.File
			for i, f := range ar.Files {
				if f.Name != "cell" {
					continue
				}
				code := strings.TrimSuffix(string(f.Data), "\n")
				got, kind := lowerOnly(s, code)
				out = append(out, f, txtar.File{Name: kind, Data: []byte(got)})
				want := ""
				wantKind := ""
				if i+1 < len(ar.Files) && ar.Files[i+1].Name != "cell" {
					want, wantKind = string(ar.Files[i+1].Data), ar.Files[i+1].Name
				}
				if os.Getenv("LOWERED_UPDATE") == "" && (got != want || kind != wantKind) {
					t.Errorf("cell:\n%s\n%s:\n%s\nwant %s:\n%s", code, kind, got, wantKind, want)
				}
				if got := runCell(s, code); kind == "lowered" && got["error"] != "" {
					t.Errorf("cell:\n%s\nlowered, but failed when run: %s", code, got["error"])
				}
			}
			if os.Getenv("LOWERED_UPDATE") != "" {
				ar.Files = out
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// markers are what the lowering adds for error positions, left out of
// the golden text.
var markers = regexp.MustCompile(`__nmfk(At|Top) = \d+; |__nmfkernel\.MarkAt\(\d+\); |__nmfkAt, __nmfkTop = 0, 0; |(?m)^//line .*\n`)

// lowerOnly lowers code as the session's next cell would be, without
// running it, and returns the interpreter's text ("lowered") or the error
// ("error").
func lowerOnly(s *Session, code string) (string, string) {
	// The check adds the cell's declarations to the package it checks
	// against: check against a rebuilt one, and have the real run rebuild
	// again.
	saved := s.checked
	s.checked.dirty = true
	defer func() { s.checked = saved; s.checked.dirty = true }()
	seq := s.seq + 1
	fail := func(err error) (string, string) {
		return firstLine(strings.Join(s.cellError(seq, err).Traceback, "\n")) + "\n", "error"
	}
	pc, err := parseCell(s.fset, seq, code, s.imports)
	if err != nil {
		return fail(err)
	}
	changes := s.compareDecls(pc)
	pc, changes = s.withCopies(pc, changes)
	info, err := s.check(pc, changes.skip, changes.redefined)
	if err != nil {
		return fail(err)
	}
	l, err := s.lowerCell(pc, info, changes.skip)
	if err != nil {
		return fail(err)
	}
	p, err := s.assemble(pc, l, changes)
	if err != nil {
		return fail(err)
	}
	text := markers.ReplaceAllString(p.source(), "")
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) != "" {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n") + "\n", "lowered"
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
