package gomod

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"
)

// errLocked says another process holds the lock tryLock was asked for.
var errLocked = errors.New("gomod: locked by another build")

// lockFile holds an exclusive lock on path (made if missing) until the
// returned function is called, so that kernels building at the same time
// take turns with the build folder. It waits for the lock, trying it every
// 100 ms, and gives up when ctx ends.
func lockFile(ctx context.Context, path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	for {
		unlock, err := tryLock(path)
		if !errors.Is(err, errLocked) {
			return unlock, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
