//go:build unix

package engine

import (
	"os/exec"
	"syscall"
	"time"
)

// setProcessGroup starts a shell command in a process group of its own,
// so that an interrupt reaches whatever it started.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// interruptProcessGroup sends SIGINT to the command's process group, as
// Ctrl-C in a terminal does.
func interruptProcessGroup(cmd *exec.Cmd) {
	syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
}

// killProcessGroup ends the command's process group.
func killProcessGroup(cmd *exec.Cmd) {
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}

// cpuTimes returns the process's user and system CPU time.
func cpuTimes() (user, sys time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1, -1
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}
