// Package runner executes the code cells of a notebook, in order, and
// records their outputs in it: the engine of "kernel run".
package runner

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"nmfkernel/internal/gomod"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"nmfkernel/internal/engine"
	"nmfkernel/internal/notebook"
	"nmfkernel/lib/display"
)

// Executor runs one cell and reports what it produced; *engine.Session
// fits it through SessionExecutor.
type Executor interface {
	Execute(ctx context.Context, code string, sink func(engine.Event)) engine.Result
}

// SessionExecutor runs cells in an in-process engine session.
type SessionExecutor struct{ Session *engine.Session }

// Execute runs code in the session.
func (e SessionExecutor) Execute(ctx context.Context, code string, sink func(engine.Event)) engine.Result {
	return e.Session.Execute(ctx, code, engine.ExecOptions{}, sink)
}

// Options configures Run. The zero value stops at the first error and
// logs nothing.
type Options struct {
	// AllowErrors runs every cell even after one fails.
	AllowErrors bool
	// PNGDir, if set, receives every image output as cellN.png (N the
	// cell's 1-based position; -2, -3… for further images of a cell).
	PNGDir string
	// Log receives one progress line per cell.
	Log io.Writer
	// CellTimeout, if set, bounds each cell's run: a cell past it is
	// interrupted (and, if it does not stop within TimeoutGrace, its
	// kernel killed by a restart), fails with a Timeout error, and its
	// kernel is restarted before the next cell, when the executor can
	// restart one (a Restarter).
	CellTimeout time.Duration
	// TimeoutGrace is how long such a cell has to stop once interrupted;
	// zero means 10 s.
	TimeoutGrace time.Duration
}

// timeoutGrace is how long a cell past its timeout has to stop after it
// is interrupted before its kernel is restarted under it.
func (opt Options) timeoutGrace() time.Duration {
	if opt.TimeoutGrace > 0 {
		return opt.TimeoutGrace
	}
	return 10 * time.Second
}

// Restarter is an executor that can restart its kernel (its state lost).
type Restarter interface {
	Restart(ctx context.Context) error
}

// CellFailedError reports the cell that stopped a run.
type CellFailedError struct {
	Index int // 1-based position of the cell in the notebook
	Err   *engine.CellError
}

func (e *CellFailedError) Error() string {
	return fmt.Sprintf("cell %d failed: %s", e.Index, strings.Join(e.Err.Traceback, "\n"))
}

