//go:build !unix

package zmqkernel

import "errors"

// canReplaceProcess says whether replaceProcess works here: not on this
// system, which has no execve.
const canReplaceProcess = false

func replaceProcess(bin string, args, env []string) error {
	return errors.New("replacing a running process is not supported on this system")
}
