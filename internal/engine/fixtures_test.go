package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"nmfkernel/lib/display"
)

// TestFixtures runs every testdata/*.txtar file in a fresh session: each
// "cell" section is executed, and the sections after it (stdout, stderr,
// result, display, error) state exactly what that cell must produce; a cell
// with no "error" section must succeed.
func TestFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			s, err := New(Options{Env: []string{"NMFKERNEL_TEST=fixture"}})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var cells []fixtureCell
			for _, f := range ar.Files {
				if f.Name == "cell" {
					cells = append(cells, fixtureCell{code: strings.TrimSuffix(string(f.Data), "\n"), want: map[string]string{}})
					continue
				}
				if len(cells) == 0 {
					t.Fatalf("section %q before the first cell", f.Name)
				}
				cells[len(cells)-1].want[f.Name] = string(f.Data)
			}
			for i, c := range cells {
				got := runCell(s, c.code)
				for _, kind := range []string{"stdout", "stderr", "result", "display", "error"} {
					if got[kind] != c.want[kind] {
						t.Errorf("cell %d:\n%s\n%s:\n%q\nwant:\n%q", i+1, c.code, kind, got[kind], c.want[kind])
					}
				}
			}
		})
	}
}

type fixtureCell struct {
	code string
	want map[string]string
}

// runCell executes code and collects what it produced by kind, as text:
// streams as written, results and displays as their text/plain (plus the
// MIME types they carry), the error as its traceback.
func runCell(s *Session, code string) map[string]string {
	got := map[string]string{}
	r := s.Execute(context.Background(), code, ExecOptions{}, func(e Event) {
		switch e := e.(type) {
		case Stream:
			got[e.Name] += e.Text
		case ExecuteResult:
			got["result"] += bundleText(e.Bundle)
		case Display:
			got["display"] += bundleText(e.Bundle)
		}
	})
	if r.Err != nil {
		got["error"] = strings.Join(r.Err.Traceback, "\n") + "\n"
	}
	return got
}

func bundleText(b display.Bundle) string {
	var types []string
	for k := range b {
		if k != display.MIMEText {
			types = append(types, k)
		}
	}
	text, _ := b[display.MIMEText].(string)
	if len(types) > 0 {
		sortStrings(types)
		return "[" + strings.Join(types, " ") + "] " + text + "\n"
	}
	return text + "\n"
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

var _ = os.Getenv
