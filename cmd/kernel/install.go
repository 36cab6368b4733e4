package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"nmfkernel/internal/kernelspec"
)

// runInstall implements "kernel install": a kernelspec where Jupyter looks.
func runInstall(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("install", flag.ContinueOnError)
	fs.SetOutput(stderr)
	user := fs.Bool("user", false, "install for the current user (the default)")
	prefix := fs.String("prefix", "", "install under DIR/share/jupyter/kernels")
	sysPrefix := fs.Bool("sys-prefix", false, "install into the active Python environment's prefix")
	printOnly := fs.Bool("print", false, "print where the kernelspec would go, and install nothing")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	chosen := 0
	for _, b := range []bool{*user, *prefix != "", *sysPrefix} {
		if b {
			chosen++
		}
	}
	if chosen > 1 {
		fmt.Fprintln(stderr, "kernel install: choose one of --user, --prefix and --sys-prefix")
		return 2
	}
	var base string
	var err error
	switch {
	case *prefix != "":
		base = filepath.Join(*prefix, "share", "jupyter")
	case *sysPrefix:
		base, err = pythonPrefix()
		base = filepath.Join(base, "share", "jupyter")
	default:
		base, err = userDataDir()
	}
	if err != nil {
		fmt.Fprintln(stderr, "kernel install:", err)
		return 1
	}
	dir := filepath.Join(base, "kernels", kernelspec.Name)
	if *printOnly {
		fmt.Fprintln(stdout, dir)
		return 0
	}
	exe, err := os.Executable()
	if err == nil {
		exe, err = filepath.EvalSymlinks(exe)
	}
	if err != nil {
		fmt.Fprintln(stderr, "kernel install: find this program:", err)
		return 1
	}
	if strings.Contains(exe, string(filepath.Separator)+"go-build") {
		fmt.Fprintln(stderr, "kernel install: this is a temporary 'go run' binary; build one first:\n  go build -o kernel ./cmd/kernel && ./kernel install")
		return 1
	}
	if err := writeKernelspec(dir, exe); err != nil {
		fmt.Fprintln(stderr, "kernel install:", err)
		return 1
	}
	fmt.Fprintf(stdout, "installed kernelspec %s in %s\n", kernelspec.Name, dir)
	return 0
}

// writeKernelspec writes kernel.json and the logos into dir.
func writeKernelspec(dir, exe string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(kernelspec.Spec(exe), "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "kernel.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	for _, size := range kernelspec.LogoSizes {
		var buf bytes.Buffer
		if err := png.Encode(&buf, kernelspec.Logo(size)); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("logo-%dx%d.png", size, size)), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// userDataDir is Jupyter's per-user data directory.
func userDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	switch runtime.GOOS {
	case "darwin":
		return filepath.Join(home, "Library", "Jupyter"), nil
	case "windows":
		if app := os.Getenv("APPDATA"); app != "" {
			return filepath.Join(app, "jupyter"), nil
		}
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "jupyter"), nil
	}
	return filepath.Join(home, ".local", "share", "jupyter"), nil
}

// pythonPrefix is the active Python environment's prefix.
func pythonPrefix() (string, error) {
	for _, env := range []string{"VIRTUAL_ENV", "CONDA_PREFIX"} {
		if p := os.Getenv(env); p != "" {
			return p, nil
		}
	}
	for _, py := range []string{"python3", "python"} {
		out, err := exec.Command(py, "-c", "import sys; print(sys.prefix)").Output()
		if err == nil {
			return strings.TrimSpace(string(out)), nil
		}
	}
	return "", errors.New("--sys-prefix: no active Python environment found (no VIRTUAL_ENV, CONDA_PREFIX or python3)")
}
