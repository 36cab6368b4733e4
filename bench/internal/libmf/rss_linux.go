package libmf

import (
	"os"
	"syscall"
)

// peakRSSMB returns an ended process's peak resident memory in MB.
func peakRSSMB(ps *os.ProcessState) float64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return float64(ru.Maxrss) / 1024 // kilobytes on Linux
	}
	return 0
}
