// Command modules measures how fast code from a Go module runs when a cell
// imports it: compiled into the kernel (how the kernel does it), against
// the same calls in a compiled Go program and against yaegi interpreting
// the module's source (the design not taken). Same machine, same run:
//
//	go run ./bench/modules
//
// It needs the go command and the Go module proxy (or the module in the
// module cache).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

const module = "github.com/montanaflynn/stats@v0.14.0"

// work is the measured code, the same in all three: the best of 5 calls
// of each function on 10⁶ values, printed in nanoseconds.
const work = `
	d := make([]float64, 1000000)
	for i := range d {
		d[i] = float64((i * 7919) % 1000003)
	}
	best := func(f func()) int64 {
		b := time.Hour
		for r := 0; r < 5; r++ {
			t := time.Now()
			f()
			if e := time.Since(t); e < b {
				b = e
			}
		}
		return b.Nanoseconds()
	}
	fmt.Println(best(func() { stats.Percentile(d, 90) }), best(func() { stats.StandardDeviation(d) }))
`

func main() {
	flag.Parse()
	if err := runAll(); err != nil {
		fmt.Fprintln(os.Stderr, "modules:", err)
		os.Exit(1)
	}
}

func runAll() error {
	tmp, err := os.MkdirTemp("", "nmfkernel-bench-modules-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	// Compiled: a Go program.
	prog := filepath.Join(tmp, "compiled")
	os.MkdirAll(prog, 0o755)
	os.WriteFile(filepath.Join(prog, "main.go"), []byte("package main\n\nimport (\n\t\"fmt\"\n\t\"time\"\n\n\t\"github.com/montanaflynn/stats\"\n)\n\nfunc main() {"+work+"}\n"), 0o644)
	if _, err := command(prog, "go", "mod", "init", "bench"); err != nil {
		return err
	}
	if _, err := command(prog, "go", "get", module); err != nil {
		return err
	}
	compiled, err := command(prog, "go", "run", ".")
	if err != nil {
		return err
	}

	// The kernel: a notebook cell that imports the module, run by kernel
	// run (which builds a kernel with it compiled in).
	kernel := filepath.Join(tmp, "kernel")
	if _, err := command(".", "go", "build", "-o", kernel, "./cmd/kernel"); err != nil {
		return err
	}
	cell := "%go get " + module + "\nimport (\"fmt\"; \"time\"; \"github.com/montanaflynn/stats\")\n" + work
	nb := map[string]any{"cells": []any{map[string]any{"cell_type": "code", "metadata": map[string]any{}, "source": cell, "outputs": []any{}, "execution_count": nil}},
		"metadata": map[string]any{}, "nbformat": 4, "nbformat_minor": 5}
	b, _ := json.Marshal(nb)
	nbPath := filepath.Join(tmp, "bench.ipynb")
	os.WriteFile(nbPath, b, 0o644)
	if _, err := command(tmp, kernel, "run", nbPath); err != nil {
		return err
	}
	var out struct {
		Cells []struct {
			Outputs []struct {
				Name string
				Text any
			}
		}
	}
	b, _ = os.ReadFile(nbPath)
	json.Unmarshal(b, &out)
	var inKernel string
	for _, o := range out.Cells[0].Outputs {
		if o.Name == "stdout" {
			// The %go get line prints the module first.
			lines := strings.Split(strings.TrimSpace(textOf(o.Text)), "\n")
			inKernel = lines[len(lines)-1]
		}
	}

	// yaegi interpreting the module's source from the module cache.
	dir, err := command(prog, "go", "list", "-m", "-f", "{{.Dir}}", "github.com/montanaflynn/stats")
	if err != nil {
		return err
	}
	gopath := filepath.Join(tmp, "gopath")
	os.MkdirAll(filepath.Join(gopath, "src", "github.com", "montanaflynn"), 0o755)
	if err := os.Symlink(strings.TrimSpace(dir), filepath.Join(gopath, "src", "github.com", "montanaflynn", "stats")); err != nil {
		return err
	}
	var stdout bytes.Buffer
	i := interp.New(interp.Options{GoPath: gopath, Stdout: &stdout})
	i.Use(stdlib.Symbols)
	if _, err := i.EvalWithContext(context.Background(), "import (\"fmt\"; \"time\"; \"github.com/montanaflynn/stats\")\nfunc run() {"+work+"}\nvar _ = func() int { run(); return 0 }()"); err != nil {
		return fmt.Errorf("yaegi: %w", err)
	}

	rows := [][2]string{{"compiled Go program", compiled}, {"kernel (compiled in)", inKernel}, {"yaegi, module source", stdout.String()}}
	base := fields(compiled)
	fmt.Printf("%-22s %16s %8s %20s %8s\n", "stats on 10^6 values", "Percentile(90)", "ratio", "StandardDeviation", "ratio")
	for _, r := range rows {
		f := fields(r[1])
		fmt.Printf("%-22s %16s %8.2f %20s %8.2f\n", r[0], time.Duration(f[0]).Round(10*time.Microsecond), f[0]/base[0], time.Duration(f[1]).Round(10*time.Microsecond), f[1]/base[1])
	}
	return nil
}

func textOf(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []any:
		var b strings.Builder
		for _, s := range t {
			b.WriteString(fmt.Sprint(s))
		}
		return b.String()
	}
	return ""
}

func fields(s string) [2]float64 {
	var f [2]float64
	for i, w := range strings.Fields(s) {
		if i < 2 {
			f[i], _ = strconv.ParseFloat(w, 64)
		}
	}
	return f
}

func command(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, errb.String())
	}
	return out.String(), nil
}
