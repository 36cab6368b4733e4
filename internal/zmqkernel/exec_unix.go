//go:build unix

package zmqkernel

import "syscall"

// canReplaceProcess says whether replaceProcess works here.
const canReplaceProcess = true

// replaceProcess runs bin in this process (same process id, parent and
// process group), as execve does; it returns only on failure.
func replaceProcess(bin string, args, env []string) error {
	return syscall.Exec(bin, append([]string{bin}, args...), env)
}
