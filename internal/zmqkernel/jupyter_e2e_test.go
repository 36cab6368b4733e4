package zmqkernel

import (
	"encoding/json"
	"fmt"
	"nmfkernel/internal/movielens"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"nmfkernel/internal/notebook"
)

// jupyterPython is Debian's interpreter, where python3-jupyter-client and
// jupyter-nbconvert install their modules.
const jupyterPython = "/usr/bin/python3"

// requireJupyter skips the test when Jupyter's client stack is missing,
// except in CI, where it must be there (.ci/run installs it).
func requireJupyter(t *testing.T) {
	t.Helper()
	if err := exec.Command(jupyterPython, "-c", "import jupyter_client, nbconvert").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Jupyter's client stack is required in CI: %v (apt-get install python3-jupyter-client jupyter-nbconvert)", err)
		}
		t.Skipf("skipping: %s cannot import jupyter_client and nbconvert (apt-get install python3-jupyter-client jupyter-nbconvert)", jupyterPython)
	}
}

// installKernel builds the kernel binary and installs its kernelspec under
// a temporary prefix, returning the JUPYTER_PATH that finds it.
func installKernel(t *testing.T) (jupyterPath string) {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "kernel")
	if out, err := exec.Command("go", "build", "-o", bin, "nmfkernel/cmd/kernel").CombinedOutput(); err != nil {
		t.Fatalf("build the kernel: %v\n%s", err, out)
	}
	prefix := filepath.Join(dir, "prefix")
	if out, err := exec.Command(bin, "install", "--prefix", prefix).CombinedOutput(); err != nil {
		t.Fatalf("kernel install: %v\n%s", err, out)
	}
	return filepath.Join(prefix, "share", "jupyter")
}

func jupyterEnv(jupyterPath string, t *testing.T) []string {
	return append(os.Environ(), "JUPYTER_PATH="+jupyterPath, "JUPYTER_RUNTIME_DIR="+t.TempDir(), "JUPYTER_PLATFORM_DIRS=1")
}

// TestNbconvertExecutesNotebooks runs every tutorial notebook with
// Jupyter's nbconvert through the installed kernel and compares its
// outputs with the committed ones. movielens.ipynb runs when
// internal/movielens finds the data.
func TestNbconvertExecutesNotebooks(t *testing.T) {
	requireJupyter(t)
	jp := installKernel(t)
	work := t.TempDir()
	src := filepath.Join("..", "..", "notebooks")
	if err := os.CopyFS(work, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	paths, _ := filepath.Glob(filepath.Join(src, "*.ipynb"))
	for _, path := range paths {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".ipynb"), func(t *testing.T) {
			if name == "movielens.ipynb" {
				if err := movielens.Check(); err != nil {
					t.Skipf("skipping: %v", err)
				}
			}
			out := "executed-" + name
			cmd := exec.Command(jupyterPython, "-m", "nbconvert", "--to", "notebook", "--execute", name,
				"--ExecutePreprocessor.kernel_name=nmfkernel", "--ExecutePreprocessor.timeout=300", "--output", out)
			cmd.Dir = work
			cmd.Env = append(jupyterEnv(jp, t), movielens.EnvVar+"="+movielens.Dir())
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("nbconvert: %v\n%s", err, b)
			}
			want, err := notebook.Read(path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := notebook.Read(filepath.Join(work, out))
			if err != nil {
				t.Fatal(err)
			}
			if ok, why := notebook.OutputsComparable(want); !ok {
				t.Logf("ran clean; outputs not compared: %s", why)
				return
			}
			for _, d := range notebook.DiffOutputs(want, got) {
				t.Error(d)
			}
		})
	}
}

// TestJupyterClient drives the kernel with jupyter_client: complete,
// inspect, interrupt, restart and shutdown as front ends do them.
func TestJupyterClient(t *testing.T) {
	requireJupyter(t)
	jp := installKernel(t)
	cmd := exec.Command(jupyterPython, filepath.Join("testdata", "jupyter_client_check.py"))
	cmd.Env = jupyterEnv(jp, t)
	out, err := cmd.CombinedOutput()
	t.Logf("jupyter_client:\n%s", out)
	if err != nil || !strings.Contains(string(out), "ok shutdown") {
		t.Fatalf("jupyter_client check failed: %v", err)
	}
}

// TestNbconvertWithModules runs, through Jupyter's nbconvert, a notebook
// whose cell imports a module the kernel lacks: the kernel builds one
// that has it, replaces its process and carries the session over, and
// nbconvert sees one cell with the module's output and no build messages.
func TestNbconvertWithModules(t *testing.T) {
	requireJupyter(t)
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatal("no go command on PATH") // installKernel needs it too
	}
	jp := installKernel(t)
	work := t.TempDir()
	cells := []string{
		"import \"fmt\"\nx := 41",
		"%go get github.com/montanaflynn/stats@v0.14.0\nimport \"github.com/montanaflynn/stats\"\nm, _ := stats.Median([]float64{1, 2, 3, 4})\nfmt.Println(m, x+1)",
	}
	var cs []any
	for _, c := range cells {
		cs = append(cs, map[string]any{"cell_type": "code", "metadata": map[string]any{}, "source": c, "outputs": []any{}, "execution_count": nil})
	}
	b, _ := json.Marshal(map[string]any{"cells": cs, "metadata": map[string]any{}, "nbformat": 4, "nbformat_minor": 5})
	os.WriteFile(filepath.Join(work, "modules.ipynb"), b, 0o644)
	cmd := exec.Command(jupyterPython, "-m", "nbconvert", "--to", "notebook", "--execute", "modules.ipynb",
		"--ExecutePreprocessor.kernel_name=nmfkernel", "--ExecutePreprocessor.timeout=600", "--output", "executed.ipynb")
	cmd.Dir = work
	cmd.Env = append(jupyterEnv(jp, t), "NMFKERNEL_CACHE="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nbconvert: %v\n%s", err, out)
	}
	nb, err := notebook.Read(filepath.Join(work, "executed.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	var got strings.Builder
	outs, _ := nb.Cells[1]["outputs"].([]any)
	for _, o := range outs {
		m, _ := o.(map[string]any)
		fmt.Fprintf(&got, "%v:", m["name"])
		switch text := m["text"].(type) {
		case string:
			got.WriteString(text)
		case []any:
			for _, s := range text {
				got.WriteString(s.(string))
			}
		}
	}
	if want := "stdout:nmfkernel: this kernel has the new packages; it re-ran cells [1] to restore the session's variables.\nstdout:github.com/montanaflynn/stats v0.14.0\nstdout:2.5 42\n"; strings.ReplaceAll(got.String(), "\nstdout:", "\n") != strings.ReplaceAll(want, "\nstdout:", "\n") {
		t.Errorf("cell 2's outputs: %q, want %q", got.String(), want)
	}
}
