package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"nmfkernel/internal/fastblas"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"nmfkernel/internal/jupyter"
	"nmfkernel/internal/zmqkernel"
)

// runJupyter implements "kernel jupyter": a kernel process on the sockets
// a connection file names, as Jupyter front ends start it.
func runJupyter(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("jupyter", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var file string
	fs.StringVar(&file, "connection-file", "", "the connection file Jupyter wrote for this kernel")
	fs.StringVar(&file, "f", "", "shorthand for --connection-file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if file == "" {
		fmt.Fprintln(stderr, "usage: kernel jupyter --connection-file FILE")
		return 2
	}
	conn, err := jupyter.ReadConnectionFile(file)
	if err != nil {
		fmt.Fprintln(stderr, "kernel:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	k, err := zmqkernel.New(ctx, conn, zmqkernel.Options{Version: version, Banner: banner(), Log: stderr})
	if err != nil {
		fmt.Fprintln(stderr, "kernel:", err)
		return 1
	}
	// A front end in signal mode, or Ctrl-C in the terminal, interrupts the
	// running cell rather than killing the kernel.
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	go func() {
		for range interrupts {
			k.Interrupt()
		}
	}()
	if _, err := k.Run(ctx); err != nil && ctx.Err() == nil {
		fmt.Fprintln(stderr, "kernel:", err)
		return 1
	}
	return 0
}

// banner is the kernel_info banner.
func banner() string {
	blasLine := "BLAS: " + fastblas.Name()
	if err := fastblas.Init(); err != nil {
		blasLine += " (" + err.Error() + ")"
	}
	return fmt.Sprintf("nmfkernel %s: Go %s interpreted by yaegi, with lib/nmf, lib/viz, lib/display, gonum and gonum/plot.\n%s.",
		version, runtime.Version()[2:], blasLine)
}
