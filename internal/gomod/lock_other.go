//go:build !unix

package gomod

import (
	"errors"
	"os"
	"time"
)

// tryLock takes the lock on path if it is free, without waiting: the file
// exists while the lock is held. A lock older than an hour is taken as
// left by a killed build. It returns errLocked when another process holds
// it.
func tryLock(path string) (func(), error) {
	for range 2 {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		fi, err := os.Stat(path)
		if err != nil || time.Since(fi.ModTime()) <= time.Hour {
			break
		}
		os.Remove(path) // stale: try once more
	}
	return nil, errLocked
}

// checkOwnCache makes the cache folder; ownership is not checked here.
func checkOwnCache(dir string) error { return os.MkdirAll(dir, 0o700) }
