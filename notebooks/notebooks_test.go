package notebooks

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"nmfkernel/internal/engine"
	"nmfkernel/internal/movielens"
	"nmfkernel/internal/notebook"
	"nmfkernel/internal/runner"
)

// TestNotebooksReproduce runs every committed notebook in a copy of this
// directory and compares the fresh outputs with the committed ones: text
// exactly (timings aside), images by size and by decoding.
//
// movielens.ipynb reads MOVIELENS_DIR (see internal/movielens); it is
// skipped when the data is not there and under the race detector, where its fits take minutes
// (.ci/run runs it with "kernel run --check" instead).
func TestNotebooksReproduce(t *testing.T) {
	paths, _ := filepath.Glob("*.ipynb")
	if len(paths) == 0 {
		t.Fatal("no notebooks")
	}
	src, _ := os.Getwd()
	t.Setenv(movielens.EnvVar, movielens.Dir())
	tmp := t.TempDir()
	if err := os.CopyFS(tmp, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	t.Chdir(tmp)
	for _, path := range paths {
		t.Run(strings.TrimSuffix(path, ".ipynb"), func(t *testing.T) {
			if path == "movielens.ipynb" {
				if err := movielens.Check(); err != nil {
					t.Skipf("skipping: %v", err)
				}
				if raceEnabled {
					t.Skip("skipped under -race, where its fits take minutes; .ci/run checks it with kernel run --check")
				}
			}
			committed, err := notebook.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			fresh, _ := notebook.Read(path)
			s, err := engine.New(engine.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := runner.Run(context.Background(), fresh, runner.SessionExecutor{Session: s}, runner.Options{}); err != nil {
				t.Fatalf("notebook fails: %v", err)
			}
			if ok, why := notebook.OutputsComparable(committed); !ok {
				t.Logf("ran clean; outputs not compared: %s", why)
				return
			}
			for _, d := range notebook.DiffOutputs(committed, fresh) {
				t.Errorf("%s (re-run the notebook with kernel run and commit it)", d)
			}
		})
	}
}
