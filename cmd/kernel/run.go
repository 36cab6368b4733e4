package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"

	"nmfkernel/internal/engine"
	"nmfkernel/internal/notebook"
	"nmfkernel/internal/runner"
)

// runNotebook implements "kernel run".
func runNotebook(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the executed notebook to this file instead of in place")
	allowErrors := fs.Bool("allow-errors", false, "run every cell even after one fails, and exit 0")
	pngDir := fs.String("png-dir", "", "also write every image output as a PNG file named after its cell into this directory")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kernel run NOTEBOOK.ipynb [-o OUT.ipynb] [--allow-errors] [--png-dir DIR]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorderFlags(args)); err != nil {
		return 2
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	in := fs.Arg(0)
	dest := in
	if *out != "" {
		dest = *out
	}
	nb, err := notebook.Read(in)
	if err != nil {
		fmt.Fprintln(stderr, "kernel run:", err)
		return 1
	}
	for _, p := range []*string{&dest, pngDir} {
		if *p != "" {
			if abs, err := filepath.Abs(*p); err == nil {
				*p = abs
			}
		}
	}
	// Cells run in the notebook's directory, as Jupyter runs them.
	if dir := filepath.Dir(in); dir != "." {
		if err := os.Chdir(dir); err != nil {
			fmt.Fprintln(stderr, "kernel run:", err)
			return 1
		}
	}
	session, err := engine.New(engine.Options{})
	if err != nil {
		fmt.Fprintln(stderr, "kernel run:", err)
		return 1
	}
	defer session.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	runErr := runner.Run(ctx, nb, runner.SessionExecutor{Session: session}, runner.Options{
		AllowErrors: *allowErrors, PNGDir: *pngDir, Log: stderr,
	})
	if err := nb.Write(dest); err != nil {
		fmt.Fprintln(stderr, "kernel run:", err)
		return 1
	}
	var failed *runner.CellFailedError
	switch {
	case errors.As(runErr, &failed):
		fmt.Fprintf(stderr, "kernel run: %v\n(outputs so far written to %s)\n", runErr, dest)
		return 1
	case runErr != nil:
		fmt.Fprintln(stderr, "kernel run:", runErr)
		return 1
	}
	fmt.Fprintf(stderr, "wrote %s\n", dest)
	return 0
}

// reorderFlags moves flags after the notebook argument before it, so that
// "kernel run nb.ipynb -o out.ipynb" works as people type it.
func reorderFlags(args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			rest = append(rest, args[i+1:]...)
			i = len(args)
		case len(a) > 1 && a[0] == '-':
			flags = append(flags, a)
			if (a == "-o" || a == "--o" || a == "-png-dir" || a == "--png-dir") && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			rest = append(rest, a)
		}
	}
	return append(flags, rest...)
}
