package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"nmfkernel/internal/engine"
	"nmfkernel/internal/gomod"
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

// stuckExecutor runs cells named "slow" until interrupted, cells named
// "stuck" until its kernel is restarted (a compiled loop that ignores
// interrupts), and others at once; it counts restarts.
type stuckExecutor struct {
	restarts atomic.Int32
	restart  chan struct{}
	prepErr  error
	ran      []string
}

func (e *stuckExecutor) Execute(ctx context.Context, code string, sink func(engine.Event)) engine.Result {
	e.ran = append(e.ran, code)
	switch code {
	case "slow":
		<-ctx.Done()
		return engine.Result{Count: 1, Err: &engine.CellError{Name: "Interrupt", Value: "interrupted"}}
	case "stuck":
		<-e.restart
		return engine.Result{Count: 1, Err: &engine.CellError{Name: "KernelDied", Value: "died"}}
	}
	sink(engine.Stream{Name: "stdout", Text: code + "\n"})
	return engine.Result{Count: 1}
}

func (e *stuckExecutor) Restart(ctx context.Context) error {
	e.restarts.Add(1)
	select {
	case e.restart <- struct{}{}:
	default:
	}
	return nil
}

func (e *stuckExecutor) Prepare(ctx context.Context, code string) error { return e.prepErr }
func (e *stuckExecutor) Modules() []gomod.Module                        { return nil }

func cellsNotebook(t *testing.T, sources ...string) *notebook.Notebook {
	t.Helper()
	var cells []string
	for _, s := range sources {
		cells = append(cells, fmt.Sprintf(`{"cell_type":"code","metadata":{},"source":%q,"outputs":[],"execution_count":null}`, s))
	}
	nb, err := notebook.Parse([]byte(`{"cells":[` + strings.Join(cells, ",") + `],"metadata":{},"nbformat":4,"nbformat_minor":5}`))
	if err != nil {
		t.Fatal(err)
	}
	return nb
}

// TestCellTimeout: a cell past --timeout is interrupted, fails with a
// Timeout error and has its kernel restarted; one that ignores the
// interrupt has its kernel restarted under it; under --allow-errors the
// run goes on.
func TestCellTimeout(t *testing.T) {
	e := &stuckExecutor{restart: make(chan struct{})}
	nb := cellsNotebook(t, "first", "slow", "stuck", "last")
	err := Run(context.Background(), nb, e, Options{AllowErrors: true, CellTimeout: 100 * time.Millisecond, TimeoutGrace: 50 * time.Millisecond})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	for i, want := range []string{"", "Timeout", "Timeout", ""} {
		outs, _ := json.Marshal(nb.Cells[i]["outputs"])
		if got := strings.Contains(string(outs), `"ename":"Timeout"`); got != (want == "Timeout") {
			t.Errorf("cell %d outputs: %s", i+1, outs)
		}
	}
	if n := e.restarts.Load(); n != 2 {
		t.Errorf("%d restarts, want 2 (one after each timed-out cell)", n)
	}
	if len(e.ran) != 4 {
		t.Errorf("ran %v: the run must go on under --allow-errors", e.ran)
	}
	// Without --allow-errors, the run stops at the timed-out cell.
	e2 := &stuckExecutor{restart: make(chan struct{})}
	err = Run(context.Background(), cellsNotebook(t, "slow", "last"), e2, Options{CellTimeout: 50 * time.Millisecond, TimeoutGrace: 50 * time.Millisecond})
	var cf *CellFailedError
	if !errors.As(err, &cf) || cf.Err.Name != "Timeout" || len(e2.ran) != 1 {
		t.Errorf("without --allow-errors: %v, ran %v", err, e2.ran)
	}
}

// TestAllowErrorsModules: under --allow-errors, modules that cannot be
// had fail only the cells that import them; without it, the run.
func TestAllowErrorsModules(t *testing.T) {
	e := &stuckExecutor{prepErr: errors.New("no such module")}
	nb := cellsNotebook(t, "import \"example.com/missing/pkg\"", "other")
	if err := Run(context.Background(), nb, e, Options{AllowErrors: true}); err != nil || len(e.ran) != 2 {
		t.Errorf("--allow-errors: %v, ran %v", err, e.ran)
	}
	e = &stuckExecutor{prepErr: errors.New("no such module")}
	if err := Run(context.Background(), cellsNotebook(t, "import \"example.com/missing/pkg\"", "other"), e, Options{}); err == nil || len(e.ran) != 0 {
		t.Errorf("without --allow-errors: %v, ran %v", err, e.ran)
	}
}
