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
	"sync/atomic"
	"syscall"
	"time"

	"nmfkernel"
	"nmfkernel/internal/gomod"
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
	// The kernel ends on SIGTERM or SIGHUP, and when its parent (the server
	// or front end that started it) is gone: a kernel never outlives it.
	ppid := os.Getppid()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var signalled atomic.Bool
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; ok {
			signalled.Store(true)
			cancel()
		}
	}()
	go watchParent(ctx, ppid, cancel)
	defer func() {
		// A signal may be the parent-death signal, sent while Linux is
		// still reparenting the kernel: give it a moment to show.
		for i := 0; signalled.Load() && i < 40 && os.Getppid() == ppid; i++ {
			time.Sleep(25 * time.Millisecond)
		}
		if os.Getppid() != ppid {
			orphaned(file) // nobody is left to clean up after this kernel
		}
	}()
	opts := zmqkernel.Options{Version: version, Banner: banner(), Log: stderr}
	if cache, err := gomod.DefaultCacheDir(); err == nil {
		opts.Modules = &gomod.Builder{Source: nmfkernel.Source, CacheDir: cache}
	} else {
		fmt.Fprintln(stderr, "kernel:", err)
	}
	if resume := os.Getenv(zmqkernel.ResumeEnv); resume != "" {
		os.Unsetenv(zmqkernel.ResumeEnv)
		opts.Resume = resume
	}
	k, err := zmqkernel.New(ctx, conn, opts)
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

// watchParent cancels when the process that started the kernel has gone
// (the kernel is then reparented), as ipykernel's ParentPoller does: a
// complement to the parent-death signal the server asks Linux for.
func watchParent(ctx context.Context, ppid int, cancel context.CancelFunc) {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if os.Getppid() != ppid {
				cancel()
				return
			}
		}
	}
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
