// Command kernel is nmfkernel's one binary: a Go notebook kernel with a
// non-negative matrix factorization library built in.
//
// Usage:
//
//	kernel run NOTEBOOK.ipynb [-o OUT.ipynb] [--allow-errors] [--png-dir DIR]
//	kernel serve [--addr 127.0.0.1:8888] [--token T] [--root DIR] [--base-url P] [--allow-origin O] [--allow-remote] [--delete-to-trash=false] [--cull-idle D]
//	kernel serve --hub   (as JupyterHub's single-user server; see docs/jupyterhub.md)
//	kernel jupyter --connection-file FILE
//	kernel install [--user | --prefix DIR | --sys-prefix] [--print]
//	kernel version
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
)

// version is the release of nmfkernel, reported by "kernel version" and in
// kernel_info replies.
const version = "0.1.0"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches a subcommand and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "run":
		return runNotebook(args[1:], stdout, stderr)
	case "serve":
		return runServe(args[1:], stdout, stderr)
	case "jupyter":
		return runJupyter(args[1:], stderr)
	case "install":
		return runInstall(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "nmfkernel %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "kernel: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: kernel <command> [arguments]

commands:
  run       execute a notebook's code cells and write their outputs
  serve     serve the Jupyter kernel API (REST and websockets) on loopback
  jupyter   serve as a Jupyter kernel on the sockets of a connection file
  install   install the kernelspec so Jupyter front ends find this kernel
  version   print the version

Run "kernel <command> -h" for a command's options.
`)
}
