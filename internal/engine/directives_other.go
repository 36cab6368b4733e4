//go:build !unix

package engine

import (
	"os/exec"
	"time"
)

func setProcessGroup(cmd *exec.Cmd) {}

func interruptProcessGroup(cmd *exec.Cmd) { cmd.Process.Kill() }

func killProcessGroup(cmd *exec.Cmd) { cmd.Process.Kill() }

// cpuTimes is not measured here: %time shows the wall time alone.
func cpuTimes() (user, sys time.Duration) { return -1, -1 }
