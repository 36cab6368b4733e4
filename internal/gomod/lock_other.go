//go:build !unix

package gomod

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"
)

// lockFile holds an exclusive lock on path until the returned function is
// called: the file exists while it is held. A lock older than an hour is
// taken as left by a killed build.
func lockFile(ctx context.Context, path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		if fi, err := os.Stat(path); err == nil && time.Since(fi.ModTime()) > time.Hour {
			os.Remove(path)
			continue
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// tryLock takes the lock on path if it is free, without waiting.
func tryLock(path string) (func(), error) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return lockFile(ctx, path)
}
