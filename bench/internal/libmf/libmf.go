// Package libmf builds LIBMF's command-line tools (Chin, Yuan, Juan and
// Lin's C++ matrix factorization library) from a source tree the user
// gives, and runs them, for the benchmarks that compare lib/nmf with it.
// None of LIBMF's code is in this repository.
package libmf

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"time"
)

// Build compiles mf-train and mf-predict from a copy of src under work
// and returns their paths.
func Build(src, work string) (train, predict string, err error) {
	dir := filepath.Join(work, "libmf")
	if out, err := exec.Command("cp", "-r", src, dir).CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("copy %s: %v\n%s", src, err, out)
	}
	cmd := exec.Command("make", "-j2")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("make in %s: %v\n%s", dir, err, out)
	}
	return filepath.Join(dir, "mf-train"), filepath.Join(dir, "mf-predict"), nil
}

// Run is one run of a LIBMF tool: its output, wall time and peak resident
// memory (0 where the system does not report it).
type Run struct {
	Output    []byte
	Elapsed   time.Duration
	PeakRSSMB float64
}

// Exec runs the tool at path with args.
func Exec(path string, args ...string) (Run, error) {
	cmd := exec.Command(path, args...)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	r := Run{Output: out, Elapsed: time.Since(start)}
	if err != nil {
		return r, fmt.Errorf("%s: %v\n%s", filepath.Base(path), err, out)
	}
	r.PeakRSSMB = peakRSSMB(cmd.ProcessState)
	return r, nil
}
