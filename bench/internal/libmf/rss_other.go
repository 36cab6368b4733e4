//go:build !linux && !darwin

package libmf

import "os"

// peakRSSMB returns 0: this system's process accounting is not read.
func peakRSSMB(*os.ProcessState) float64 { return 0 }
