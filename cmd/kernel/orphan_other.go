//go:build !unix

package main

import (
	"os"
	"path/filepath"
)

// orphaned cleans up after a kernel whose parent died: its connection
// file (which holds the HMAC key) and the file's folder if now empty.
func orphaned(connFile string) {
	os.Remove(connFile)
	os.Remove(filepath.Dir(connFile))
}