// Run executes nb's code cells with exec, replacing their outputs and
// execution counts. It stops at the first failing cell (returning a
// *CellFailedError, with the outputs so far recorded) unless
// opt.AllowErrors is set, and at ctx's end.
func Run(ctx context.Context, nb *notebook.Notebook, exec Executor, opt Options) error {
	logf := func(format string, a ...any) {
		if opt.Log != nil {
			fmt.Fprintf(opt.Log, format, a...)
		}
	}
	setLanguage(nb)
	if err := prepareModules(ctx, nb, exec); err != nil {
		if !opt.AllowErrors || ctx.Err() != nil {
			return err
		}
		// Under --allow-errors only the cells that import what cannot be
		// had fail (each with its module error, when it runs).
		logf("kernel run: %v; the cells that need them will fail\n", err)
	}
	defer recordModules(nb, exec)
	code := 0
	for _, c := range nb.Cells {
		if c.Type() == "code" {
			code++
		}
	}
	var firstErr error
	done := 0
	// Cells a stopped run did not reach lose their old outputs: the
	// notebook never mixes this run's outputs with an earlier run's.
	next := 0
	defer func() {
		for _, c := range nb.Cells[next:] {
			if c.Type() == "code" {
				c.SetOutputs(&notebook.Outputs{}, nil)
			}
		}
	}()
	for i, c := range nb.Cells {
		if c.Type() != "code" {
			continue
		}
		done++
		if err := ctx.Err(); err != nil {
			next = i
			return err
		}
		next = i + 1
		start := time.Now()
		var out notebook.Outputs
		var images [][]byte
		clearPending := false
		cellCtx, cancelCell := ctx, context.CancelFunc(func() {})
		restarter, canRestart := exec.(Restarter)
		var killed atomic.Bool
		finished := make(chan struct{})
		var watched sync.WaitGroup
		if opt.CellTimeout > 0 {
			cellCtx, cancelCell = context.WithTimeout(ctx, opt.CellTimeout)
			// Interrupted at the deadline (the executor's doing); a cell
			// that does not stop within the grace has its kernel restarted
			// under it.
			grace := opt.timeoutGrace()
			watched.Add(1)
			go func() {
				defer watched.Done()
				select {
				case <-finished:
					return
				case <-cellCtx.Done():
				}
				if ctx.Err() != nil || !canRestart {
					return
				}
				select {
				case <-time.After(grace):
					killed.Store(true)
					restarter.Restart(context.Background())
				case <-finished:
				case <-ctx.Done():
				}
			}()
		}
		res := exec.Execute(cellCtx, c.Source(), func(ev engine.Event) {
			if _, ok := ev.(engine.ClearOutput); !ok && clearPending {
				out, images, clearPending = notebook.Outputs{}, nil, false
			}
			switch ev := ev.(type) {
			case engine.ClearOutput:
				if ev.Wait {
					clearPending = true
				} else {
					out, images = notebook.Outputs{}, nil
				}
			case engine.Stream:
				out.Stream(ev.Name, ev.Text)
			case engine.Display:
				if ev.Update && out.Update(ev.Bundle, ev.Metadata, ev.DisplayID) {
					return
				}
				out.Display(ev.Bundle, ev.Metadata, ev.DisplayID)
				images = appendImage(images, ev.Bundle)
			case engine.ExecuteResult:
				out.Result(ev.Count, ev.Bundle, nil)
				images = appendImage(images, ev.Bundle)
			}
		})
		timedOut := opt.CellTimeout > 0 && ctx.Err() == nil && errors.Is(cellCtx.Err(), context.DeadlineExceeded)
		close(finished)
		watched.Wait()
		cancelCell()
		if timedOut {
			msg := fmt.Sprintf("the cell ran past --timeout %v and was interrupted", opt.CellTimeout)
			if canRestart {
				if !killed.Load() {
					if err := restarter.Restart(ctx); err != nil {
						logf("kernel run: restart after the timeout: %v\n", err)
					}
				}
				msg += "; its kernel was restarted, so what earlier cells defined is gone"
			}
			res.Err = &engine.CellError{Name: "Timeout", Value: msg, Traceback: []string{"Timeout: " + msg}}
		}
		var count *int
		if res.Count > 0 {
			count = &res.Count
		}
		status := "ok"
		if res.Err != nil {
			out.Error(res.Err.Name, res.Err.Value, res.Err.Traceback)
			status = "error: " + res.Err.Name + ": " + res.Err.Value
		}
		c.SetOutputs(&out, count)
		logf("[%d/%d] cell %d %s (%.2f s)\n", done, code, i+1, status, time.Since(start).Seconds())
		if opt.PNGDir != "" {
			if err := writeImages(opt.PNGDir, i+1, images); err != nil {
				return err
			}
		}
		if res.Err != nil {
			if res.Err.Name == "Interrupt" && ctx.Err() != nil {
				return ctx.Err()
			}
			if firstErr == nil {
				firstErr = &CellFailedError{Index: i + 1, Err: res.Err}
			}
			if !opt.AllowErrors {
				return firstErr
			}
		}
	}
	if opt.AllowErrors {
		return nil
	}
	return firstErr
}

func appendImage(images [][]byte, b display.Bundle) [][]byte {
	switch v := b[display.MIMEPNG].(type) {
	case []byte:
		return append(images, v)
	case string:
		if data, err := base64.StdEncoding.DecodeString(v); err == nil {
			return append(images, data)
		}
	}
	return images
}

func writeImages(dir string, cell int, images [][]byte) error {
	if len(images) == 0 {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("png dir: %w", err)
	}
	for k, img := range images {
		name := fmt.Sprintf("cell%d.png", cell)
		if k > 0 {
			name = fmt.Sprintf("cell%d-%d.png", cell, k+1)
		}
		if err := os.WriteFile(filepath.Join(dir, name), img, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", name, err)
		}
	}
	return nil
}

