package kernels

import (
	"os/exec"
	"syscall"
)

// setProcAttr starts a kernel in its own process group (so that the
// processes its cells start can be stopped with it) and asks Linux to
// send it SIGTERM if the server dies.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// killGroup stops what is left of a kernel's process group: the processes
// its cells started.
func killGroup(pid int) { syscall.Kill(-pid, syscall.SIGKILL) }
