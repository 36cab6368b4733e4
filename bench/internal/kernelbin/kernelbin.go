// Package kernelbin builds the kernel binary the benchmarks start their
// kernels with.
package kernelbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// Build builds nmfkernel/cmd/kernel into a temporary folder and returns
// the binary's path and a function that removes the folder.
func Build() (bin string, cleanup func(), err error) {
	dir, err := os.MkdirTemp("", "kernelbin-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	bin = filepath.Join(dir, "kernel")
	if out, err := exec.Command("go", "build", "-o", bin, "nmfkernel/cmd/kernel").CombinedOutput(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("build the kernel: %v\n%s", err, out)
	}
	return bin, cleanup, nil
}
