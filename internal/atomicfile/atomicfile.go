// Package atomicfile writes files through a temporary file in the same
// directory and a rename, so a failed write never leaves a half-written
// file where a good one was.
package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"
)

// Write calls write with a temporary file beside path and renames it over
// path when write and the close succeed. The file keeps the mode of the
// file it replaces, or gets 0644.
//
// Temporary files of path that a killed writer left more than a minute
// ago are removed first.
func Write(path string, write func(io.Writer) error) error {
	pattern := "." + filepath.Base(path) + ".tmp*"
	removeStale(filepath.Join(filepath.Dir(path), pattern))
	f, err := os.CreateTemp(filepath.Dir(path), pattern)
	if err != nil {
		return err
	}
	tmp := f.Name()
	werr := write(f)
	if err := errors.Join(werr, f.Close()); err != nil {
		os.Remove(tmp)
		return err
	}
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	if err := os.Chmod(tmp, mode); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// staleAfter is how old a leftover temporary file must be to be removed:
// older than any write in progress.
const staleAfter = time.Minute

// removeStale removes the files matching pattern older than staleAfter.
func removeStale(pattern string) {
	matches, _ := filepath.Glob(pattern)
	for _, m := range matches {
		if fi, err := os.Lstat(m); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > staleAfter {
			os.Remove(m)
		}
	}
}
