//go:build unix

package hubtest

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup starts the hub in a process group of its own, so that
// Close can end whatever of it is left.
func ownProcessGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// terminate asks the hub to stop (it stops its users' servers and proxy).
func terminate(cmd *exec.Cmd) { cmd.Process.Signal(syscall.SIGTERM) }

// killProcessGroup ends the hub's process group.
func killProcessGroup(cmd *exec.Cmd) { syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
