//go:build unix

package trash

import (
	"os"
	"syscall"
)

// sameDevice reports whether a and b are on one filesystem (a rename
// between them does not copy).
func sameDevice(a, b string) bool {
	fa, err1 := os.Lstat(a)
	fb, err2 := os.Stat(b)
	if err1 != nil || err2 != nil {
		return false
	}
	sa, ok1 := fa.Sys().(*syscall.Stat_t)
	sb, ok2 := fb.Sys().(*syscall.Stat_t)
	return ok1 && ok2 && sa.Dev == sb.Dev
}