// setLanguage records the kernel and language in the notebook's metadata,
// as Jupyter does when it runs a notebook.
func setLanguage(nb *notebook.Notebook) {
	if _, ok := nb.Metadata["kernelspec"]; !ok {
		nb.Metadata["kernelspec"] = map[string]any{"name": "nmfkernel", "display_name": "Go (nmfkernel)", "language": "go"}
	}
	nb.Metadata["language_info"] = map[string]any{
		"name": "go", "mimetype": "text/x-go", "file_extension": ".go",
		"codemirror_mode": "go", "pygments_lexer": "go",
	}
	notebook.RecordGoVersion(nb)
}

// ModuleKernel is an Executor whose kernel can compile Go modules in
// (internal/gomod): it can be told the notebook's recorded versions before
// the cells run, and says which modules it has.
type ModuleKernel interface {
	Prepare(ctx context.Context, code string) error
	Modules() []gomod.Module
}

// RecordedModules returns the module versions a notebook recorded
// (metadata.nmfkernel.modules).
func RecordedModules(nb *notebook.Notebook) []gomod.Module {
	return modulesOf(nb.Metadata["nmfkernel"])
}

// modulesOf reads the modules of an "nmfkernel" metadata object
// ({"modules": [{"path", "version", "sum"}]}), as a notebook and an
// execute_reply hold it; nil when there are none.
func modulesOf(meta any) []gomod.Module {
	if meta == nil {
		return nil
	}
	b, err := json.Marshal(meta)
	if err != nil {
		return nil
	}
	var m struct {
		Modules []gomod.Module `json:"modules"`
	}
	json.Unmarshal(b, &m)
	return m.Modules
}

// prepareModules has the kernel compile in, before the cells run, what the
// notebook needs: its recorded module versions, the versions its %go get
// lines pin (which win over the record) and the packages its cells
// import, so that one build serves the whole run and the cells import
// exactly the recorded versions.
func prepareModules(ctx context.Context, nb *notebook.Notebook, exec Executor) error {
	pins := RecordedModules(nb)
	var imports []string
	for _, c := range nb.Cells {
		if c.Type() != "code" {
			continue
		}
		dirs, code, err := gomod.ParseDirectives(c.Source())
		if err != nil {
			continue // the cell reports it when it runs
		}
		for _, p := range dirs.Pins {
			pins = slices.DeleteFunc(pins, func(m gomod.Module) bool { return m.Path == p.Path })
			pins = append(pins, gomod.Module{Path: p.Path, Version: p.Version})
		}
		for _, path := range engine.Imports(code) {
			if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") && !slices.Contains(imports, path) {
				imports = append(imports, path)
			}
		}
	}
	if len(pins) == 0 && len(imports) == 0 {
		return nil
	}
	mk, ok := exec.(ModuleKernel)
	if !ok {
		if len(pins) == 0 {
			return nil // the cells' imports fail or succeed on their own
		}
		return fmt.Errorf("the notebook uses Go modules (metadata.nmfkernel.modules or %%go get), which only a kernel process can compile in: run it without --in-process")
	}
	var b strings.Builder
	if len(pins) > 0 {
		var args []string
		for _, m := range pins {
			args = append(args, m.String())
		}
		fmt.Fprintf(&b, "%%go get %s\n", strings.Join(args, " "))
	}
	if len(imports) > 0 {
		fmt.Fprintf(&b, "%%go import %s\n", strings.Join(imports, " "))
	}
	// The recorded checksums are checked against the go command's (go.sum
	// and the checksum database).
	if err := mk.Prepare(ctx, b.String()); err != nil {
		return fmt.Errorf("the notebook's Go modules cannot be had: %w", err)
	}
	return nil
}

// recordModules writes the modules the kernel used into the notebook's
// metadata, so that another run gets the same versions.
func recordModules(nb *notebook.Notebook, exec Executor) {
	mk, ok := exec.(ModuleKernel)
	if !ok {
		return
	}
	mods := mk.Modules()
	if len(mods) == 0 {
		return
	}
	meta, _ := nb.Metadata["nmfkernel"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
	}
	list := make([]any, 0, len(mods))
	for _, m := range mods {
		entry := map[string]any{"path": m.Path, "version": m.Version}
		if m.Sum != "" {
			entry["sum"] = m.Sum
		}
		list = append(list, entry)
	}
	meta["modules"] = list
	nb.Metadata["nmfkernel"] = meta
}
