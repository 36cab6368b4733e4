//go:build !unix

package hubtest

import "os/exec"

func ownProcessGroup(cmd *exec.Cmd) {}

func terminate(cmd *exec.Cmd) { cmd.Process.Kill() }

func killProcessGroup(cmd *exec.Cmd) { cmd.Process.Kill() }
