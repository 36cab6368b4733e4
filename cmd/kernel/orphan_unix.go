//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
)

// orphaned cleans up after a kernel whose parent died: its connection
// file (which holds the HMAC key) and the file's folder if now empty, and,
// when the kernel leads its own process group (the server starts it so),
// every process a cell started, with the kernel itself.
func orphaned(connFile string) {
	os.Remove(connFile)
	os.Remove(filepath.Dir(connFile)) // only when empty
	if syscall.Getpgrp() == os.Getpid() {
		syscall.Kill(-os.Getpid(), syscall.SIGKILL)
	}
}
