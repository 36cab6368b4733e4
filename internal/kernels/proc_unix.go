//go:build unix && !linux

package kernels

import (
	"os/exec"
	"syscall"
)

// setProcAttr starts a kernel in its own process group, so that the
// processes its cells start can be stopped with it. (The kernel watches
// its parent itself; there is no parent-death signal here.)
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killGroup stops what is left of a kernel's process group.
func killGroup(pid int) { syscall.Kill(-pid, syscall.SIGKILL) }
