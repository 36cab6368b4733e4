package runner

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nmfkernel/internal/engine"
	"nmfkernel/internal/notebook"
)

const testNotebook = `{"cells":[
{"cell_type":"markdown","metadata":{},"source":"# test"},
{"cell_type":"code","metadata":{},"source":"import (\"fmt\"; \"nmfkernel/lib/display\"; \"image\")\nfmt.Println(\"hello\")\nh := display.NewHandle()\nh.Text(\"working\")\nh.Text(\"done\")","outputs":[],"execution_count":null},
{"cell_type":"code","metadata":{},"source":"image.NewGray(image.Rect(0, 0, 4, 3))","outputs":[],"execution_count":null},
{"cell_type":"code","metadata":{},"source":"panic(\"stop here\")","outputs":[],"execution_count":null},
{"cell_type":"code","metadata":{},"source":"40 + 2","outputs":[{"output_type":"stream","name":"stdout","text":["stale\\n"]}],"execution_count":7}],
"metadata":{},"nbformat":4,"nbformat_minor":4}`

func run(t *testing.T, opt Options) (*notebook.Notebook, error) {
	t.Helper()
	nb, err := notebook.Parse([]byte(testNotebook))
	if err != nil {
		t.Fatal(err)
	}
	s, err := engine.New(engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return nb, Run(context.Background(), nb, SessionExecutor{s}, opt)
}

func TestRunStopsAtFirstError(t *testing.T) {
	var log bytes.Buffer
	nb, err := run(t, Options{Log: &log})
	var failed *CellFailedError
	if !errors.As(err, &failed) || failed.Index != 4 {
		t.Fatalf("error %v, want cell 4 failed", err)
	}
	// The cell after the error did not run, and its outputs from an
	// earlier run are gone.
	if out := nb.Cells[4]["outputs"].([]any); len(out) != 0 || nb.Cells[4]["execution_count"] != nil {
		t.Errorf("cell after the error ran, or kept stale outputs: %v", nb.Cells[4])
	}
	outs := nb.Cells[1]["outputs"].([]any)
	if len(outs) != 2 || outs[1].(map[string]any)["data"].(map[string]any)["text/plain"].([]any)[0] != "done" {
		t.Errorf("cell 2 outputs (display updated in place): %v", outs)
	}
	if !strings.Contains(log.String(), "[3/4] cell 4 error: panic: stop here") {
		t.Errorf("log:\n%s", log.String())
	}
}

func TestRunAllowErrorsAndPNGDir(t *testing.T) {
	dir := t.TempDir()
	nb, err := run(t, Options{AllowErrors: true, PNGDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if c := nb.Cells[4]["execution_count"]; c != 4 {
		t.Errorf("last cell count %v", c)
	}
	if _, err := os.Stat(filepath.Join(dir, "cell3.png")); err != nil {
		t.Errorf("image output not written: %v", err)
	}
	// The written notebook is valid nbformat 4.5 for Jupyter's own validator.
	path := filepath.Join(dir, "out.ipynb")
	if err := nb.Write(path); err != nil {
		t.Fatal(err)
	}
	validate(t, path)
}

// validate checks a notebook with the nbformat package of Debian's Python.
func validate(t *testing.T, path string) {
	t.Helper()
	py := "/usr/bin/python3"
	check := exec.Command(py, "-c", "import nbformat")
	if err := check.Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("nbformat (Debian python3-nbformat) is required in CI: %v", err)
		}
		t.Skipf("skipping nbformat validation: %s cannot import nbformat (apt-get install python3-nbformat)", py)
	}
	out, err := exec.Command(py, "-c", "import nbformat, sys; nbformat.validate(nbformat.read(sys.argv[1], as_version=4))", path).CombinedOutput()
	if err != nil {
		t.Errorf("nbformat rejects the notebook: %v\n%s", err, out)
	}
}
