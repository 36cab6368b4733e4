//go:build unix

package gomod

import (
	"fmt"
	"os"
	"syscall"
)

// tryLock takes the lock on path if it is free, without waiting: an
// flock on the file, which the system lets go if the process dies. It
// returns errLocked when another process holds it.
func tryLock(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if err == syscall.EWOULDBLOCK || err == syscall.EINTR {
			return nil, errLocked
		}
		return nil, err
	}
	return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
}

// checkOwnCache refuses a cache folder that another user owns or that
// others can write to: a kernel binary planted there would run as this
// user. A missing folder is made private.
func checkOwnCache(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if int(st.Uid) != os.Getuid() {
		return fmt.Errorf("the build cache %s belongs to another user (uid %d)", dir, st.Uid)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("others can write to the build cache %s (mode %v)", dir, fi.Mode().Perm())
	}
	return nil
}
