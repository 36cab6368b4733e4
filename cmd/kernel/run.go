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
	"strings"
	"syscall"
	"time"

	"nmfkernel/internal/client"
	"nmfkernel/internal/engine"
	"nmfkernel/internal/kernels"
	"nmfkernel/internal/notebook"
	"nmfkernel/internal/runner"
	"nmfkernel/internal/server"
)

// runNotebook implements "kernel run".
func runNotebook(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the executed notebook to this file instead of in place")
	allowErrors := fs.Bool("allow-errors", false, "run every cell even after one fails, and exit 0")
	pngDir := fs.String("png-dir", "", "also write every image output as a PNG file named after its cell into this directory")
	serverURL := fs.String("server", "", "run on this kernel server (URL) instead of a private one")
	token := fs.String("token", "", "the --server's token (default: $JUPYTER_TOKEN)")
	inProcess := fs.Bool("in-process", false, "run cells in this process instead of a kernel process (no isolation)")
	timeout := fs.Duration("timeout", 0, "interrupt a cell that runs longer than this (e.g. 10m), fail it, and restart its kernel; 0: no limit")
	check := fs.Bool("check", false, "compare the fresh outputs with the notebook's own and fail on a difference (timings and progress aside); writes nothing unless -o is given")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: kernel run NOTEBOOK.ipynb [-o OUT.ipynb] [--check] [--allow-errors] [--timeout D] [--png-dir DIR] [--server URL --token T]")
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
	// Ctrl-C, a terminal closing or a kill: stop the kernel and its server
	// (cleanup) rather than leave them running.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	exec, cleanup, err := executor(ctx, filepath.Dir(in), *serverURL, *token, *inProcess, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "kernel run:", err)
		return 1
	}
	defer cleanup()
	var committed *notebook.Notebook
	if *check {
		if committed, err = notebook.Read(in); err != nil {
			fmt.Fprintln(stderr, "kernel run:", err)
			return 1
		}
	}
	runErr := runner.Run(ctx, nb, exec, runner.Options{AllowErrors: *allowErrors, PNGDir: *pngDir, Log: stderr, CellTimeout: *timeout})
	if !*check || *out != "" {
		if err := nb.Write(dest); err != nil {
			fmt.Fprintln(stderr, "kernel run:", err)
			return 1
		}
	}
	var failed *runner.CellFailedError
	switch {
	case errors.As(runErr, &failed) && (!*check || *out != ""):
		fmt.Fprintf(stderr, "kernel run: %v\n(outputs so far written to %s)\n", runErr, dest)
		return 1
	case errors.As(runErr, &failed):
		fmt.Fprintf(stderr, "kernel run: %v\n", runErr)
		return 1
	case runErr != nil:
		fmt.Fprintln(stderr, "kernel run:", runErr)
		return 1
	}
	if *check {
		return reportDrift(in, committed, nb, stderr)
	}
	fmt.Fprintf(stderr, "wrote %s\n", dest)
	return 0
}

// reportDrift compares a fresh run with the committed outputs for --check.
func reportDrift(path string, committed, fresh *notebook.Notebook, stderr io.Writer) int {
	if ok, why := notebook.OutputsComparable(committed); !ok {
		fmt.Fprintf(stderr, "%s: ran clean; outputs not compared: %s\n", path, why)
		return 0
	}
	diffs := notebook.DiffOutputs(committed, fresh)
	if len(diffs) == 0 {
		fmt.Fprintf(stderr, "%s: ran clean, outputs as committed\n", path)
		return 0
	}
	for _, d := range diffs {
		fmt.Fprintf(stderr, "%s: %s\n", path, d)
	}
	fmt.Fprintf(stderr, "%s: %d outputs differ from the committed ones (re-run it with kernel run and commit it if the change is intended)\n", path, len(diffs))
	return 1
}

// executor returns where the notebook's cells run: by default a kernel
// process behind a private server on loopback (a cell that crashes it
// fails with "kernel died" and does not take the runner down), an existing
// server with --server, or this process with --in-process.
func executor(ctx context.Context, dir, serverURL, token string, inProcess bool, stderr io.Writer) (runner.Executor, func(), error) {
	if inProcess {
		// Cells run in the notebook's directory, as Jupyter runs them.
		if err := os.Chdir(dir); err != nil {
			return nil, nil, err
		}
		s, err := engine.New(engine.Options{})
		if err != nil {
			return nil, nil, err
		}
		return runner.SessionExecutor{Session: s}, func() { s.Close() }, nil
	}
	var srv *server.Server
	if serverURL == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, nil, err
		}
		abs, _ := filepath.Abs(dir)
		srv, err = server.New(server.Options{Addr: "127.0.0.1:0", Kernels: kernels.Options{Command: []string{exe, "jupyter"}, Dir: abs}})
		if err != nil {
			return nil, nil, err
		}
		if _, err := srv.Listen(); err != nil {
			return nil, nil, err
		}
		go srv.Serve()
		serverURL, token = "http://"+srv.Addr(), srv.Token()
	} else if token == "" {
		token = os.Getenv("JUPYTER_TOKEN")
	}
	c := client.New(serverURL, token)
	stopServer := func() {
		if srv != nil {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			srv.Shutdown(sctx)
		}
	}
	k, err := c.StartKernel(ctx, "")
	if err != nil {
		stopServer()
		return nil, nil, err
	}
	conn, err := c.Connect(ctx, k.ID)
	if err != nil {
		c.Shutdown(context.Background(), k.ID)
		stopServer()
		return nil, nil, err
	}
	return &runner.ClientExecutor{Client: c, KernelID: k.ID, Conn: conn}, func() {
		conn.Close()
		c.Shutdown(context.Background(), k.ID)
		stopServer()
	}, nil
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
			if !strings.Contains(a, "=") && (a == "-o" || a == "--o" || strings.TrimLeft(a, "-") == "png-dir" || strings.TrimLeft(a, "-") == "server" || strings.TrimLeft(a, "-") == "token") && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			rest = append(rest, a)
		}
	}
	return append(flags, rest...)
}
